using SessionKeeper.Engine.Dump;
using SessionKeeper.Engine.Tests.Dump;
using SessionKeeper.Images;
using Img = SessionKeeper.Images.V1;

namespace SessionKeeper.Store.Tests;

/// <summary>
/// A save through the store and a raw dump of the same (idle) process hold the same pages: the
/// page sink loses, adds and moves nothing, and the store's read-back rebuilds the raw files.
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
    public void Save_ThenRead_RebuildsTheRawPagesFileOfADumpByteForByte()
    {
        using DumpTarget pattern = DumpTarget.StartPattern();
        string raw = Path.Combine(_directory, "raw");
        string rebuilt = Path.Combine(_directory, "rebuilt");
        Directory.CreateDirectory(rebuilt);
        SnapshotStore store = SnapshotStore.Open(Path.Combine(_directory, "store"), create: true);

        Dumper.Dump(pattern.Pid, raw, new DumpOptions { Mode = DumpMode.LeaveRunning });
        SaveResult saved = SnapshotSaver.Save(store, new SaveRequest { Name = "p", RootPid = pattern.Pid });
        SnapshotReader.Read(store, saved.Generation, rebuilt);

        string pages = $"pages-{pattern.Pid}.img";
        Assert.That(File.Exists(Path.Combine(saved.Generation.Directory, pages)), Is.False, "pages live in chunks, not in the generation directory");
        Assert.That(new FileInfo(Path.Combine(rebuilt, pages)).Length, Is.GreaterThan(0));
        Assert.That(File.ReadAllBytes(Path.Combine(rebuilt, pages)), Is.EqualTo(File.ReadAllBytes(Path.Combine(raw, pages))));
        Assert.That(ImageReader.ReadFile<Img.PagemapEntry>(Path.Combine(rebuilt, $"pagemap-{pattern.Pid}.img")),
            Is.EqualTo(ImageReader.ReadFile<Img.PagemapEntry>(Path.Combine(raw, $"pagemap-{pattern.Pid}.img"))));
        Assert.That(saved.Generation.Manifest.MemoryBytes, Is.EqualTo((ulong)new FileInfo(Path.Combine(raw, pages)).Length));
    }

    [Test]
    public void SaveAgain_Unchanged_AddsNoChunk_AndBothGenerationsRead()
    {
        using DumpTarget sleeper = DumpTarget.Start("sleep", "sleep 1401");
        SnapshotStore store = SnapshotStore.Open(Path.Combine(_directory, "store"), create: true);

        SaveResult first = SnapshotSaver.Save(store, new SaveRequest { Name = "s", RootPid = sleeper.Pid });
        SaveResult second = SnapshotSaver.Save(store, new SaveRequest { Name = "s", RootPid = sleeper.Pid });

        Assert.That(first.NewChunks, Is.GreaterThan(0));
        Assert.That(second.NewChunks, Is.LessThanOrEqualTo(first.TotalChunks / 10), "an idle sleep changes almost nothing");
        Assert.That(second.Generation.Id, Is.EqualTo("2"));
        Assert.That(() => SnapshotReader.Read(store, first.Generation, null), Throws.Nothing);
        Assert.That(() => SnapshotReader.Read(store, second.Generation, null), Throws.Nothing);
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
