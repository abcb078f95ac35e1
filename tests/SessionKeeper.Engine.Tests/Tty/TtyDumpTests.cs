using System.Globalization;
using SessionKeeper.Engine.Dump;
using SessionKeeper.Engine.Tests.Dump;
using SessionKeeper.Native;

namespace SessionKeeper.Engine.Tests.Tty;

/// <summary>
/// A pty end whose peer is outside the tree cannot be restored (restore makes a new pair, the
/// outside process would stay on the old one): the dump refuses it before writing anything and
/// leaves the tree running as it was.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class TtyDumpTests
{
    private string _imageDir = null!;

    [SetUp]
    public void SetUp() => _imageDir = Path.Combine(Path.GetTempPath(), $"keeper-dump-{Guid.NewGuid():N}");

    [TearDown]
    public void TearDown()
    {
        if (Directory.Exists(_imageDir))
        {
            Directory.Delete(_imageDir, recursive: true);
        }
    }

    /// <summary>Released tasks go back to their sleep within moments.</summary>
    private static bool SleepsAgain(int pid)
    {
        for (int i = 0; i < 100 && DumpTarget.State(pid) != 'S'; i++)
        {
            Thread.Sleep(10);
        }
        return DumpTarget.State(pid) == 'S';
    }

    [Test]
    public void Dump_SlaveWhoseMasterIsOutsideTheTree_IsRefusedBeforeAnythingIsWritten()
    {
        // The test holds the master, as a terminal emulator holds the user's terminal.
        using SafeFd master = Interop.Open("/dev/ptmx", OpenFlags.O_RDWR | OpenFlags.O_NOCTTY | OpenFlags.O_CLOEXEC);
        Interop.UnlockPty(master);
        int index = Interop.GetPtyIndex(master);
        using DumpTarget target = DumpTarget.Start("sleep", $"sleep 1000 5<>/dev/pts/{index.ToString(CultureInfo.InvariantCulture)}");

        var error = Assert.Throws<UnsupportedObjectException>(() => Dumper.Dump(target.Pid, _imageDir, new DumpOptions()));

        TestContext.Out.WriteLine(error!.Message);
        Assert.Multiple(() =>
        {
            Assert.That(error.Pid, Is.EqualTo(target.Pid));
            Assert.That(error.Fd, Is.EqualTo(5));
            Assert.That(error.Kind, Is.EqualTo("pty slave"));
            Assert.That(error.Message, Does.Contain("outside the tree"));
            Assert.That(Directory.Exists(_imageDir) && Directory.EnumerateFileSystemEntries(_imageDir).Any(), Is.False, "nothing written");
            Assert.That(DumpTarget.TracerPid(target.Pid), Is.Zero, "not traced any more");
            Assert.That(SleepsAgain(target.Pid), Is.True, "asleep again after the release");
        });
    }

    [Test]
    public void Dump_MasterWhoseSlaveIsAlsoHeldOutsideTheTree_IsRefusedNamingTheOutsideHolder()
    {
        using DumpTarget target = DumpTarget.Start("sleep", "sleep 1000 5<>/dev/ptmx");
        using SafeFd pidfd = Interop.PidfdOpen(target.Pid);
        using SafeFd master = Interop.PidfdGetfd(pidfd, 5);
        Interop.UnlockPty(master);
        int index = Interop.GetPtyIndex(master);
        using SafeFd slave = Interop.Open($"/dev/pts/{index}", OpenFlags.O_RDWR | OpenFlags.O_NOCTTY | OpenFlags.O_CLOEXEC);

        var error = Assert.Throws<UnsupportedObjectException>(() => Dumper.Dump(target.Pid, _imageDir, new DumpOptions()));

        TestContext.Out.WriteLine(error!.Message);
        Assert.Multiple(() =>
        {
            Assert.That(error.Pid, Is.EqualTo(target.Pid));
            Assert.That(error.Fd, Is.EqualTo(5));
            Assert.That(error.Kind, Is.EqualTo("pty master"));
            Assert.That(error.Message, Does.Contain("outside the tree").And.Contain($"pid {Environment.ProcessId} "));
            Assert.That(Directory.Exists(_imageDir) && Directory.EnumerateFileSystemEntries(_imageDir).Any(), Is.False, "nothing written");
            Assert.That(SleepsAgain(target.Pid), Is.True, "asleep again after the release");
        });
    }

    [Test]
    public void Dump_DevTtyOfATerminalOutsideTheTree_IsRefusedNamingDevTty()
    {
        // The test holds the master; the target's session has the slave as its controlling
        // terminal and keeps only a /dev/tty descriptor of it.
        using SafeFd master = Interop.Open("/dev/ptmx", OpenFlags.O_RDWR | OpenFlags.O_NOCTTY | OpenFlags.O_CLOEXEC);
        Interop.UnlockPty(master);
        int index = Interop.GetPtyIndex(master);
        using DumpTarget target = DumpTarget.Start("sleep",
            $"setsid -c bash -c 'exec 5<>/dev/tty </dev/null; exec sleep 1000' </dev/pts/{index.ToString(CultureInfo.InvariantCulture)}");

        var error = Assert.Throws<UnsupportedObjectException>(() => Dumper.Dump(target.Pid, _imageDir, new DumpOptions()));

        TestContext.Out.WriteLine(error!.Message);
        Assert.Multiple(() =>
        {
            Assert.That(error.Pid, Is.EqualTo(target.Pid));
            Assert.That(error.Fd, Is.EqualTo(5));
            Assert.That(error.Kind, Is.EqualTo("/dev/tty"));
            Assert.That(error.Message, Does.Contain("outside the tree"));
            Assert.That(Directory.Exists(_imageDir) && Directory.EnumerateFileSystemEntries(_imageDir).Any(), Is.False, "nothing written");
            Assert.That(SleepsAgain(target.Pid), Is.True, "asleep again after the release");
        });
    }
}
