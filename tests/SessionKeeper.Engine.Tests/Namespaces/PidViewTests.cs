using SessionKeeper.Engine.Kinds.Namespaces;
using SessionKeeper.Engine.ProcFs;
using SessionKeeper.Images.V1;

namespace SessionKeeper.Engine.Tests.Namespaces;

[TestFixture]
public sealed class PidViewTests
{
    // Seen from keeper: init 5000 (pid 1 inside, its group and session outside), a session
    // leader 5004 (pid 3 inside) with a second thread 5005 (tid 4 inside).
    private static PidView View() => PidView.Inside(
        5000,
        [
            (5000, Status(nsPid: [5000, 1], nsPgid: [4990, 0], nsSid: [4990, 0])),
            (5004, Status(nsPid: [5004, 3], nsPgid: [5004, 3], nsSid: [5004, 3])),
        ],
        [(5005, Status(nsPid: [5005, 4], nsPgid: [5004, 3], nsSid: [5004, 3]))]);

    private static ProcStatus Status(int[] nsPid, int[] nsPgid, int[] nsSid)
        => new() { NSPid = nsPid, NSTgid = [nsPid[0]], NSPgid = nsPgid, NSSid = nsSid };

    [Test]
    public void Translate_PstreeOfATreeInItsOwnPidNamespace_RecordsPidsAsSeenInside()
    {
        PidView view = View();
        var init = new PstreeEntry { Pid = 5000, Ppid = 4999, Pgid = 4990, Sid = 4990, Threads = { 5000 }, State = ProcessState.Alive };
        var leader = new PstreeEntry { Pid = 5004, Ppid = 5000, Pgid = 5004, Sid = 5004, Threads = { 5004, 5005 }, State = ProcessState.Alive };

        PstreeEntry initInside = view.Translate(init);
        PstreeEntry leaderInside = view.Translate(leader);

        Assert.Multiple(() =>
        {
            Assert.That(view.IsInsideNamespace, Is.True);
            Assert.That(initInside, Is.EqualTo(new PstreeEntry { Pid = 1, Ppid = 0, Pgid = 0, Sid = 0, Threads = { 1 }, State = ProcessState.Alive }),
                "the init's parent and its group and session outside the namespace are 0");
            Assert.That(leaderInside, Is.EqualTo(new PstreeEntry { Pid = 3, Ppid = 1, Pgid = 3, Sid = 3, Threads = { 3, 4 }, State = ProcessState.Alive }));
            Assert.That(leader.Pid, Is.EqualTo(5004u), "the collected entry is left as it was");
            Assert.That(view.ToImage(5005), Is.EqualTo(4));
        });
    }

    [Test]
    public void Translate_CoreAndMm_TranslateEveryPidField()
    {
        PidView view = View();
        var core = new Core
        {
            Pid = 5004,
            Threads = { new ThreadCore { Tid = 5004 }, new ThreadCore { Tid = 5005 } },
            PosixTimers =
            {
                new Images.V1.PosixTimer { Id = 0, Notify = SigevNotify.ThreadId, NotifyTid = 5005 },
                new Images.V1.PosixTimer { Id = 1, Notify = SigevNotify.Signal, NotifyTid = 0 },
            },
        };

        Core inside = view.Translate(core);
        Mm mm = view.Translate(new Mm { Pid = 5004, Brk = 0x1000 });

        Assert.Multiple(() =>
        {
            Assert.That(inside.Pid, Is.EqualTo(3u));
            Assert.That(inside.Threads.Select(t => t.Tid), Is.EqualTo(new uint[] { 3, 4 }));
            Assert.That(inside.PosixTimers.Select(t => t.NotifyTid), Is.EqualTo(new uint[] { 4, 0 }), "a timer without a target thread keeps 0");
            Assert.That(core.Pid, Is.EqualTo(5004u), "the collected core is left as it was");
            Assert.That(mm.Pid, Is.EqualTo(3u));
            Assert.That(mm.Brk, Is.EqualTo(0x1000UL));
        });
    }

    [Test]
    public void Translate_HostTree_ReturnsTheSameImages()
    {
        var entry = new PstreeEntry { Pid = 5004, Ppid = 1, Pgid = 5004, Sid = 5004, Threads = { 5004 } };
        var core = new Core { Pid = 5004 };
        var mm = new Mm { Pid = 5004 };

        Assert.Multiple(() =>
        {
            Assert.That(PidView.Host.IsInsideNamespace, Is.False);
            Assert.That(PidView.Host.Translate(entry), Is.SameAs(entry));
            Assert.That(PidView.Host.Translate(core), Is.SameAs(core));
            Assert.That(PidView.Host.Translate(mm), Is.SameAs(mm));
            Assert.That(PidView.Host.ToImage(5004), Is.EqualTo(5004));
        });
    }

    [Test]
    public void ToImage_PidOutsideTheTree_Throws()
        => Assert.Throws<InvalidOperationException>(() => View().ToImage(4999));

    [Test]
    public void Inside_StatusWithoutNSpid_Throws()
        => Assert.Throws<InvalidOperationException>(() => PidView.Inside(5000, [(5000, new ProcStatus())], []));
}
