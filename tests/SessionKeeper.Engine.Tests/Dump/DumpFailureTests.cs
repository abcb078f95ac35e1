using SessionKeeper.Engine.Dump;
using SessionKeeper.Engine.ProcFs;
using SessionKeeper.Native;
using SessionKeeper.ProcessControl;

namespace SessionKeeper.Engine.Tests.Dump;

/// <summary>A dump that fails, for whatever reason, leaves the tree exactly as it ran: nothing traced, nothing stopped.</summary>
[TestFixture]
public sealed partial class DumpFailureTests
{
    private string _imageDir = null!;

    [SetUp]
    public void SetUp() => _imageDir = Path.Combine(Path.GetTempPath(), $"keeper-dump-{Guid.NewGuid():N}");

    [TearDown]
    public void TearDown()
    {
        if (Directory.Exists(_imageDir))
        {
            Directory.Delete(_imageDir, true);
        }
    }

    [Test]
    public void Dump_NoSuchPid_FailsNamingIt()
    {
        int pid = DetachedProcess.Start(["exit 0"])[0];
        Assert.That(DumpTarget.WaitGone(pid, 5000), Is.True);
        // The shell's parent reaps it; wait until the pid is really free.
        for (int i = 0; i < 500 && File.Exists($"/proc/{pid}/stat"); i++)
        {
            Thread.Sleep(10);
        }

        var error = Assert.Throws<ErrnoException>(() => Dumper.Dump(pid, _imageDir, new DumpOptions()));

        Assert.That(error!.Message, Does.Contain(pid.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.That(Directory.Exists(_imageDir) && Directory.EnumerateFileSystemEntries(_imageDir).Any(), Is.False);
    }

    [Test]
    public void Dump_TreeWhoseChildrenComeAndGo_NeverLeavesATaskTracedOrStopped()
    {
        // A shell that forks short-lived children as fast as it can: every dump races with
        // processes that appear and vanish while the tree is being frozen.
        using DumpTarget shell = DumpTarget.Start("bash", "bash -c 'while :; do /bin/true; done'");
        int succeeded = 0;
        var failures = new List<string>();
        for (int round = 0; round < 10; round++)
        {
            string images = Path.Combine(_imageDir, round.ToString(System.Globalization.CultureInfo.InvariantCulture));
            try
            {
                Dumper.Dump(shell.Pid, images, new DumpOptions { Mode = DumpMode.LeaveRunning });
                succeeded++;
            }
            catch (Exception e) when (e is TaskVanishedException or ErrnoException or UnsupportedObjectException)
            {
                failures.Add(e.Message);
                Assert.That(Directory.Exists(images) && Directory.EnumerateFileSystemEntries(images).Any(), Is.False, "a failed dump leaves no files: " + e.Message);
            }
            foreach (int pid in SessionMembers(shell.Pid))
            {
                Assert.That(DumpTarget.TracerPid(pid), Is.Zero.Or.EqualTo(-1), $"round {round}: pid {pid} still traced");
                Assert.That(DumpTarget.State(pid), Is.Not.EqualTo('t').And.Not.EqualTo('T'), $"round {round}: pid {pid} left stopped");
            }
        }
        TestContext.Out.WriteLine($"{succeeded} dumps succeeded; failures: {string.Join(" | ", failures)}");
        Assert.That(DumpTarget.State(shell.Pid), Is.AnyOf('R', 'S'), "the shell runs on");
        Assert.That(succeeded, Is.GreaterThan(0), "a tree that changes all the time can still be dumped");
    }

    [TestCase(DumpMode.LeaveRunning)]
    [TestCase(DumpMode.Kill)]
    public void Dump_ImagesCannotBeWritten_FailsAndTheTreeRunsOn(DumpMode mode)
    {
        using DumpTarget sleeper = DumpTarget.Start("sleep", "sleep 1004");
        string unwritable = "/proc/self/keeper-images";

        Assert.That(() => Dumper.Dump(sleeper.Pid, unwritable, new DumpOptions { Mode = mode }), Throws.Exception);

        // Released, it restarts its sleep: running for an instant, then sleeping again.
        Assert.That(() => DumpTarget.State(sleeper.Pid), Is.EqualTo('S').After(2000, 10), "still sleeping, not killed or stopped");
        Assert.Multiple(() =>
        {
            Assert.That(DumpTarget.TracerPid(sleeper.Pid), Is.Zero, "not traced");
        });
    }

    [TestCase(DumpMode.LeaveRunning)]
    [TestCase(DumpMode.Kill)]
    public void Dump_PageSinkFails_FailsWithItsErrorWritesNothingAndTheTreeRunsOn(DumpMode mode)
    {
        using DumpTarget sleeper = DumpTarget.Start("sleep", "sleep 1005");
        var sink = new FailingSink();

        var error = Assert.Throws<IOException>(() => Dumper.Dump(sleeper.Pid, _imageDir, new DumpOptions { Mode = mode, PageSink = sink }));

        Assert.That(error!.Message, Is.EqualTo("no room for pages"));
        Assert.That(sink.Calls, Is.EqualTo(1), "nothing after the failure");
        Assert.That(sink.Flushed, Is.False, "a failed sink is not asked to make anything durable");
        Assert.That(Directory.Exists(_imageDir) && Directory.EnumerateFileSystemEntries(_imageDir).Any(), Is.False, "no images left");
        Assert.That(() => DumpTarget.State(sleeper.Pid), Is.EqualTo('S').After(2000, 10), "still sleeping, not killed or stopped");
        Assert.That(DumpTarget.TracerPid(sleeper.Pid), Is.Zero, "not traced");
    }

    /// <summary>A page sink whose storage fails at the first process.</summary>
    private sealed class FailingSink : Memory.IPageSink
    {
        public int Calls { get; private set; }

        public bool Flushed { get; private set; }

        public void Write(string fileName, int pid, Memory.PageBuffer pages, IReadOnlyList<Images.V1.PagemapEntry> pagemap)
        {
            Calls++;
            throw new IOException("no room for pages");
        }

        public void Flush() => Flushed = true;
    }

    private static List<int> SessionMembers(int sid)
    {
        var members = new List<int>();
        foreach (string entry in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(entry), out int pid) && ProcFsReader.TryReadStat(pid, out ProcStat stat) && stat.Session == sid && stat.State != 'Z')
            {
                members.Add(pid);
            }
        }
        return members;
    }
}
