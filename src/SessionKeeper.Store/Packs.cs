using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;
using SessionKeeper.Native;

namespace SessionKeeper.Store;

/// <summary>
/// The on-disk layout of chunk packs. A pack (<c>packs/ID.pack</c>) is written once by one save
/// or import and never changed: a 16-byte header ("KEEPPACK", version, reserved), then one
/// record per chunk — a 48-byte record header (magic "KCHK", coding, 3 reserved bytes, raw
/// length, stored length, SHA-256 of the raw contents) and the stored bytes. Its index
/// (<c>packs/ID.idx</c>) lists the records and ends with the SHA-256 of everything before; it
/// is written only once the pack is fsynced, so a pack without an index is an unfinished
/// write that nothing refers to. All integers little-endian.
/// </summary>
public static class PackFormat
{
    /// <summary>Length of the pack file header.</summary>
    public const int PackHeaderLength = 16;

    /// <summary>Length of a record header.</summary>
    public const int RecordHeaderLength = 48;

    /// <summary>Length of one index entry.</summary>
    public const int IndexEntryLength = 56;

    /// <summary>Length of the index header.</summary>
    public const int IndexHeaderLength = 16;

    /// <summary>
    /// Most bytes one chunk holds uncompressed: 4 pages. Programs left alone still change a few
    /// bytes in scattered pages between two saves (a screen session: ~30 of ~300 pages), and a
    /// whole chunk is stored again for each; measured on such a session, the second save wrote
    /// 28 % of the first's bytes with 64 KiB chunks and 20 % with 16 KiB ones, while 4 KiB
    /// chunks compressed worse and gained nothing more.
    /// </summary>
    public const int MaxChunkLength = 16 << 10;

    /// <summary>"KEEPPACK".</summary>
    public static ReadOnlySpan<byte> PackMagic => "KEEPPACK"u8;

    /// <summary>"KEEPPIDX".</summary>
    public static ReadOnlySpan<byte> IndexMagic => "KEEPPIDX"u8;

    /// <summary>"KCHK".</summary>
    public static ReadOnlySpan<byte> RecordMagic => "KCHK"u8;

    /// <summary>Version of packs and indexes.</summary>
    public const int Version = 1;

    /// <summary>Fills a record header.</summary>
    public static void WriteRecordHeader(Span<byte> header, ChunkHash hash, ChunkCoding coding, int rawLength, int storedLength)
    {
        RecordMagic.CopyTo(header);
        header[4] = (byte)coding;
        header[5] = header[6] = header[7] = 0;
        BinaryPrimitives.WriteInt32LittleEndian(header[8..], rawLength);
        BinaryPrimitives.WriteInt32LittleEndian(header[12..], storedLength);
        hash.Write(header.Slice(16, ChunkHash.Length));
    }

    /// <summary>Parses a record header; null when it is not one.</summary>
    public static (ChunkHash Hash, ChunkCoding Coding, int RawLength, int StoredLength)? ReadRecordHeader(ReadOnlySpan<byte> header)
    {
        if (header.Length < RecordHeaderLength || !header[..4].SequenceEqual(RecordMagic))
        {
            return null;
        }
        int raw = BinaryPrimitives.ReadInt32LittleEndian(header[8..]);
        int stored = BinaryPrimitives.ReadInt32LittleEndian(header[12..]);
        if (header[4] > (byte)ChunkCoding.Zero || raw <= 0 || raw > MaxChunkLength || stored < 0 || stored > ChunkCodec.MaxEncodedLength(MaxChunkLength))
        {
            return null;
        }
        return (ChunkHash.Read(header.Slice(16, ChunkHash.Length)), (ChunkCoding)header[4], raw, stored);
    }
}

/// <summary>Where a chunk lies: its pack and the offset of its record header there.</summary>
public readonly record struct ChunkLocation(string Pack, long Offset, ChunkCoding Coding, int RawLength, int StoredLength);

/// <summary>
/// Writes one new pack. Chunks are appended in order; <see cref="Commit"/> fsyncs the pack and
/// then publishes its index. A writer that is disposed without a commit deletes its pack.
/// </summary>
public sealed class PackWriter : IDisposable
{
    // Records gather here and go to the file a buffer at a time. Below the large-object size,
    // so taking it costs the GC nothing.
    private const int BufferLength = 64 << 10;

