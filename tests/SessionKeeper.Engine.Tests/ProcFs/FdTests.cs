using SessionKeeper.Engine.ProcFs;

namespace SessionKeeper.Engine.Tests.ProcFsTests;

[TestFixture]
public sealed class FdTests
{
    // One of each fd kind the fdinfo parser knows, with values the test can predict.
    private const string ChildScript = """
        import ctypes, os, select, signal, sys, time
        d = sys.argv[1]
        libc = ctypes.CDLL(None, use_errno=True)
        out = {}
        out["eventfd"] = os.eventfd(5)
        r, w = os.pipe()
        out["pipe_r"] = r
        ep = select.epoll()
        ep.register(r, select.EPOLLIN | select.EPOLLET)
        out["epoll"] = ep.fileno()
        mask = ctypes.c_uint64((1 << 9) | (1 << 11))  # SIGUSR1, SIGUSR2
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1, signal.SIGUSR2})
        out["signalfd"] = libc.signalfd(-1, ctypes.byref(mask), 0)
        tfd = libc.timerfd_create(1, 0)  # CLOCK_MONOTONIC
        spec = (ctypes.c_long * 4)(7, 0, 300, 0)  # interval 7 s, first expiry in 300 s
        libc.timerfd_settime(tfd, 0, spec, None)
        out["timerfd"] = tfd
        ino = libc.inotify_init1(0)
        out["wd"] = libc.inotify_add_watch(ino, d.encode(), 0x100 | 0x200)  # IN_CREATE | IN_DELETE
        out["inotify"] = ino
        out["ptmx"] = os.open("/dev/ptmx", os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
        libc.unlockpt(out["ptmx"])
        libc.ptsname.restype = ctypes.c_char_p
        out["ptsname"] = libc.ptsname(out["ptmx"]).decode()
        out["pts"] = os.open(out["ptsname"], os.O_RDWR | os.O_NOCTTY)
        f = open(os.path.join(d, "gone file (x)"), "w+")
        f.write("hello")
        f.flush()
        out["deleted"] = f.fileno()
        os.unlink(os.path.join(d, "gone file (x)"))
        out["memfd"] = os.memfd_create("keeper test")
        ready(**out)
        time.sleep(600)
        """;

    [Test]
    public void ParseFdInfo_Epoll_ReadsTargets()
    {
        FdInfo info = ProcFsReader.ParseFdInfo(
            "pos:\t0\nflags:\t02000002\nmnt_id:\t17\nino:\t1038\n" +
            "tfd:        5 events: 80000019 data:                5  pos:0 ino:2b362 sdev:f\n" +
            "tfd:       12 events:       19 data: 00007f0012345678  pos:17 ino:1 sdev:8\n");

        Assert.Multiple(() =>
        {
            Assert.That(info.Flags, Is.EqualTo(0x80002u));
            Assert.That(info.MntId, Is.EqualTo(17));
            Assert.That(info.Ino, Is.EqualTo(1038UL));
            Assert.That(info.EpollTargets, Is.EqualTo(new[]
            {
                new EpollTarget(5, 0x80000019, 5, 0, 0x2b362, 0xf),
                new EpollTarget(12, 0x19, 0x7f0012345678, 17, 1, 8),
            }));
            Assert.That(info.Eventfd, Is.Null);
        });
    }

    [Test]
    public void ParseFdInfo_KindLines_EachInItsRecord()
    {
        FdInfo eventfd = ProcFsReader.ParseFdInfo("pos:\t0\nflags:\t02\nmnt_id:\t17\nino:\t9\neventfd-count:               1f\neventfd-id: 3\neventfd-semaphore: 1\n");
        FdInfo signalfd = ProcFsReader.ParseFdInfo("pos:\t0\nflags:\t02\nmnt_id:\t17\nsigmask:\t0000000000000a00\n");
        FdInfo timerfd = ProcFsReader.ParseFdInfo("pos:\t0\nflags:\t02\nmnt_id:\t17\nclockid: 1\nticks: 4\nsettime flags: 01\nit_value: (12, 345)\nit_interval: (7, 0)\n");
        FdInfo inotify = ProcFsReader.ParseFdInfo(
            "pos:\t0\nflags:\t00\nmnt_id:\t17\n" +
            "inotify wd:2 ino:2b362 sdev:f mask:300 ignored_mask:0 fhandle-bytes:8 fhandle-type:1 f_handle:62b3020000000000\n" +
            "inotify wd:a ino:1 sdev:8 mask:fff ignored_mask:0 \n");
        FdInfo tty = ProcFsReader.ParseFdInfo("pos:\t0\nflags:\t0104002\nmnt_id:\t23\nino:\t90\ntty-index:\t5\n");
        FdInfo locked = ProcFsReader.ParseFdInfo("pos:\t4\nflags:\t0100002\nmnt_id:\t21\nlock:\t1: FLOCK  ADVISORY  WRITE 4242 fe:00:1234 0 EOF\n");

        Assert.Multiple(() =>
        {
            Assert.That(eventfd.Eventfd, Is.EqualTo(new EventfdInfo(0x1f, 3, true)));
            Assert.That(signalfd.Signalfd, Is.EqualTo(new SignalfdInfo(0xa00)));
            Assert.That(timerfd.Timerfd, Is.EqualTo(new TimerfdInfo(1, 4, 1, 12, 345, 7, 0)));
            Assert.That(inotify.InotifyWatches, Has.Count.EqualTo(2));
            Assert.That(inotify.InotifyWatches![0].Wd, Is.EqualTo(2));
            Assert.That(inotify.InotifyWatches[0].Mask, Is.EqualTo(0x300u));
            Assert.That(inotify.InotifyWatches[0].Fhandle, Is.EqualTo(new byte[] { 0x62, 0xb3, 0x02, 0, 0, 0, 0, 0 }));
            Assert.That(inotify.InotifyWatches[1].Wd, Is.EqualTo(10));
            Assert.That(inotify.InotifyWatches[1].FhandleType, Is.EqualTo(-1));
            Assert.That(tty.TtyIndex, Is.EqualTo(5));
            Assert.That(tty.Ino, Is.EqualTo(90UL));
            Assert.That(locked.Locks, Is.EqualTo(new[] { "1: FLOCK  ADVISORY  WRITE 4242 fe:00:1234 0 EOF" }));
            Assert.That(locked.Ino, Is.EqualTo(0UL), "ino is absent before kernel 5.8");
        });
    }

