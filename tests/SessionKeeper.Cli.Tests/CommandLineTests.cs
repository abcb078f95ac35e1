namespace SessionKeeper.Cli.Tests;

/// <summary>Wrong names, a missing store, and what each command says about them.</summary>
[TestFixture]
public sealed class CommandLineTests : StoreFixture
{
    [TestCase("save", "--pid", "1", "../etc")]
    [TestCase("save", "--pid", "1", "a/b")]
    [TestCase("save", "--pid", "1", ".hidden")]
    [TestCase("save", "--pid", "1", "x", "--as", "a@b")]
    public void Save_BadName_FailsNamingItBeforeTouchingAnything(params string[] arguments)
    {
        (int code, string stdout, string stderr) = Keeper(arguments);

        Assert.That(code, Is.EqualTo(1));
        Assert.That(stdout, Is.Empty);
        Assert.That(stderr, Does.StartWith("error: ").And.Contain("not a valid snapshot name"));
        Assert.That(stderr.Trim().Split('\n'), Has.Length.EqualTo(1));
    }

    [TestCase("restore", "x@0")]
    [TestCase("show", "x@latest")]
    [TestCase("verify", "a/b")]
    [TestCase("rm", "..")]
    [TestCase("export", "x@-1", "-o", "/dev/null")]
    public void BadSpec_IsRefusedWithOneLine(params string[] arguments)
    {
        Directory.CreateDirectory(Store);

        (int code, _, string stderr) = Keeper(arguments);

        Assert.That(code, Is.EqualTo(1));
        Assert.That(stderr, Does.StartWith("error: "));
        Assert.That(stderr.Trim().Split('\n'), Has.Length.EqualTo(1));
    }

    [TestCase("restore", "x")]
    [TestCase("show", "x")]
    [TestCase("verify", "x")]
    [TestCase("rm", "x")]
    [TestCase("gc")]
    [TestCase("export", "x", "-o", "-")]
    [TestCase("snapshots")]
    public void MissingStore_FailsNamingTheStoreDirectory(params string[] arguments)
    {
        (int code, string stdout, string stderr) = Keeper(arguments);

        Assert.That(code, Is.EqualTo(1));
        Assert.That(stdout, Is.Empty);
        Assert.That(stderr, Does.StartWith("error: no snapshot store at ").And.Contain(Store));
        Assert.That(Directory.Exists(Store), Is.False, "reading commands do not create a store");
    }

    [Test]
    public void Snapshots_NamesOrJson_OnAMissingStore_PrintAnEmptyList()
    {
        Assert.That(KeeperOk("snapshots", "--names"), Is.Empty);
        Assert.That(KeeperOk("snapshots", "--json").Trim(), Is.EqualTo("[]"));
    }

    [Test]
    public void Restore_UnknownName_SaysHowToListSnapshots()
    {
        Directory.CreateDirectory(Store);

        (int code, _, string stderr) = Keeper("restore", "nothing");

        Assert.That(code, Is.EqualTo(1));
        Assert.That(stderr, Does.Contain("no snapshot named 'nothing'").And.Contain("keeper snapshots"));
    }

    [Test]
    public void Restore_NoNameNorImages_IsAUsageError()
    {
        (int code, _, string stderr) = Keeper("restore");

        Assert.That(code, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain("--images"));
    }

    [Test]
    public void Restore_NameAndImages_IsRefusedByTheParser()
    {
        (int code, _, string stderr) = Keeper("restore", "x", "--images", Scratch);

        // A parse error: System.CommandLine's own exit code.
        Assert.That(code, Is.Not.Zero);
        Assert.That(stderr, Does.Contain("not both"));
    }

    [Test]
    public void Import_MissingFile_NamesIt()
    {
        string missing = Path.Combine(Scratch, "missing.keeper");

        (int code, _, string stderr) = Keeper("import", missing);

        Assert.That(code, Is.EqualTo(1));
        Assert.That(stderr, Does.StartWith("error: ").And.Contain(missing));
    }

    [Test]
    public void Save_NoSuchPid_FailsAndCommitsNothing()
    {
        (int code, _, string stderr) = Keeper("save", "--pid", "999999999", "ghost");

        Assert.That(code, Is.EqualTo(1));
        Assert.That(stderr, Does.StartWith("error: ").And.Contain("999999999"));
        Assert.That(KeeperOk("snapshots", "--names"), Is.Empty);
        Assert.That(Directory.GetFileSystemEntries(Path.Combine(Store, "tmp")), Is.Empty);
    }
}
