using System.Collections.Concurrent;
using SessionKeeper.Engine.Memory;
using Img = SessionKeeper.Images.V1;

namespace SessionKeeper.Store;

/// <summary>
/// Cuts the page contents of a dump into chunks, read piece by piece from the dump's page buffers, and
/// stores the chunks the store does not hold yet in one new pack.
/// </summary>
/// <remarks>
/// Chunk boundaries follow virtual addresses: a run of pages is cut at every multiple of
/// <see cref="PackFormat.MaxChunkLength"/> in the address space, so the same memory saved again
/// (or the same copy-on-write pages in a forked child) gives the same chunks even when runs
/// around it grew or shrank. Hashing and compressing run in parallel over a batch of chunks on
/// every core; the pack is written in order afterwards.
/// </remarks>
public sealed class PageChunker : IPageSink
{
    // 2 MiB of page contents per parallel batch at 16 KiB chunks: enough to keep every core
    // busy, small enough that the buffers below stay warm from one batch to the next.
    private const int BatchSize = 128;

    private static readonly int s_encodedStride = ChunkCodec.MaxEncodedLength(PackFormat.MaxChunkLength);

    // A piece the PageBuffer cannot show in place is read into this, one per hashing thread.
    [ThreadStatic]
    private static byte[]? t_scratch;

    private readonly Task<ChunkIndex> _loading;
    private ChunkIndex? _existing;
    private readonly PackWriter _pack;
    private readonly Dictionary<ChunkHash, int> _chunkIndexes = [];
    private readonly ConcurrentDictionary<int, ChunkHash> _zeroHashes = new();

    // Two sets of per-batch buffers, one hashed into while the other is recorded, reused for
    // every batch of every file: freshly allocated memory is slow to touch (a page fault per
    // page), and a new array per chunk kept the GC busy.
    private readonly Batch?[] _batches = new Batch?[2];

    /// <summary>Hashes, codings and encoded bytes of one batch of chunks.</summary>
    private sealed class Batch
    {
        public ChunkHash[] Hashes { get; } = new ChunkHash[BatchSize];
        public (ChunkCoding Coding, int Length)[] Codings { get; } = new (ChunkCoding, int)[BatchSize];
        public byte[] Encoded { get; } = new byte[BatchSize * s_encodedStride];
    }

    /// <summary>Writes new chunks into <paramref name="pack"/>, skipping those <paramref name="existing"/> holds.</summary>
    public PageChunker(ChunkIndex existing, PackWriter pack)
        : this(Task.FromResult(existing), pack)
    {
    }

    /// <summary>
    /// The same with the store's index still being read (a save starts reading it before it
    /// freezes the tree); the first pages wait for it.
    /// </summary>
    public PageChunker(Task<ChunkIndex> existing, PackWriter pack)
    {
        _loading = existing;
        _pack = pack;
    }

    private ChunkIndex Existing => _existing ??= _loading.GetAwaiter().GetResult();

    /// <summary>The distinct chunks referred to, in first-use order.</summary>
    public List<ChunkUse> Chunks { get; } = [];

    /// <summary>The raw files written, with their chunks in order.</summary>
    public List<(string Name, long Size, List<int> ChunkIndexes)> Files { get; } = [];

    /// <summary>Bytes of page contents taken.</summary>
    public long RawBytes { get; private set; }

    /// <summary>Bytes of new chunks written into the pack (compressed, headers included).</summary>
    public long NewStoredBytes => _pack.Length;

    /// <summary>Chunks written anew.</summary>
    public int NewChunks => _pack.Count;

    /// <summary>Called after each batch with the bytes of page contents taken so far.</summary>
    public Action<long>? Progress { get; init; }

    /// <summary>Checked before each batch: an interruption ends the work with <see cref="OperationCanceledException"/>.</summary>
    public CancellationToken Cancellation { get; init; }