    [Test]
    public void ParseFdInfo_BadOctalFlags_ThrowsFormatException()
    {
        Assert.Throws<FormatException>(() => ProcFsReader.ParseFdInfo("pos:\t0\nflags:\t0289\n"));
    }

    [TestCase("socket:[12345]", FdTargetKind.Socket, 12345UL, null, false)]
    [TestCase("pipe:[99]", FdTargetKind.Pipe, 99UL, null, false)]
    [TestCase("anon_inode:[eventpoll]", FdTargetKind.Epoll, 0UL, null, false)]
    [TestCase("anon_inode:[eventfd]", FdTargetKind.Eventfd, 0UL, null, false)]
    [TestCase("anon_inode:[signalfd]", FdTargetKind.Signalfd, 0UL, null, false)]
    [TestCase("anon_inode:[timerfd]", FdTargetKind.Timerfd, 0UL, null, false)]
    [TestCase("anon_inode:inotify", FdTargetKind.Inotify, 0UL, null, false)]
    [TestCase("anon_inode:[pidfd]", FdTargetKind.Pidfd, 0UL, null, false)]
    [TestCase("anon_inode:bpf-map", FdTargetKind.OtherAnonInode, 0UL, null, false)]
    [TestCase("/dev/ptmx", FdTargetKind.PtyMaster, 0UL, "/dev/ptmx", false)]
    [TestCase("/dev/pts/ptmx", FdTargetKind.PtyMaster, 0UL, "/dev/pts/ptmx", false)]
    [TestCase("/dev/pts/3", FdTargetKind.PtySlave, 0UL, "/dev/pts/3", false)]
    [TestCase("/dev/pts/3x", FdTargetKind.Path, 0UL, "/dev/pts/3x", false)]
    [TestCase("/home/u/.vim swap (deleted)", FdTargetKind.Path, 0UL, "/home/u/.vim swap", true)]
    [TestCase("/memfd:keeper test (deleted)", FdTargetKind.Memfd, 0UL, "/memfd:keeper test", true)]
    [TestCase("net:[4026531840]", FdTargetKind.Namespace, 4026531840UL, null, false)]
    [TestCase("something else", FdTargetKind.Unknown, 0UL, null, false)]
    public void ClassifyFdTarget_LinkText_Kind(string target, FdTargetKind kind, ulong inode, string? path, bool deleted)
    {
        FdEntry entry = ProcFsReader.ClassifyFdTarget(7, target);

        Assert.That(entry, Is.EqualTo(new FdEntry(7, target, kind, inode, path, deleted)));
    }