    private readonly string _directory;
    private readonly List<(ChunkHash Hash, long Offset, ChunkCoding Coding, int Raw, int Stored)> _entries = [];
    private SafeFd? _file;
    // Writeback is started every this many bytes, so the disk works while later chunks are
    // still hashed and written, instead of all at once in the final fsync.
    private const long WritebackStep = 8 << 20;

    private byte[] _buffer = [];
    private int _buffered;
    private long _writebackAt = WritebackStep;
    private bool _committed;

    /// <summary>Prepares a pack in <paramref name="packsDirectory"/>; nothing is created until the first chunk.</summary>
    public PackWriter(string packsDirectory)
    {
        _directory = packsDirectory;
        // 60 random bits of a version-4 GUID: unique enough, and unlike RandomNumberGenerator
        // it does not load OpenSSL into the save.
        Id = $"{DateTime.UtcNow:yyyyMMddHHmmss}-{Guid.NewGuid():N}"[..31];
    }

    /// <summary>The pack's id (its file name without extension).</summary>
    public string Id { get; }

    /// <summary>Path of the pack file.</summary>
    public string PackPath => Path.Combine(_directory, Id + ".pack");

    /// <summary>Chunks appended.</summary>
    public int Count => _entries.Count;

    /// <summary>Bytes appended, headers included.</summary>
    public long Length { get; private set; }

    /// <summary>Appends one chunk and returns the offset of its record.</summary>
    public long Append(ChunkHash hash, ChunkCoding coding, int rawLength, ReadOnlySpan<byte> stored)
    {
        ObjectDisposedException.ThrowIf(_committed, this);
        if (_file is null)
        {
            _file = Interop.Open(PackPath, OpenFlags.O_WRONLY | OpenFlags.O_CREAT | OpenFlags.O_EXCL, 0b110_000_000);
            _buffer = new byte[BufferLength];
            Span<byte> header = stackalloc byte[PackFormat.PackHeaderLength];
            header.Clear();
            PackFormat.PackMagic.CopyTo(header);
            BinaryPrimitives.WriteInt32LittleEndian(header[8..], PackFormat.Version);
            Put(header);
        }
        long offset = Length;
        Span<byte> record = stackalloc byte[PackFormat.RecordHeaderLength];
        PackFormat.WriteRecordHeader(record, hash, coding, rawLength, stored.Length);
        Put(record);
        Put(stored);
        _entries.Add((hash, offset, coding, rawLength, stored.Length));
        return offset;
    }

    private void Put(ReadOnlySpan<byte> bytes)
    {
        if (_buffered + bytes.Length > _buffer.Length)
        {
            FlushBuffer();
        }
        if (bytes.Length > _buffer.Length)
        {
            Interop.WriteAll(_file!, bytes);
        }
        else
        {
            bytes.CopyTo(_buffer.AsSpan(_buffered));
            _buffered += bytes.Length;
        }
        Length += bytes.Length;
    }

    private void FlushBuffer()
    {
        Interop.WriteAll(_file!, _buffer.AsSpan(0, _buffered));
        _buffered = 0;
        if (Length >= _writebackAt)
        {
            Interop.StartWriteback(_file!);
            _writebackAt = Length + WritebackStep;
        }
    }

    /// <summary>Makes the pack durable and publishes its index; a pack with no chunk is not created.</summary>
    public void Commit()
    {
        if (_committed)
        {
            return;
        }
        if (_file is null)
        {
            _committed = true;
            return;
        }
        FlushBuffer();
        Interop.Fsync(_file);
        _file.Dispose();
        byte[] index = new byte[PackFormat.IndexHeaderLength + (_entries.Count * PackFormat.IndexEntryLength) + 32];
        PackFormat.IndexMagic.CopyTo(index);
        BinaryPrimitives.WriteInt32LittleEndian(index.AsSpan(8), PackFormat.Version);
        BinaryPrimitives.WriteInt32LittleEndian(index.AsSpan(12), _entries.Count);
        int at = PackFormat.IndexHeaderLength;
        foreach ((ChunkHash hash, long offset, ChunkCoding coding, int raw, int stored) in _entries)
        {
            Span<byte> entry = index.AsSpan(at, PackFormat.IndexEntryLength);
            hash.Write(entry);
            BinaryPrimitives.WriteInt64LittleEndian(entry[32..], offset);
            BinaryPrimitives.WriteInt32LittleEndian(entry[40..], raw);
            BinaryPrimitives.WriteInt32LittleEndian(entry[44..], stored);
            entry[48] = (byte)coding;
            at += PackFormat.IndexEntryLength;
        }
        Sha256.HashData(index.AsSpan(0, at), index.AsSpan(at, 32));
        string temporary = Path.Combine(_directory, Id + ".idx.tmp");
        StoreFiles.WriteDurable(temporary, index);
        File.Move(temporary, Path.Combine(_directory, Id + ".idx"));
        StoreFiles.SyncDirectory(_directory);
        _committed = true;
    }

