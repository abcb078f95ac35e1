using SessionKeeper.Engine.Dump;
using SessionKeeper.Engine.Memory;
using SessionKeeper.Engine.Tests.Dump;
using Img = SessionKeeper.Images.V1;

namespace SessionKeeper.Store.Tests;

/// <summary>
/// Saves through the store: the chunks of a dump give back exactly the page buffers the engine
/// handed over, and an unchanged tree saved again adds little.
/// </summary>
[TestFixture]
public sealed class SaveAndReadTests
{
    private string _directory = null!;

    [SetUp]
    public void SetUp() => _directory = Directory.CreateTempSubdirectory("keeper-store-save-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_directory, recursive: true);

    [Test]
    public void PageChunker_TheChunksOfADump_GiveBackItsPageBuffersByteForByte()
    {
        using DumpTarget pattern = DumpTarget.StartPattern();
        string packs = Path.Combine(_directory, "packs");
        Directory.CreateDirectory(packs);
        using var pack = new PackWriter(packs);
        var chunker = new PageChunker(ChunkIndex.Load(packs), pack);
        var tee = new TeeSink(chunker);

        Dumper.Dump(pattern.Pid, Path.Combine(_directory, "images"), new DumpOptions { Mode = DumpMode.LeaveRunning, PageSink = tee });

        using var reader = new ChunkReader(ChunkIndex.Load(packs));
        byte[] scratch = new byte[ChunkReader.ScratchLength];
        Assert.That(chunker.Files.Select(f => f.Name), Is.EquivalentTo(tee.Copies.Keys));
        Assert.That(tee.Copies.Values.Sum(c => c.Length), Is.GreaterThan(1 << 20));
        foreach ((string name, long size, List<int> indexes) in chunker.Files)
        {
            using var rebuilt = new MemoryStream();
            foreach (int index in indexes)
            {
                ChunkUse chunk = chunker.Chunks[index];
                byte[] raw = new byte[chunk.RawLength];
                reader.Read(chunk.Hash, raw, scratch);
                rebuilt.Write(raw);
            }
            Assert.That(rebuilt.Length, Is.EqualTo(size), name);
            Assert.That(rebuilt.ToArray(), Is.EqualTo(tee.Copies[name]), name);
        }
    }

    [Test]
    public void PageChunker_ManyBatches_KeepTheirOrder_AndAChunkRepeatedInALaterBatchIsStoredOnce()
    {
        // 6 MiB of pages, 3 batches' worth: the last 2 MiB repeat the first 2 MiB, and the middle
        // holds other bytes. Batches are hashed while the one before is written to the pack.
        const int Page = 4096;
        const int Third = 2 << 20;
        byte[] first = new byte[Third];
        byte[] middle = new byte[Third];
        new Random(7).NextBytes(first);
        new Random(8).NextBytes(middle);
        using var pages = new PageBuffer();
        long offset = pages.Append(3 * Third / Page);
        pages.Write(offset, first);
        pages.Write(offset + Third, middle);
        pages.Write(offset + (2 * Third), first);
        var pagemap = new List<Img.PagemapEntry>
        {
            new() { Vaddr = 0x7f0000000000, NrPages = 3 * Third / Page, Content = new Img.ContentRef { PagesOffset = (ulong)offset } },
        };
        string packs = Path.Combine(_directory, "packs");
        Directory.CreateDirectory(packs);
        using var pack = new PackWriter(packs);
        var chunker = new PageChunker(ChunkIndex.Load(packs), pack);

        chunker.Write("pages-1.img", 1, pages, pagemap);
        chunker.Flush();

        int perThird = Third / PackFormat.MaxChunkLength;
        List<int> indexes = chunker.Files.Single().ChunkIndexes;
        Assert.That(indexes, Has.Count.EqualTo(3 * perThird));
        Assert.That(indexes[(2 * perThird)..], Is.EqualTo(indexes[..perThird]), "the repeat refers to the first third's chunks");
        Assert.That(chunker.Chunks, Has.Count.EqualTo(2 * perThird), "and is not stored again");
        Assert.That(chunker.NewChunks, Is.EqualTo(2 * perThird));
        Assert.That(chunker.RawBytes, Is.EqualTo(3L * Third));
        using var reader = new ChunkReader(ChunkIndex.Load(packs));
        byte[] scratch = new byte[ChunkReader.ScratchLength];
        using var rebuilt = new MemoryStream();
        foreach (int index in indexes)
        {
            byte[] raw = new byte[chunker.Chunks[index].RawLength];
            reader.Read(chunker.Chunks[index].Hash, raw, scratch);
            rebuilt.Write(raw);
        }
        Assert.That(rebuilt.ToArray(), Is.EqualTo(first.Concat(middle).Concat(first).ToArray()), "in order, byte for byte");
    }

    /// <summary>Keeps a copy of every page buffer and passes it on.</summary>
    private sealed class TeeSink(IPageSink inner) : IPageSink
    {
        public Dictionary<string, byte[]> Copies { get; } = [];

        public void Write(string fileName, int pid, PageBuffer pages, IReadOnlyList<Img.PagemapEntry> pagemap)
        {
            using var copy = new MemoryStream();
            pages.WriteTo(copy);
            Copies[fileName] = copy.ToArray();
            inner.Write(fileName, pid, pages, pagemap);
        }

        public void Flush() => inner.Flush();
    }

    [Test]
    public void SaveAgain_Unchanged_AddsNoChunk_AndBothGenerationsRead()
    {
        using DumpTarget sleeper = DumpTarget.Start("sleep", "sleep 1401");
        SnapshotStore store = SnapshotStore.Open(Path.Combine(_directory, "store"), create: true);

        SaveResult first = SnapshotSaver.Save(store, new SaveRequest { Name = "s", RootPid = sleeper.Pid });
        SaveResult second = SnapshotSaver.Save(store, new SaveRequest { Name = "s", RootPid = sleeper.Pid });

        Assert.That(first.NewChunks, Is.GreaterThan(0));
        // A sleeping process still changes a page or two between saves (its stack); the rest is there already.
        Assert.That(second.NewChunks, Is.LessThan(first.NewChunks / 2));
        Assert.That(second.Generation.Id, Is.EqualTo("2"));
        Assert.That(() => SnapshotReader.Read(store, first.Generation, null), Throws.Nothing);
        Assert.That(() => SnapshotReader.Read(store, second.Generation, null), Throws.Nothing);
    }

    [Test]
    public void ChunkedPages_AnyRange_IsWhatTheRebuiltPageFileHolds()
    {
        using DumpTarget pattern = DumpTarget.StartPattern();
        SnapshotStore store = SnapshotStore.Open(Path.Combine(_directory, "store"), create: true);
        SaveResult saved = SnapshotSaver.Save(store, new SaveRequest { Name = "p", RootPid = pattern.Pid });
        string rebuilt = Path.Combine(_directory, "rebuilt");
        Directory.CreateDirectory(rebuilt);
        SnapshotReader.Read(store, saved.Generation, rebuilt);
        using var pages = new ChunkedPages(saved.Generation, ChunkIndex.Load(store.PacksDirectory));
        var random = new Random(1234);

        int checkedFiles = 0;
        foreach (string path in Directory.EnumerateFiles(rebuilt, "pages-*.img"))
        {
            string name = Path.GetFileName(path);
            byte[] expected = File.ReadAllBytes(path);
            Assert.That(pages.Length(name), Is.EqualTo(expected.Length), name);
            // Whole pages as the restore asks, and ranges that start and end inside chunks.
            var ranges = new List<(int Offset, int Length)> { (0, expected.Length) };
            for (int i = 0; i < 50 && expected.Length > 1; i++)
            {
                int offset = random.Next(expected.Length - 1);
                ranges.Add((offset, random.Next(1, Math.Min(expected.Length - offset, 100_000) + 1)));
            }
            foreach ((int offset, int length) in ranges)
            {
                byte[] read = new byte[length];
                pages.Read(name, offset, read);
                Assert.That(read, Is.EqualTo(expected.AsSpan(offset, length).ToArray()), $"{name} [{offset}, +{length})");
            }
            checkedFiles++;
        }
        Assert.Multiple(() =>
        {
            Assert.That(checkedFiles, Is.GreaterThan(0));
            Assert.That(pages.Length("pages-0.img"), Is.Zero);
            Assert.That(() => pages.Read("pages-0.img", 0, new byte[1]), Throws.TypeOf<StoreException>().With.Message.Contains("pages-0.img"));
        });
    }

    [Test]
    public void Save_LeftoverOfAKilledSave_IsRemoved_ALiveOnesIsKept()
    {
        using DumpTarget sleeper = DumpTarget.Start("sleep", "sleep 1402");
        SnapshotStore store = SnapshotStore.Open(Path.Combine(_directory, "store"), create: true);
        string dead = Path.Combine(store.TempDirectory, "save-999999999-0123");
        string alive = Path.Combine(store.TempDirectory, $"save-{sleeper.Pid}-0123");
        Directory.CreateDirectory(dead);
        Directory.CreateDirectory(alive);

        SnapshotSaver.Save(store, new SaveRequest { Name = "s", RootPid = sleeper.Pid });

        Assert.That(Directory.Exists(dead), Is.False);
        Assert.That(Directory.Exists(alive), Is.True);
    }
}
