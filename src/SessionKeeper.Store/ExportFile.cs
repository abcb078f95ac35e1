using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using SessionKeeper.Native;
using SessionKeeper.Store.V1;

namespace SessionKeeper.Store;

/// <summary>
/// One snapshot generation as a single self-contained stream (<c>keeper export</c> /
/// <c>keeper import</c>). Layout, all little-endian: a 16-byte header ("KEEPEXPT", version,
/// reserved), then sections — a type byte, a u64 length and the payload: 1 the manifest file,
/// 2 an image file (u16 name length, name in UTF-8, contents), 3 a chunk (its pack record:
/// 48-byte record header and stored bytes); last, type 255 with the SHA-256 of every byte
/// before that section. Import checks each file and chunk against the manifest as it reads and
/// the final checksum before anything becomes visible, so a truncated or damaged export is
/// refused whole.
/// </summary>
public static class ExportFile
{
    private const int Version = 1;
    private const byte ManifestSection = 1;
    private const byte FileSection = 2;
    private const byte ChunkSection = 3;
    private const byte EndSection = 255;
    private static ReadOnlySpan<byte> Magic => "KEEPEXPT"u8;

    /// <summary>Writes <paramref name="generation"/> to <paramref name="output"/>, checking every file and chunk on the way.</summary>
    public static long Export(SnapshotStore store, Generation generation, Stream output)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long written = 0;
        void Put(ReadOnlySpan<byte> bytes)
        {
            output.Write(bytes);
            hash.AppendData(bytes);
            written += bytes.Length;
        }
        void Section(byte type, long length)
        {
            Span<byte> head = stackalloc byte[9];
            head[0] = type;
            BinaryPrimitives.WriteInt64LittleEndian(head[1..], length);
            Put(head);
        }

        Span<byte> header = stackalloc byte[16];
        header.Clear();
        Magic.CopyTo(header);
        BinaryPrimitives.WriteInt32LittleEndian(header[8..], Version);
        Put(header);

