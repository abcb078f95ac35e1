using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using SessionKeeper.Native;

namespace SessionKeeper.Engine.Memory;

/// <summary>
/// Append-only memory for page contents copied out of a frozen process. Pages are laid out
/// back to back, so a page's byte offset here is also its offset in the raw pages file the
/// buffer is written to. Storage is a list of page-aligned native chunks: nothing is allocated
/// per page, the GC never sees the (possibly large) contents, and chunks are freed at once on
/// <see cref="Dispose"/>.
/// </summary>
/// <remarks>
/// Each chunk is mapped with MAP_POPULATE: the kernel faults all its pages in during the mmap
/// call, about twice as fast as the page-by-page faults the copy into fresh memory would
/// otherwise take (measured on virtual machines, where a fault is costly), and the copy runs
/// while the tree is frozen.
/// </remarks>
public sealed unsafe class PageBuffer : IDisposable
{
    /// <summary>Size of one native chunk: 1024 pages, so one chunk is at most one process_vm_readv call.</summary>
    public const int ChunkSize = 4 << 20;

    private readonly List<nint> _chunks = [];
    private long _length;

    /// <summary>The page size contents are counted in.</summary>
    public static int PageSize { get; } = Environment.SystemPageSize;

    /// <summary>Bytes appended so far (a multiple of the page size).</summary>
    public long Length => _length;

    /// <summary>
    /// Reserves room for <paramref name="pages"/> pages at the end and returns the byte offset of
    /// the first. The contents are undefined until written through <see cref="Segments"/>.
    /// </summary>
    public long Append(long pages)
    {
        long offset = _length;
        long end = offset + (pages * PageSize);
        while ((long)_chunks.Count * ChunkSize < end)
        {
            _chunks.Add(Interop.MapAnonymous(ChunkSize, populate: true));
        }
        _length = end;
        return offset;
    }

    /// <summary>
    /// Adds the local iovecs that cover [offset, offset + length) to <paramref name="destination"/>,
    /// one per chunk the range touches; returns how many were added.
    /// </summary>
    public int Segments(long offset, long length, List<IoVec> destination)
    {
        int added = 0;
        while (length > 0)
        {
            int chunk = (int)(offset / ChunkSize);
            int within = (int)(offset % ChunkSize);
            int take = (int)Math.Min(length, ChunkSize - within);
            destination.Add(new IoVec((byte*)_chunks[chunk] + within, (nuint)take));
            offset += take;
            length -= take;
            added++;
        }
        return added;
    }

    /// <summary>A view of [offset, offset + length) that does not cross a chunk boundary (for tests and for writing).</summary>
    public ReadOnlySpan<byte> Slice(long offset, int length)
    {
        int chunk = (int)(offset / ChunkSize);
        int within = (int)(offset % ChunkSize);
        if (within + length > ChunkSize || offset + length > _length)
        {
            throw new ArgumentOutOfRangeException(nameof(length), "the range crosses a chunk boundary or the end of the buffer");
        }
        return new ReadOnlySpan<byte>((byte*)_chunks[chunk] + within, length);
    }

    /// <summary>Writable view of [offset, offset + length), which must lie in one chunk.</summary>
    internal Span<byte> WritableSlice(long offset, int length)
    {
        ReadOnlySpan<byte> view = Slice(offset, length);
        return new Span<byte>(Unsafe.AsPointer(ref MemoryMarshal.GetReference(view)), length);
    }

    /// <summary>Writes every appended byte to <paramref name="stream"/>, chunk by chunk.</summary>
    public void WriteTo(Stream stream)
    {
        long left = _length;
        foreach (nint chunk in _chunks)
        {
            if (left <= 0)
            {
                break;
            }
            int take = (int)Math.Min(left, ChunkSize);
            stream.Write(new ReadOnlySpan<byte>((void*)chunk, take));
            left -= take;
        }
    }

    /// <summary>Frees the chunks.</summary>
    public void Dispose()
    {
        foreach (nint chunk in _chunks)
        {
            Interop.Unmap(chunk, ChunkSize);
        }
        _chunks.Clear();
        _length = 0;
    }
}