    /// <inheritdoc/>
    public void Write(string fileName, int pid, PageBuffer pages, IReadOnlyList<Img.PagemapEntry> pagemap)
    {
        ChunkIndex existing = Existing;
        List<(long Offset, int Length)> pieces = Cut(pages.Length, pagemap);
        var indexes = new List<int>(pieces.Count);
        _chunkIndexes.EnsureCapacity(_chunkIndexes.Count + pieces.Count);
        Task recording = Task.CompletedTask;
        try
        {
            for (int start = 0, batch = 0; start < pieces.Count; start += BatchSize, batch++)
            {
                Cancellation.ThrowIfCancellationRequested();
                int count = Math.Min(BatchSize, pieces.Count - start);
                Batch set = _batches[batch % 2] ??= new Batch();
                int first = start;
                Parallelism.For(count, i =>
                {
                    (long offset, int length) = pieces[first + i];
                    ReadOnlySpan<byte> raw = View(pages, offset, length);
                    if (!raw.ContainsAnyExcept((byte)0))
                    {
                        set.Hashes[i] = _zeroHashes.GetOrAdd(length, l => ChunkHash.Of(new byte[l]));
                        set.Codings[i] = (ChunkCoding.Zero, 0);
                        return;
                    }
                    set.Hashes[i] = ChunkHash.Of(raw);
                    set.Codings[i] = existing.Contains(set.Hashes[i])
                        ? default
                        : ChunkCodec.Encode(raw, set.Encoded.AsSpan(i * s_encodedStride, s_encodedStride));
                });
                // The previous batch's records go into the pack while this one was hashed; this
                // one's go while the next is hashed (the two batches use the two buffer sets).
                recording.GetAwaiter().GetResult();
                recording = Task.Run(() =>
                {
                    for (int i = 0; i < count; i++)
                    {
                        indexes.Add(Record(set.Hashes[i], pieces[first + i].Length, set.Codings[i], set.Encoded.AsSpan(i * s_encodedStride, set.Codings[i].Length)));
                        RawBytes += pieces[first + i].Length;
                    }
                    Progress?.Invoke(RawBytes);
                });
            }
        }
        catch
        {
            // Never leave a batch being recorded behind: the caller frees the pages next. The
            // hashing's error is the one reported.
            Task.WaitAny(recording);
            throw;
        }
        recording.GetAwaiter().GetResult();
        Files.Add((fileName, pages.Length, indexes));
    }

    /// <inheritdoc/>
    public void Flush() => _pack.Commit();

    private int Record(ChunkHash hash, int rawLength, (ChunkCoding Coding, int Length) coding, ReadOnlySpan<byte> encoded)
    {
        if (_chunkIndexes.TryGetValue(hash, out int index))
        {
            return index;
        }
        int stored;
        if (Existing.TryGet(hash, out ChunkLocation location))
        {
            stored = location.StoredLength;
        }
        else
        {
            stored = coding.Length;
            _pack.Append(hash, coding.Coding, rawLength, encoded);
        }
        index = Chunks.Count;
        Chunks.Add(new ChunkUse(hash, rawLength, stored));
        _chunkIndexes[hash] = index;
        return index;
    }

    /// <summary>
    /// The pieces that cover the buffer [0, <paramref name="length"/>): along each run of the
    /// pagemap, cut at address multiples of the chunk length; anything no run covers in plain
    /// chunk-length pieces.
    /// </summary>
    public static List<(long Offset, int Length)> Cut(long length, IReadOnlyList<Img.PagemapEntry> pagemap)
    {
        var pieces = new List<(long, int)>();
        long covered = 0;
        var runs = pagemap
            .Where(r => r.Content?.LocationCase == Img.ContentRef.LocationOneofCase.PagesOffset && r.NrPages > 0)
            .Select(r => (Offset: (long)r.Content.PagesOffset, Address: r.Vaddr, Length: (long)r.NrPages * PageBuffer.PageSize))
            .OrderBy(r => r.Offset);
        foreach ((long offset, ulong address, long runLength) in runs)
        {
            if (offset < covered || offset + runLength > length)
            {
                continue;
            }
            CutPlain(covered, offset, pieces);
            long done = 0;
            while (done < runLength)
            {
                ulong at = address + (ulong)done;
                int take = (int)Math.Min(runLength - done, PackFormat.MaxChunkLength - (long)(at % PackFormat.MaxChunkLength));
                pieces.Add((offset + done, take));
                done += take;
            }
            covered = offset + runLength;
        }
        CutPlain(covered, length, pieces);
        return pieces;
    }

    private static void CutPlain(long from, long to, List<(long, int)> pieces)
    {
        for (long at = from; at < to; at += PackFormat.MaxChunkLength)
        {
            pieces.Add((at, (int)Math.Min(PackFormat.MaxChunkLength, to - at)));
        }
    }

    /// <summary>
    /// The bytes [offset, offset + length) of <paramref name="pages"/>: in place when the buffer
    /// allows, else read into this thread's scratch buffer (reused, so warm).
    /// </summary>
    private static ReadOnlySpan<byte> View(PageBuffer pages, long offset, int length)
    {
        if (pages.TryView(offset, length, out ReadOnlySpan<byte> view))
        {
            return view;
        }
        Span<byte> scratch = (t_scratch ??= new byte[PackFormat.MaxChunkLength]).AsSpan(0, length);
        pages.Read(offset, scratch);
        return scratch;
    }
}

/// <summary>A chunk a generation refers to.</summary>
/// <param name="Hash">Its address.</param>
/// <param name="RawLength">Bytes uncompressed.</param>
/// <param name="StoredLength">Bytes in its pack.</param>
public readonly record struct ChunkUse(ChunkHash Hash, int RawLength, int StoredLength);