    [Test]
    public void TryReadFdsAndFdInfo_PythonChild_EveryKind()
    {
        using ProcFsChild child = ProcFsChild.StartPython(ChildScript);

        Assert.That(ProcFsReader.TryReadFds(child.Pid, out List<FdEntry> fds), Is.True);
        FdEntry Fd(string key)
            => fds.SingleOrDefault(f => f.Fd == child.IntValue(key))
               ?? throw new AssertionException($"no fd {key}={child.Values[key]} in [{string.Join(", ", fds.Select(f => $"{f.Fd}->{f.Target}"))}]");
        FdInfo Info(string key)
        {
            Assert.That(ProcFsReader.TryReadFdInfo(child.Pid, child.IntValue(key), out FdInfo info), Is.True);
            return info;
        }

        FdInfo epoll = Info("epoll");
        FdInfo timerfd = Info("timerfd");
        FdInfo inotify = Info("inotify");
        Assert.Multiple(() =>
        {
            Assert.That(fds.Select(f => f.Fd), Is.Ordered);
            Assert.That(Fd("eventfd").Kind, Is.EqualTo(FdTargetKind.Eventfd));
            Assert.That(Fd("pipe_r").Kind, Is.EqualTo(FdTargetKind.Pipe));
            Assert.That(Fd("pipe_r").Inode, Is.Not.EqualTo(0UL));
            Assert.That(Fd("epoll").Kind, Is.EqualTo(FdTargetKind.Epoll));
            Assert.That(Fd("signalfd").Kind, Is.EqualTo(FdTargetKind.Signalfd));
            Assert.That(Fd("timerfd").Kind, Is.EqualTo(FdTargetKind.Timerfd));
            Assert.That(Fd("inotify").Kind, Is.EqualTo(FdTargetKind.Inotify));
            Assert.That(Fd("ptmx").Kind, Is.EqualTo(FdTargetKind.PtyMaster));
            Assert.That(Fd("pts").Kind, Is.EqualTo(FdTargetKind.PtySlave));
            Assert.That(Fd("pts").Path, Is.EqualTo(child.Values["ptsname"]));
            Assert.That(Fd("deleted").Kind, Is.EqualTo(FdTargetKind.Path));
            Assert.That(Fd("deleted").Deleted, Is.True);
            Assert.That(Fd("deleted").Path, Does.EndWith("/gone file (x)"));
            Assert.That(Fd("memfd").Kind, Is.EqualTo(FdTargetKind.Memfd));

            Assert.That(Info("eventfd").Eventfd!.Count, Is.EqualTo(5UL));
            Assert.That(epoll.EpollTargets, Has.Count.EqualTo(1));
            Assert.That(epoll.EpollTargets![0].Fd, Is.EqualTo(child.IntValue("pipe_r")));
            Assert.That(epoll.EpollTargets[0].Events & 0x80000001u, Is.EqualTo(0x80000001u), "EPOLLIN | EPOLLET");
            Assert.That(epoll.EpollTargets[0].Ino, Is.EqualTo(Fd("pipe_r").Inode));
            Assert.That(Info("signalfd").Signalfd, Is.EqualTo(new SignalfdInfo((1UL << 9) | (1UL << 11))));
            Assert.That(timerfd.Timerfd!.ClockId, Is.EqualTo(1));
            Assert.That(timerfd.Timerfd.IntervalSeconds, Is.EqualTo(7UL));
            Assert.That(timerfd.Timerfd.ValueSeconds, Is.InRange(290UL, 300UL));
            Assert.That(inotify.InotifyWatches, Has.Count.EqualTo(1));
            Assert.That(inotify.InotifyWatches![0].Wd, Is.EqualTo(child.IntValue("wd")));
            Assert.That(inotify.InotifyWatches[0].Mask & 0x300u, Is.EqualTo(0x300u));
            Assert.That(Info("ptmx").TtyIndex, Is.EqualTo(int.Parse(child.Values["ptsname"]["/dev/pts/".Length..], System.Globalization.CultureInfo.InvariantCulture)));
            Assert.That(Info("ptmx").Flags & 0x800u, Is.EqualTo(0x800u), "O_NONBLOCK");
            Assert.That(Info("deleted").Pos, Is.EqualTo(5));
        });
    }

    [Test]
    public void TryReadFdInfo_ClosedFd_ReturnsFalse()
    {
        using ProcFsChild child = ProcFsChild.Start("exec sleep 100");

        Assert.That(ProcFsReader.TryReadFdInfo(child.Pid, 999, out _), Is.False);
    }

    [Test]
    public void TryReadFds_SleepChild_StdioOnly()
    {
        using ProcFsChild child = ProcFsChild.Start("exec sleep 100");

        Assert.That(ProcFsReader.TryReadFds(child.Pid, out List<FdEntry> fds), Is.True);
        // The detaching shell may leave a saved copy of stdin (dash keeps fd 10); stdio is ours.
        Assert.That(fds.Take(3).Select(f => (f.Fd, f.Target, f.Kind)), Is.EqualTo(new[]
        {
            (0, "/dev/null", FdTargetKind.Path), (1, "/dev/null", FdTargetKind.Path), (2, "/dev/null", FdTargetKind.Path),
        }));
    }

    [Test]
    public void TryReadFds_GonePid_ReturnsFalse()
    {
        int pid = ProcFsChild.GonePid();

        Assert.Multiple(() =>
        {
            Assert.That(ProcFsReader.TryReadFds(pid, out List<FdEntry> fds), Is.False);
            Assert.That(ProcFsReader.TryReadFdInfo(pid, 0, out _), Is.False);
            Assert.That(ProcFsReader.TryReadTaskIds(pid, out _), Is.False);
        });
    }
}