        // Everything goes through the same checks as a restore first.
        SnapshotReader.Read(store, generation, output: null);
        byte[] manifest = File.ReadAllBytes(Path.Combine(generation.Directory, ManifestFile.FileName));
        Section(ManifestSection, manifest.Length);
        Put(manifest);
        Span<byte> nameLength = stackalloc byte[2];
        foreach (StoredFile file in generation.Manifest.Files.Where(f => !f.Chunked))
        {
            byte[] name = Encoding.UTF8.GetBytes(file.Name);
            byte[] contents = File.ReadAllBytes(Path.Combine(generation.Directory, file.Name));
            Section(FileSection, 2 + name.Length + contents.Length);
            BinaryPrimitives.WriteUInt16LittleEndian(nameLength, (ushort)name.Length);
            Put(nameLength);
            Put(name);
            Put(contents);
        }
        ChunkIndex index = ChunkIndex.Load(store.PacksDirectory);
        using var reader = new ChunkReader(index);
        byte[] scratch = new byte[ChunkReader.ScratchLength];
        foreach (ChunkEntry chunk in generation.Manifest.Chunks)
        {
            index.TryGet(ChunkHash.Read(chunk.Hash.Span), out ChunkLocation location);
            ReadOnlySpan<byte> record = reader.ReadRecord(location, scratch);
            Section(ChunkSection, record.Length);
            Put(record);
        }
        Section(EndSection, 32);
        byte[] digest = hash.GetHashAndReset();
        output.Write(digest);
        output.Flush();
        return written + 32;
    }

    /// <summary>
    /// Reads an export from <paramref name="input"/> (<paramref name="source"/> names it in
    /// errors) and commits it as a new numbered generation of <paramref name="name"/> (default:
    /// the name it was exported under).
    /// </summary>
    public static Generation Import(SnapshotStore store, Stream input, string source, string? name, Action<string>? detail)
    {
        var reader = new SectionReader(input, source);
        Span<byte> header = stackalloc byte[16];
        reader.Read(header);
        if (!header[..8].SequenceEqual(Magic))
        {
            throw new StoreException($"{source}: not a keeper export (bad magic)");
        }
        if (BinaryPrimitives.ReadInt32LittleEndian(header[8..]) != Version)
        {
            throw new StoreException($"{source}: export version {BinaryPrimitives.ReadInt32LittleEndian(header[8..])} is not known to this keeper; use a newer keeper");
        }
        (byte type, long length) = reader.Section();
        if (type != ManifestSection || length > 64 << 20)
        {
            throw new StoreException($"{source}: the export does not start with a manifest");
        }
        byte[] manifestBytes = new byte[length];
        reader.Read(manifestBytes);
        Manifest manifest = ManifestFile.Decode(manifestBytes, $"{source} (manifest)");
        string target = name ?? manifest.Name;
        SnapshotStore.CheckName(target);

        using StoreLock storeLock = store.LockStore(exclusive: false, detail);
        using StoreLock nameLock = store.LockName(target, detail);
        string staging = store.CreateStaging("import");
        try
        {
            var files = manifest.Files.Where(f => !f.Chunked).ToDictionary(f => f.Name);
            var wanted = manifest.Chunks.Select(c => ChunkHash.Read(c.Hash.Span)).ToHashSet();
            var seen = new HashSet<ChunkHash>();
            var got = new HashSet<string>();
            ChunkIndex index = ChunkIndex.Load(store.PacksDirectory);
            using var pack = new PackWriter(store.PacksDirectory);
            byte[] raw = new byte[PackFormat.MaxChunkLength];
            while (true)
            {
                (type, length) = reader.Section();
                if (type == EndSection)
                {
                    break;
                }
                if (type == FileSection && length is >= 2 and < int.MaxValue)
                {
                    byte[] payload = new byte[length];
                    reader.Read(payload);
                    int nameLength = BinaryPrimitives.ReadUInt16LittleEndian(payload);
                    string fileName = nameLength + 2 <= payload.Length ? Encoding.UTF8.GetString(payload, 2, nameLength) : "";
                    ReadOnlySpan<byte> contents = payload.AsSpan(2 + Math.Min(nameLength, payload.Length - 2));
                    if (!files.TryGetValue(fileName, out StoredFile? file) || fileName.Contains('/') || !got.Add(fileName))
                    {
                        throw new StoreException($"{source}: holds a file '{fileName}' its manifest does not list");
                    }
                    if ((ulong)contents.Length != file.Size || !Sha256.HashData(contents).AsSpan().SequenceEqual(file.Sha256.Span))
                    {
                        throw new StoreException($"{source}: {fileName} fails its checksum (the export is damaged)");
                    }
                    StoreFiles.WriteDurable(Path.Combine(staging, fileName), contents);
                }
                else if (type == ChunkSection && length >= PackFormat.RecordHeaderLength && length <= ChunkReader.ScratchLength)
                {
                    byte[] record = new byte[length];
                    reader.Read(record);
                    var h = PackFormat.ReadRecordHeader(record);
                    if (h is not { } r || r.StoredLength != length - PackFormat.RecordHeaderLength || !wanted.Contains(r.Hash))
                    {
                        throw new StoreException($"{source}: a chunk record at byte {reader.Offset - length} is damaged or not listed in its manifest");
                    }
                    ReadOnlySpan<byte> stored = record.AsSpan(PackFormat.RecordHeaderLength);
                    Span<byte> contents = raw.AsSpan(0, r.RawLength);
                    if (!ChunkCodec.TryDecode(r.Coding, stored, contents) || ChunkHash.Of(contents) != r.Hash)
                    {
                        throw new StoreException($"{source}: chunk {r.Hash} fails its checksum (the export is damaged)");
                    }
                    if (seen.Add(r.Hash) && !index.Contains(r.Hash))
                    {
                        pack.Append(r.Hash, r.Coding, r.RawLength, stored);
                    }
                }
                else
                {
                    throw new StoreException($"{source}: unknown or oversized section (type {type}, {length} bytes) at byte {reader.Offset - 9}: the export is damaged");
                }
            }
            reader.CheckEnd();
            if (got.Count != files.Count || seen.Count != wanted.Count)
            {
                throw new StoreException($"{source}: the export lacks {files.Count - got.Count} file(s) and {wanted.Count - seen.Count} chunk(s) its manifest lists");
            }
            pack.Commit();
            string generation = store.NextNumber(target).ToString(System.Globalization.CultureInfo.InvariantCulture);
            string from = $"{manifest.Name}@{manifest.Generation}";
            manifest.Name = target;
            manifest.Generation = generation;
            manifest.ImportedFrom = from;
            manifest.NewStoredBytes = (ulong)pack.Length;
            ManifestFile.Write(staging, manifest);
            store.Commit(staging, target, generation);
            return Generation.Load(store, target, generation);
        }
        finally
        {
            StoreFiles.DeleteTree(staging);
        }
    }

    /// <summary>Reads an export stream, hashing what it reads and naming the byte offset of a truncation.</summary>
    private sealed class SectionReader(Stream input, string source)
    {
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        public long Offset { get; private set; }

        public void Read(Span<byte> destination)
        {
            int got = 0;
            while (got < destination.Length)
            {
                int n = input.Read(destination[got..]);
                if (n == 0)
                {
                    throw new StoreException($"{source}: truncated at byte {Offset + got}: the export is incomplete (export it again)");
                }
                got += n;
            }
            _hash.AppendData(destination);
            Offset += got;
        }

        public (byte Type, long Length) Section()
        {
            Span<byte> head = stackalloc byte[9];
            Read(head);
            long length = BinaryPrimitives.ReadInt64LittleEndian(head[1..]);
            return (head[0], length < 0 ? long.MaxValue : length);
        }

        /// <summary>Reads the final digest (not hashed itself) and compares.</summary>
        public void CheckEnd()
        {
            byte[] expected = _hash.GetHashAndReset();
            Span<byte> digest = stackalloc byte[32];
            int got = 0;
            while (got < 32)
            {
                int n = input.Read(digest[got..]);
                if (n == 0)
                {
                    throw new StoreException($"{source}: truncated at byte {Offset + got}: the export is incomplete (export it again)");
                }
                got += n;
            }
            if (!digest.SequenceEqual(expected))
            {
                throw new StoreException($"{source}: checksum mismatch at the end of the export (the file is damaged)");
            }
        }
    }
}