    /// <summary>Closes the pack; without a commit, deletes it.</summary>
    public void Dispose()
    {
        _file?.Dispose();
        if (!_committed && _file is not null)
        {
            File.Delete(PackPath);
        }
        _committed = true;
    }
}

/// <summary>Every chunk the store holds, by hash, from the pack indexes.</summary>
public sealed class ChunkIndex
{
    private readonly Dictionary<ChunkHash, ChunkLocation> _chunks = [];

    private ChunkIndex(string packsDirectory) => PacksDirectory = packsDirectory;

    /// <summary>The packs directory.</summary>
    public string PacksDirectory { get; }

    /// <summary>Index files that could not be read, with the reason; their chunks are not in this index.</summary>
    public List<string> Damaged { get; } = [];

    /// <summary>Pack ids with a published index.</summary>
    public List<string> Packs { get; } = [];

    /// <summary>Number of chunks known.</summary>
    public int Count => _chunks.Count;

    /// <summary>Looks a chunk up.</summary>
    public bool TryGet(ChunkHash hash, out ChunkLocation location) => _chunks.TryGetValue(hash, out location);

    /// <summary>Whether the store holds <paramref name="hash"/>.</summary>
    public bool Contains(ChunkHash hash) => _chunks.ContainsKey(hash);

    /// <summary>Reads the entries of one index file; throws <see cref="StoreException"/> naming it when it is damaged.</summary>
    public static List<(ChunkHash Hash, ChunkLocation Location)> ReadIndex(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        var entries = new List<(ChunkHash, ChunkLocation)>(bytes.Length / PackFormat.IndexEntryLength);
        Parse(path, bytes, (hash, location) => entries.Add((hash, location)));
        return entries;
    }

    /// <summary>Checks the index file <paramref name="path"/> whose contents are <paramref name="bytes"/> and hands each entry to <paramref name="entry"/>.</summary>
    private static void Parse(string path, ReadOnlySpan<byte> bytes, Action<ChunkHash, ChunkLocation> entry)
    {
        string pack = Path.GetFileNameWithoutExtension(path);
        if (bytes.Length < PackFormat.IndexHeaderLength + 32 || !bytes[..8].SequenceEqual(PackFormat.IndexMagic))
        {
            throw new StoreException($"{path}: not a pack index (bad magic or too short)");
        }
        int count = BinaryPrimitives.ReadInt32LittleEndian(bytes[12..]);
        int end = PackFormat.IndexHeaderLength + (count * PackFormat.IndexEntryLength);
        if (count < 0 || end + 32 != bytes.Length)
        {
            throw new StoreException($"{path}: pack index of {bytes.Length} bytes does not hold {count} entries (truncated?)");
        }
        Span<byte> digest = stackalloc byte[32];
        Sha256.HashData(bytes[..end], digest);
        if (!digest.SequenceEqual(bytes.Slice(end, 32)))
        {
            throw new StoreException($"{path}: pack index checksum mismatch (the file is damaged)");
        }
        for (int at = PackFormat.IndexHeaderLength; at < end; at += PackFormat.IndexEntryLength)
        {
            ReadOnlySpan<byte> item = bytes.Slice(at, PackFormat.IndexEntryLength);
            entry(ChunkHash.Read(item[..32]), new ChunkLocation(pack,
                BinaryPrimitives.ReadInt64LittleEndian(item[32..]), (ChunkCoding)item[48],
                BinaryPrimitives.ReadInt32LittleEndian(item[40..]), BinaryPrimitives.ReadInt32LittleEndian(item[44..])));
        }
    }

    /// <summary>Loads every published index of <paramref name="packsDirectory"/>; damaged ones are listed in <see cref="Damaged"/>.</summary>
    /// <remarks>
    /// Every save and restore starts here, so it allocates little: the table is sized once from
    /// the index files' lengths, and the files are read through one pooled buffer (fresh memory
    /// costs a page fault per page on a virtual machine).
    /// </remarks>
    public static ChunkIndex Load(string packsDirectory) => Load(packsDirectory, only: null);

