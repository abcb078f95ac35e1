using Google.Protobuf.WellKnownTypes;
using SessionKeeper.Store.V1;

namespace SessionKeeper.Store.Tests;

/// <summary>Which generation a snapshot name means: the newest, numbered or autosave.</summary>
[TestFixture]
public sealed class ResolveTests
{
    private string _directory = null!;
    private SnapshotStore _store = null!;

    [SetUp]
    public void SetUp()
    {
        _directory = Directory.CreateTempSubdirectory("keeper-store-resolve-").FullName;
        _store = SnapshotStore.Open(Path.Combine(_directory, "store"), create: true);
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_directory, recursive: true);

    [Test]
    public void Resolve_Name_IsTheHighestNumberWhenTheAutosaveIsOlder()
    {
        DateTime now = DateTime.UtcNow;
        Generation("s", "2", now.AddMinutes(-3));
        Generation("s", "10", now.AddMinutes(-1));
        Generation("s", "9", now.AddMinutes(-2));
        Generation("s", SnapshotStore.AutoGeneration, now.AddMinutes(-5));

        Assert.That(_store.Resolve("s").Spec, Is.EqualTo("s@10"));
    }

    [Test]
    public void Resolve_Name_IsTheAutosaveWhenItIsNewer()
    {
        DateTime now = DateTime.UtcNow;
        Generation("s", "1", now.AddMinutes(-3));
        Generation("s", "2", now.AddMinutes(-2));
        Generation("s", SnapshotStore.AutoGeneration, now.AddMinutes(-1));

        Assert.That(_store.Resolve("s").Spec, Is.EqualTo("s@auto"));
    }

    [Test]
    public void Resolve_Name_DoesNotReadOlderNumberedManifests()
    {
        DateTime now = DateTime.UtcNow;
        Generation("s", "1", now.AddMinutes(-2));
        Generation("s", "2", now.AddMinutes(-1));
        // Damaged: a restore of the newest must not depend on it.
        File.WriteAllText(Path.Combine(_store.GenerationPath("s", "1"), ManifestFile.FileName), "not a manifest");

        Assert.That(_store.Resolve("s").Spec, Is.EqualTo("s@2"));
        Assert.That(() => _store.Resolve("s@1"), Throws.TypeOf<StoreException>().With.Message.Contain("s@1"));
    }

    private void Generation(string name, string id, DateTime createdAt)
    {
        string directory = _store.GenerationPath(name, id);
        Directory.CreateDirectory(directory);
        ManifestFile.Write(directory, new Manifest { Name = name, Generation = id, CreatedAt = Timestamp.FromDateTime(createdAt) });
    }
}
