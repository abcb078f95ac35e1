using SessionKeeper.Engine.Tests.Dump;
using SessionKeeper.Native;
using SessionKeeper.Tests.Shared;

namespace SessionKeeper.Engine.Tests.Cli;

/// <summary>`keeper dump` and `keeper restore --images`, run as the user runs them.</summary>
[TestFixture]
public sealed class EngineCommandTests
{
    private string _root = null!;

    private string Images => Path.Combine(_root, "images");

    [SetUp]
    public void SetUp() => _root = Directory.CreateTempSubdirectory("keeper-cli-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_root, true);

    [Test]
    public void DumpThenRestore_Sleep_ComesBackWithItsPidAndBothCommandsSayWhatTheyDid()
    {
        using DumpTarget sleeper = DumpTarget.Start("sleep", "sleep 1009");
        string pid = sleeper.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture);

        (int dumpCode, string dumpOut, string dumpErr) = KeeperProcess.Run(null, "dump", "--pid", pid, "--images", Images);
        Assert.That(dumpCode, Is.Zero, dumpErr);
        Assert.That(dumpOut, Does.Contain(pid).And.Contain(Images).And.Contain("ended"));
        Assert.That(DumpTarget.WaitGone(sleeper.Pid, 5000), Is.True, "the dump without --leave-running ends the tree");

        (int restoreCode, string restoreOut, string restoreErr) = KeeperProcess.Run(null, "restore", "--images", Images);
        try
        {
            Assert.That(restoreCode, Is.Zero, restoreErr);
            Assert.That(restoreOut, Does.Contain(pid));
            Assert.That(() => DumpTarget.State(sleeper.Pid), Is.EqualTo('S').After(2000, 10));
            Assert.That(File.ReadAllText($"/proc/{pid}/cmdline"), Is.EqualTo("sleep\01009\0"));
        }
        finally
        {
            Interop.TryKill(sleeper.Pid, Signals.SIGKILL);
        }
    }

    [Test]
    public void Dump_LeaveRunning_KeepsTheTreeRunning()
    {
        using DumpTarget sleeper = DumpTarget.Start("sleep", "sleep 1010");

        (int code, string stdout, string stderr) = KeeperProcess.Run(null, "dump", "--pid", sleeper.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture), "--images", Images, "--leave-running");

        Assert.That(code, Is.Zero, stderr);
        Assert.That(stdout, Does.Contain("runs on"));
        Assert.That(() => DumpTarget.State(sleeper.Pid), Is.EqualTo('S').After(2000, 10));
        Assert.That(File.Exists(Path.Combine(Images, "inventory.img")), Is.True);
    }

    [Test]
    public void Restore_MissingImages_FailsWithOneErrorLineNamingTheDirectory()
    {
        (int code, string stdout, string stderr) = KeeperProcess.Run(null, "restore", "--images", Images);

        Assert.That(code, Is.EqualTo(1));
        Assert.That(stdout, Is.Empty);
        Assert.That(stderr.Trim().Split('\n'), Has.Length.EqualTo(1).Or.Length.EqualTo(2));
        Assert.That(stderr, Does.StartWith("error: ").And.Contain(Images));
    }

    [Test]
    public void Dump_NoSuchPid_FailsNamingThePid()
    {
        (int code, _, string stderr) = KeeperProcess.Run(null, "dump", "--pid", "999999999", "--images", Images);

        Assert.That(code, Is.Not.Zero);
        Assert.That(stderr, Does.StartWith("error: ").And.Contain("999999999"));
        Assert.That(Directory.Exists(Images), Is.False, "nothing written");
    }

    [Test]
    public void UnknownOptionOrMissingArgument_IsAUsageError_ExitCode2_NamingIt()
    {
        (int unknownCode, string unknownOut, string unknown) = KeeperProcess.Run(null, "dump", "--pid", "1", "--images", Images, "--no-such-option");
        (int missingCode, _, string missing) = KeeperProcess.Run(null, "image", "decode");

        Assert.Multiple(() =>
        {
            Assert.That(unknownCode, Is.EqualTo(2), unknown);
            Assert.That(unknownOut, Is.Empty);
            Assert.That(unknown, Does.StartWith("error: ").And.Contain("--no-such-option").And.Contain("keeper dump --help"));
            Assert.That(Directory.Exists(Images), Is.False, "nothing was run");
            Assert.That(missingCode, Is.EqualTo(2), missing);
            Assert.That(missing, Does.Contain("keeper image decode --help"));
        });
    }
}