    /// <summary>
    /// <see cref="Load(string)"/>, keeping only the chunks in <paramref name="only"/> (all when
    /// null): a restore needs the chunks of one generation, not the whole store's.
    /// </summary>
    public static ChunkIndex Load(string packsDirectory, IReadOnlySet<ChunkHash>? only)
    {
        var index = new ChunkIndex(packsDirectory);
        if (!Directory.Exists(packsDirectory))
        {
            return index;
        }
        FileInfo[] files = new DirectoryInfo(packsDirectory).GetFiles("*.idx");
        Array.Sort(files, (a, b) => string.CompareOrdinal(a.Name, b.Name));
        long entries = files.Sum(f => Math.Max(0, f.Length - PackFormat.IndexHeaderLength - 32) / PackFormat.IndexEntryLength);
        index._chunks.EnsureCapacity(only?.Count ?? (int)Math.Min(entries, 1 << 28));
        byte[] buffer = [];
        try
        {
            foreach (FileInfo file in files)
            {
                try
                {
                    int length = StoreFiles.ReadWhole(file.FullName, ref buffer);
                    Parse(file.FullName, buffer.AsSpan(0, length), (hash, location) =>
                    {
                        if (only is null || only.Contains(hash))
                        {
                            index._chunks.TryAdd(hash, location);
                        }
                    });
                    index.Packs.Add(Path.GetFileNameWithoutExtension(file.Name));
                }
                catch (StoreException e)
                {
                    index.Damaged.Add(e.Message);
                }
            }
        }
        finally
        {
            StoreFiles.ReturnPooled(buffer);
        }
        return index;
    }
}

/// <summary>
/// Reads chunks back from their packs and checks each one: record header, decoded length and
/// SHA-256 of the contents. Thread-safe: reads are positioned (pread).
/// </summary>
public sealed class ChunkReader : IDisposable
{
    private readonly ChunkIndex _index;
    private readonly Dictionary<string, SafeFileHandle> _open = [];

    /// <summary>Reads from the packs <paramref name="index"/> knows.</summary>
    public ChunkReader(ChunkIndex index) => _index = index;

    /// <summary>Path of a pack file.</summary>
    public string PackPath(string pack) => Path.Combine(_index.PacksDirectory, pack + ".pack");

    /// <summary>
    /// Reads the chunk <paramref name="hash"/> into <paramref name="destination"/> (exactly its
    /// raw length). <paramref name="scratch"/> holds the stored bytes meanwhile. Throws
    /// <see cref="StoreException"/> naming the pack file when the chunk is missing or damaged.
    /// Without <paramref name="checkHash"/> the contents are not hashed again (for a chunk
    /// checked moments before); the record header and the decoded length still are.
    /// </summary>
    public void Read(ChunkHash hash, Span<byte> destination, byte[] scratch, bool checkHash = true)
        => ReadRun([hash], [destination.Length], destination, scratch, checkHash);

    /// <summary>
    /// Reads the chunks <paramref name="hashes"/> (raw lengths <paramref name="rawLengths"/>)
    /// back to back into <paramref name="destination"/>, checking each as <see cref="Read"/>
    /// does. Chunks whose records lie one after the other in a pack — as a save writes them —
    /// come in with one pread per <paramref name="window"/> (at least <see cref="ScratchLength"/>
    /// long) instead of one each.
    /// </summary>
    public void ReadRun(ReadOnlySpan<ChunkHash> hashes, ReadOnlySpan<int> rawLengths, Span<byte> destination, byte[] window, bool checkHash = true)
        => Run(hashes, rawLengths, destination, window, checkHash, overlay: false);

