using SessionKeeper.Engine.Dump;
using SessionKeeper.Engine.Restore;
using SessionKeeper.Engine.Tests.Dump;
using SessionKeeper.Native;

namespace SessionKeeper.Engine.Tests.Restore;

[TestFixture]
public sealed class RestorerTests
{
    private string _images = null!;

    [SetUp]
    public void SetUp() => _images = Path.Combine(Directory.CreateTempSubdirectory("keeper-restore-").FullName, "images");

    [TearDown]
    public void TearDown() => Directory.Delete(Path.GetDirectoryName(_images)!, true);

    [Test]
    public void Restore_DumpedSleep_RunsAgainWithSamePid()
    {
        using DumpTarget target = DumpTarget.Start("sleep", "sleep 1000");
        int pid = target.Pid;
        Dumper.Dump(pid, _images, new DumpOptions { Mode = DumpMode.Kill });
        Assert.That(DumpTarget.WaitGone(pid, 5000), Is.True, "the dumped tree was ended");

        var log = new List<string>();
        int root = Restorer.Restore(_images, log.Add);
        try
        {
            Assert.That(root, Is.EqualTo(pid));
            Thread.Sleep(200);
            Assert.That(() => DumpTarget.State(pid), Is.EqualTo('S').After(2000, 10), "sleeping again: " + string.Join("; ", log));
            Assert.That(File.ReadAllText($"/proc/{pid}/comm").Trim(), Is.EqualTo("sleep"));
            Assert.That(DumpTarget.TracerPid(pid), Is.Zero, "detached after restore");
        }
        finally
        {
            Interop.TryKill(pid, Signals.SIGKILL);
        }
    }

    [Test]
    public void Restore_EveryTaskGetsTheCpusKeeperHas_NotTheOneItWasRestoredOn()
    {
        // The restore pins itself and the tasks it builds to one CPU while it works.
        using DumpTarget target = DumpTarget.StartPattern("thread");
        int pid = target.Pid;
        Dumper.Dump(pid, _images, new DumpOptions { Mode = DumpMode.Kill });
        Assert.That(DumpTarget.WaitGone(pid, 5000), Is.True, "the dumped tree was ended");

        int root = Restorer.Restore(_images);
        try
        {
            string own = CpusAllowed("/proc/thread-self/status");
            string[] tasks = Directory.GetDirectories($"/proc/{root}/task");
            Assert.That(tasks, Has.Length.EqualTo(2), "the pattern's two threads");
            foreach (string task in tasks)
            {
                Assert.That(CpusAllowed(Path.Combine(task, "status")), Is.EqualTo(own), task);
            }
        }
        finally
        {
            Interop.TryKill(root, Signals.SIGKILL);
        }
    }

    private static string CpusAllowed(string status) =>
        File.ReadLines(status).Single(l => l.StartsWith("Cpus_allowed_list:", StringComparison.Ordinal)).Split(':')[1].Trim();
}
