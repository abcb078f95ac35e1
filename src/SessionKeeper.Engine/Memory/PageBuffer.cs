using System.Buffers;
using SessionKeeper.Native;

namespace SessionKeeper.Engine.Memory;

/// <summary>
/// Append-only store for page contents copied out of a frozen process. Pages are laid out back
/// to back, so a page's byte offset here is also its offset in the raw pages file the buffer is
/// written to.
/// </summary>
/// <remarks>
/// <para>
/// What the contents live in matters more than anything else for the copy out: every newly
/// touched page of memory costs a page fault, and on virtual machines with shadow page tables
/// that fault is dear (about 6 µs here, so filling 1 GiB of fresh 4 KiB pages ran at
/// 0.26–0.7 GB/s even with MAP_POPULATE).
/// </para>
/// <para>
/// For a large tree the dump faults memory in before the freeze (<see cref="PageMemoryReserve"/>):
/// the contents then live in keeper's own memory, in huge-page segments taken from the reserve
/// (or mapped anew when it runs out), and process_vm_readv copies straight into them
/// (<see cref="WritableSlices"/>). Otherwise they live in a memfd, whose pages the kernel
/// allocates without user faults (about 2 GB/s through a small reused buffer).
/// </para>
/// <para>
/// Nothing is allocated per page, the GC never sees the contents, and <see cref="Dispose"/>
/// frees them all.
/// </para>
/// </remarks>
public sealed unsafe class PageBuffer : IDisposable
{
    private const int SegmentSize = PageMemoryReserve.SegmentSize;

    private readonly PageMemoryReserve? _reserve;
    private readonly List<nint> _segments = [];
    private SafeFd? _file;
    private long _length;

    /// <summary>
    /// A buffer in keeper's own memory, taken from <paramref name="reserve"/> while it lasts,
    /// or, without a reserve, in a memfd.
    /// </summary>
    public PageBuffer(PageMemoryReserve? reserve = null) => _reserve = reserve;

    /// <summary>The page size contents are counted in.</summary>
    public static int PageSize { get; } = Environment.SystemPageSize;

    /// <summary>Bytes appended so far (a multiple of the page size).</summary>
    public long Length => _length;

    /// <summary>Whether the contents live in keeper's own memory (else in a memfd).</summary>
    public bool InMemory => _reserve is not null;

    /// <summary>
    /// Reserves room for <paramref name="pages"/> pages at the end and returns the byte offset of
    /// the first. The contents are undefined until written with <see cref="Write"/>.
    /// </summary>
    public long Append(long pages)
    {
        long offset = _length;
        _length += pages * PageSize;
        return offset;
    }

    /// <summary>Writes <paramref name="data"/> at <paramref name="offset"/>, which must lie in the appended range.</summary>
    public void Write(long offset, ReadOnlySpan<byte> data)
    {
        CheckRange(offset, data.Length);
        if (!InMemory)
        {
            _file ??= Interop.MemfdCreate("keeper-pages");
            Interop.PwriteAll(_file, data, offset);
            return;
        }
        while (!data.IsEmpty)
        {
            Span<byte> target = SegmentSpan(offset, data.Length, map: true);
            data[..target.Length].CopyTo(target);
            data = data[target.Length..];
            offset += target.Length;
        }
    }

    /// <summary>
    /// The memory that holds [offset, offset + length) as address ranges in order, for copying
    /// into directly; the number of ranges put into <paramref name="slices"/>, or 0 when the
    /// contents live in a memfd (write those with <see cref="Write"/>). The range must lie in the
    /// appended range and <paramref name="slices"/> must have room for every segment it crosses.
    /// </summary>
    public int WritableSlices(long offset, int length, Span<IoVec> slices)
    {
        CheckRange(offset, length);
        if (!InMemory)
        {
            return 0;
        }
        int count = 0;
        while (length > 0)
        {
            Span<byte> target = SegmentSpan(offset, length, map: true);
            fixed (byte* start = target)
            {
                slices[count++] = new IoVec(start, (nuint)target.Length);
            }
            offset += target.Length;
            length -= target.Length;
        }
        return count;
    }

    /// <summary>Reads [offset, offset + destination.Length), which must lie in the appended range.</summary>
    public void Read(long offset, Span<byte> destination)
    {
        CheckRange(offset, destination.Length);
        if (!InMemory)
        {
            int done = _file is null ? 0 : Interop.PreadAll(_file, destination, offset);
            // Appended but never written: a sparse hole, which reads as zeros.
            destination[done..].Clear();
            return;
        }
        while (!destination.IsEmpty)
        {
            Span<byte> source = SegmentSpan(offset, destination.Length, map: false);
            if (source.IsEmpty)
            {
                // A segment never written to has no memory yet: zeros.
                int gap = (int)Math.Min(destination.Length, SegmentSize - offset % SegmentSize);
                destination[..gap].Clear();
                destination = destination[gap..];
                offset += gap;
                continue;
            }
            source.CopyTo(destination);
            destination = destination[source.Length..];
            offset += source.Length;
        }
    }

    /// <summary>
    /// The bytes [offset, offset + length) in place, without a copy, when they lie in one segment
    /// of written memory; valid until <see cref="Dispose"/>. False otherwise (use
    /// <see cref="Read"/>).
    /// </summary>
    public bool TryView(long offset, int length, out ReadOnlySpan<byte> view)
    {
        CheckRange(offset, length);
        view = default;
        if (!InMemory || offset / SegmentSize != (offset + length - 1) / SegmentSize)
        {
            return false;
        }
        view = SegmentSpan(offset, length, map: false);
        return view.Length == length;
    }

    /// <summary>Writes every appended byte to <paramref name="stream"/>.</summary>
    public void WriteTo(Stream stream)
    {
        byte[] window = ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            for (long offset = 0; offset < _length; offset += window.Length)
            {
                int take = (int)Math.Min(window.Length, _length - offset);
                Read(offset, window.AsSpan(0, take));
                stream.Write(window, 0, take);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(window);
        }
    }

    /// <summary>Frees the contents.</summary>
    public void Dispose()
    {
        _file?.Dispose();
        _file = null;
        foreach (nint segment in _segments)
        {
            if (segment != 0)
            {
                Interop.Unmap(segment, SegmentSize);
            }
        }
        _segments.Clear();
        _length = 0;
    }

    // The part of [offset, offset + length) that lies in offset's segment, mapping the segment
    // first when asked to; empty when the segment is not mapped and mapping was not asked for.
    // Without mapping it changes nothing, so the chunker's threads may read side by side.
    private Span<byte> SegmentSpan(long offset, int length, bool map)
    {
        int index = (int)(offset / SegmentSize);
        if (!map && (index >= _segments.Count || _segments[index] == 0))
        {
            return [];
        }
        while (_segments.Count <= index)
        {
            _segments.Add(0);
        }
        if (_segments[index] == 0)
        {
            nint segment = _reserve?.Take() ?? 0;
            _segments[index] = segment != 0 ? segment : Interop.MapHugeAnonymous(SegmentSize);
        }
        int within = (int)(offset % SegmentSize);
        return new Span<byte>((byte*)_segments[index] + within, Math.Min(length, SegmentSize - within));
    }

    private void CheckRange(long offset, int length)
    {
        if (offset < 0 || length < 0 || offset + length > _length)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), $"[{offset}, {offset + length}) is not within the {_length} bytes appended");
        }
    }
}
