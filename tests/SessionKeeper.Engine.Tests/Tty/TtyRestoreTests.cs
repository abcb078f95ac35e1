using SessionKeeper.Engine.Dump;
using SessionKeeper.Engine.Restore;
using SessionKeeper.Engine.Tests.Dump;
using SessionKeeper.Native;

namespace SessionKeeper.Engine.Tests.Tty;

[TestFixture]
[NonParallelizable]
public sealed class TtyRestoreTests
{
    private string _images = null!;

    [SetUp]
    public void SetUp() => _images = Path.Combine(Directory.CreateTempSubdirectory("keeper-restore-").FullName, "images");

    [TearDown]
    public void TearDown() => Directory.Delete(Path.GetDirectoryName(_images)!, true);

    [Test]
    public void Restore_PtyWhoseIndexIsTaken_GetsAnotherIndexReportsItAndKeepsItsState()
    {
        // A master nobody unlocked yet: posix_openpt without unlockpt.
        using DumpTarget target = DumpTarget.Start("sleep", "sleep 1000 5<>/dev/ptmx");
        int pid = target.Pid;
        int saved;
        using (SafeFd pidfd = Interop.PidfdOpen(pid))
        using (SafeFd master = Interop.PidfdGetfd(pidfd, 5))
        {
            saved = Interop.GetPtyIndex(master);
        }
        Dumper.Dump(pid, _images, new DumpOptions { Mode = DumpMode.Kill });
        Assert.That(DumpTarget.WaitGone(pid, 5000), Is.True, "the dumped tree was ended");

        var held = new List<SafeFd>();
        try
        {
            // Take the saved index (devpts hands out the lowest free one).
            for (int i = 0; i < 1024 && !held.Any(m => Interop.GetPtyIndex(m) == saved); i++)
            {
                held.Add(Interop.Open("/dev/ptmx", OpenFlags.O_RDWR | OpenFlags.O_NOCTTY | OpenFlags.O_CLOEXEC));
            }
            Assume.That(held.Any(m => Interop.GetPtyIndex(m) == saved), $"could not take /dev/pts/{saved}");

            var log = new List<string>();
            int root = Restorer.Restore(_images, log.Add);
            try
            {
                using SafeFd pidfd = Interop.PidfdOpen(root);
                using SafeFd master = Interop.PidfdGetfd(pidfd, 5);
                int now = Interop.GetPtyIndex(master);
                Assert.Multiple(() =>
                {
                    Assert.That(now, Is.Not.EqualTo(saved));
                    Assert.That(log, Has.Some.Contains($"pty {saved}: the index is taken; restored as /dev/pts/{now}"));
                    Assert.That(Interop.IoctlGet<int>(master, IoctlRequest.TIOCGPTLCK), Is.EqualTo(1), "still locked");
                    Assert.That(Interop.GetStatusFlags(master) & OpenFlags.O_ACCMODE, Is.EqualTo(OpenFlags.O_RDWR));
                });
            }
            finally
            {
                Interop.TryKill(root, Signals.SIGKILL);
            }
        }
        finally
        {
            held.ForEach(m => m.Dispose());
        }
    }
}