    /// <summary>
    /// Checks the chunks <paramref name="hashes"/> as <see cref="ReadRun"/> does, decoding each
    /// into the same <paramref name="chunk"/> buffer (at least <see cref="PackFormat.MaxChunkLength"/>
    /// long): a verify touches no more memory than one chunk and one window per thread.
    /// </summary>
    public void CheckRun(ReadOnlySpan<ChunkHash> hashes, ReadOnlySpan<int> rawLengths, Span<byte> chunk, byte[] window)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chunk.Length, PackFormat.MaxChunkLength, nameof(chunk));
        Run(hashes, rawLengths, chunk, window, checkHash: true, overlay: true);
    }

    private void Run(ReadOnlySpan<ChunkHash> hashes, ReadOnlySpan<int> rawLengths, Span<byte> destination, byte[] window, bool checkHash, bool overlay)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(window.Length, ScratchLength, nameof(window));
        var locations = new ChunkLocation[hashes.Length];
        for (int i = 0; i < hashes.Length; i++)
        {
            locations[i] = Locate(hashes[i], rawLengths[i]);
        }
        int at = 0;
        for (int i = 0; i < hashes.Length;)
        {
            // As many following records as lie right behind this one and fit the window.
            ChunkLocation first = locations[i];
            long end = first.Offset + PackFormat.RecordHeaderLength + first.StoredLength;
            int count = 1;
            while (i + count < hashes.Length && locations[i + count] is var next
                && next.Pack == first.Pack && next.Offset == end
                && end + PackFormat.RecordHeaderLength + next.StoredLength - first.Offset <= window.Length)
            {
                end += PackFormat.RecordHeaderLength + next.StoredLength;
                count++;
            }
            string path = PackPath(first.Pack);
            Span<byte> records = window.AsSpan(0, (int)(end - first.Offset));
            ReadExactly(first.Pack, path, records, first.Offset, hashes[i]);
            for (int k = i; k < i + count; k++)
            {
                ChunkLocation location = locations[k];
                int total = PackFormat.RecordHeaderLength + location.StoredLength;
                Decode(hashes[k], location, path, records.Slice((int)(location.Offset - first.Offset), total), destination.Slice(at, rawLengths[k]), checkHash);
                at += overlay ? 0 : rawLengths[k];
            }
            i += count;
        }
    }

    private ChunkLocation Locate(ChunkHash hash, int rawLength)
    {
        if (!_index.TryGet(hash, out ChunkLocation location))
        {
            throw new StoreException($"chunk {hash} is missing from the store ({_index.PacksDirectory})");
        }
        if (location.RawLength != rawLength)
        {
            throw new StoreException($"{PackPath(location.Pack)}: chunk {hash} holds {location.RawLength} bytes, the snapshot expects {rawLength}");
        }
        return location;
    }

    private void ReadExactly(string pack, string path, Span<byte> buffer, long offset, ChunkHash hash)
    {
        if (StoreFiles.ReadAt(Handle(pack, path), buffer, offset) < buffer.Length)
        {
            throw new StoreException($"{path}: chunk {hash} at offset {offset} runs past the end of the file (truncated pack)");
        }
    }

    private static void Decode(ChunkHash hash, ChunkLocation location, string path, ReadOnlySpan<byte> record, Span<byte> destination, bool checkHash)
    {
        var header = PackFormat.ReadRecordHeader(record);
        if (header is not { } h || h.Hash != hash || h.StoredLength != location.StoredLength || h.RawLength != location.RawLength)
        {
            throw new StoreException($"{path}: the record of chunk {hash} at offset {location.Offset} is damaged");
        }
        if (!ChunkCodec.TryDecode(h.Coding, record[PackFormat.RecordHeaderLength..], destination) || (checkHash && ChunkHash.Of(destination) != hash))
        {
            throw new StoreException($"{path}: chunk {hash} at offset {location.Offset} fails its checksum (the pack is damaged)");
        }
    }

    /// <summary>Room the scratch buffer of <see cref="Read"/> needs for any chunk.</summary>
    public static int ScratchLength => PackFormat.RecordHeaderLength + ChunkCodec.MaxEncodedLength(PackFormat.MaxChunkLength);

    /// <summary>Reads a chunk's record (header and stored bytes) as it lies in its pack, unchecked.</summary>
    public ReadOnlySpan<byte> ReadRecord(ChunkLocation location, byte[] scratch)
    {
        string path = PackPath(location.Pack);
        int total = PackFormat.RecordHeaderLength + location.StoredLength;
        int got = RandomAccess.Read(Handle(location.Pack, path), scratch.AsSpan(0, total), location.Offset);
        if (got != total)
        {
            throw new StoreException($"{path}: record at offset {location.Offset} runs past the end of the file (truncated pack)");
        }
        return scratch.AsSpan(0, total);
    }

    private SafeFileHandle Handle(string pack, string path)
    {
        lock (_open)
        {
            if (!_open.TryGetValue(pack, out SafeFileHandle? handle))
            {
                try
                {
                    handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
                }
                catch (FileNotFoundException e)
                {
                    throw new StoreException($"{path}: pack file missing (its index is still there)", e);
                }
                _open[pack] = handle;
            }
            return handle;
        }
    }

    /// <summary>Closes the packs.</summary>
    public void Dispose()
    {
        lock (_open)
        {
            foreach (SafeFileHandle handle in _open.Values)
            {
                handle.Dispose();
            }
            _open.Clear();
        }
    }
}
