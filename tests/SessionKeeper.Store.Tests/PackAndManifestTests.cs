using SessionKeeper.Store.V1;

namespace SessionKeeper.Store.Tests;

/// <summary>Packs, their indexes and manifests on disk: written, read back, and damage detected.</summary>
[TestFixture]
public sealed class PackAndManifestTests
{
    private string _directory = null!;

    [SetUp]
    public void SetUp() => _directory = Directory.CreateTempSubdirectory("keeper-store-unit-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_directory, recursive: true);

    [Test]
    public void PackWriter_Commit_PublishesAnIndexTheReaderUses()
    {
        byte[] raw = Enumerable.Range(0, 8192).Select(i => (byte)(i / 64)).ToArray();
        ChunkHash hash = Write(raw);

        ChunkIndex index = ChunkIndex.Load(_directory);
        using var reader = new ChunkReader(index);
        byte[] back = new byte[raw.Length];
        reader.Read(hash, back, new byte[ChunkReader.ScratchLength]);

        Assert.That(index.Count, Is.EqualTo(1));
        Assert.That(back, Is.EqualTo(raw));
    }

    [Test]
    public void PackWriter_DisposedWithoutCommit_LeavesNothing()
    {
        using (var writer = new PackWriter(_directory))
        {
            writer.Append(ChunkHash.Of([1]), ChunkCoding.Stored, 1, [1]);
        }

        Assert.That(Directory.GetFiles(_directory), Is.Empty);
    }

    [Test]
    public void Read_FlippedByteInThePack_FailsNamingThePackFile()
    {
        byte[] raw = Enumerable.Range(0, 8192).Select(i => (byte)(i * 7)).ToArray();
        ChunkHash hash = Write(raw);
        string pack = Directory.GetFiles(_directory, "*.pack").Single();
        byte[] bytes = File.ReadAllBytes(pack);
        bytes[^10] ^= 1;
        File.WriteAllBytes(pack, bytes);

        using var reader = new ChunkReader(ChunkIndex.Load(_directory));

        Assert.That(() => reader.Read(hash, new byte[raw.Length], new byte[ChunkReader.ScratchLength]),
            Throws.TypeOf<StoreException>().With.Message.Contain(pack).And.Message.Contain("checksum"));
    }

    [Test]
    public void CheckRun_ChecksEveryChunkOfARunThroughOneChunkBuffer_AndNamesTheDamagedOne()
    {
        byte[][] raws = [.. Enumerable.Range(1, 5).Select(n => Enumerable.Range(0, 16384).Select(i => (byte)((i * n) + (i / 100))).ToArray())];
        ChunkHash[] hashes = WriteAll(raws);
        int[] lengths = [.. raws.Select(r => r.Length)];
        byte[] window = new byte[ReadWindowsLength];
        using (var intact = new ChunkReader(ChunkIndex.Load(_directory)))
        {
            Assert.That(() => intact.CheckRun(hashes, lengths, new byte[PackFormat.MaxChunkLength], window), Throws.Nothing);
        }

        // The last byte of the third record: only its hash check can notice.
        ChunkIndex index = ChunkIndex.Load(_directory);
        Assert.That(index.TryGet(hashes[2], out ChunkLocation third), Is.True);
        string pack = Directory.GetFiles(_directory, "*.pack").Single();
        byte[] bytes = File.ReadAllBytes(pack);
        bytes[third.Offset + PackFormat.RecordHeaderLength + third.StoredLength - 1] ^= 0x40;
        File.WriteAllBytes(pack, bytes);
        using var reader = new ChunkReader(index);

        Assert.That(() => reader.CheckRun(hashes, lengths, new byte[PackFormat.MaxChunkLength], window),
            Throws.TypeOf<StoreException>().With.Message.Contain(pack).And.Message.Contain(hashes[2].ToString()));
    }

    [Test]
    public void Load_OnlySomeChunks_KeepsJustThose()
    {
        ChunkHash[] hashes = WriteAll([.. Enumerable.Range(1, 4).Select(n => Enumerable.Repeat((byte)n, 100).ToArray())]);

        ChunkIndex index = ChunkIndex.Load(_directory, new HashSet<ChunkHash> { hashes[1], hashes[3] });

        Assert.That(index.Count, Is.EqualTo(2));
        Assert.That(hashes.Select(index.Contains), Is.EqualTo(new[] { false, true, false, true }));
    }

    [Test]
    public void Load_DamagedIndex_IsListedAndItsChunksAreUnknown()
    {
        Write([1, 2, 3]);
        string index = Directory.GetFiles(_directory, "*.idx").Single();
        byte[] bytes = File.ReadAllBytes(index);
        bytes[20] ^= 1;
        File.WriteAllBytes(index, bytes);

        ChunkIndex loaded = ChunkIndex.Load(_directory);

        Assert.That(loaded.Count, Is.Zero);
        Assert.That(loaded.Damaged.Single(), Does.Contain(index).And.Contain("checksum"));
    }

    [Test]
    public void Manifest_RoundTrips_AndAFlippedByteIsRefusedNamingTheFile()
    {
        var manifest = new Manifest { Name = "n", Generation = "1", MemoryBytes = 42 };
        ManifestFile.Write(_directory, manifest);
        string path = Path.Combine(_directory, ManifestFile.FileName);

        Assert.That(ManifestFile.Read(_directory), Is.EqualTo(manifest));

        byte[] bytes = File.ReadAllBytes(path);
        bytes[^1] ^= 1;
        File.WriteAllBytes(path, bytes);
        Assert.That(() => ManifestFile.Read(_directory), Throws.TypeOf<StoreException>().With.Message.Contain(path).And.Message.Contain("checksum"));
    }

    [TestCase("work", "work", null)]
    [TestCase("work@3", "work", "3")]
    [TestCase(":5@auto", ":5", "auto")]
    public void ParseSpec_GoodSpecs(string spec, string name, string? generation) =>
        Assert.That(SnapshotStore.ParseSpec(spec), Is.EqualTo((name, generation)));

    [TestCase("")]
    [TestCase("a/b")]
    [TestCase("..")]
    [TestCase("-x")]
    [TestCase("x@0")]
    [TestCase("x@01")]
    [TestCase("x@")]
    [TestCase("x@new")]
    public void ParseSpec_BadSpecs_AreRefused(string spec) =>
        Assert.That(() => SnapshotStore.ParseSpec(spec), Throws.TypeOf<StoreException>());

    private static int ReadWindowsLength => 8 * ChunkReader.ScratchLength;

    private ChunkHash[] WriteAll(byte[][] raws)
    {
        using var writer = new PackWriter(_directory);
        var hashes = new ChunkHash[raws.Length];
        for (int i = 0; i < raws.Length; i++)
        {
            hashes[i] = ChunkHash.Of(raws[i]);
            byte[] encoded = new byte[ChunkCodec.MaxEncodedLength(raws[i].Length)];
            (ChunkCoding coding, int length) = ChunkCodec.Encode(raws[i], encoded);
            writer.Append(hashes[i], coding, raws[i].Length, encoded.AsSpan(0, length));
        }
        writer.Commit();
        return hashes;
    }

    private ChunkHash Write(byte[] raw)
    {
        ChunkHash hash = ChunkHash.Of(raw);
        byte[] encoded = new byte[ChunkCodec.MaxEncodedLength(raw.Length)];
        (ChunkCoding coding, int length) = ChunkCodec.Encode(raw, encoded);
        using var writer = new PackWriter(_directory);
        writer.Append(hash, coding, raw.Length, encoded.AsSpan(0, length));
        writer.Commit();
        return hash;
    }
}
