using SessionKeeper.Engine.ProcFs;
using SessionKeeper.Native;

namespace SessionKeeper.Engine.Tests.ProcFsTests;

[TestFixture]
public sealed class TimersMiscTests
{
    [Test]
    public void ParseTimers_TwoTimers_ReadsEach()
    {
        List<PosixTimer> timers = ProcFsReader.ParseTimers(
            "ID: 0\nsignal: 32/00007f3c5a7fe6c0\nnotify: thread/tid.11827\nClockID: 1\n" +
            "ID: 3\nsignal: 14/0000000000000000\nnotify: signal/pid.11826\nClockID: 0\n");

        Assert.That(timers, Is.EqualTo(new[]
        {
            new PosixTimer(0, 32, 0x7f3c5a7fe6c0, TimerNotify.Thread, true, 11827, 1),
            new PosixTimer(3, 14, 0, TimerNotify.Signal, false, 11826, 0),
        }));
    }

    [Test]
    public void ParseTimers_Empty_NoTimers()
    {
        Assert.That(ProcFsReader.ParseTimers(""), Is.Empty);
    }

    [Test]
    public void ParseTimers_BadNotify_ThrowsFormatException()
    {
        Assert.Throws<FormatException>(() => ProcFsReader.ParseTimers("ID: 0\nnotify: thread\n"));
    }

    [Test]
    public void TryReadTimers_PythonChildWithTimer_ReadsIt()
    {
        // timer_create with SIGEV_SIGNAL passes straight to the kernel: the id is the kernel's.
        using ProcFsChild child = ProcFsChild.StartPython("""
            import ctypes, os, sys, time
            libc = ctypes.CDLL(None)
            sev = (ctypes.c_byte * 64)()
            ctypes.c_uint64.from_buffer(sev, 0).value = 0x1234
            ctypes.c_int.from_buffer(sev, 8).value = 10   # SIGUSR1
            ctypes.c_int.from_buffer(sev, 12).value = 0   # SIGEV_SIGNAL
            tid = ctypes.c_void_p()
            assert libc.timer_create(1, sev, ctypes.byref(tid)) == 0
            ready(id=tid.value or 0)
            time.sleep(600)
            """);

        Assert.That(ProcFsReader.TryReadTimers(child.Pid, out List<PosixTimer> timers), Is.True);
        Assert.That(timers, Is.EqualTo(new[] { new PosixTimer(child.IntValue("id"), 10, 0x1234, TimerNotify.Signal, false, child.Pid, 1) }));
    }

    [Test]
    public void ParseChildren_List_ReadsPids()
    {
        Assert.Multiple(() =>
        {
            Assert.That(ProcFsReader.ParseChildren("12 345 "), Is.EqualTo(new[] { 12, 345 }));
            Assert.That(ProcFsReader.ParseChildren(""), Is.Empty);
        });
    }

    [Test]
    public void TryReadChildren_PythonWithTwoSleeps_ListsBoth()
    {
        using ProcFsChild child = ProcFsChild.StartPython("""
            import subprocess, time
            a = subprocess.Popen(["sleep", "600"])
            b = subprocess.Popen(["sleep", "600"])
            ready(a=a.pid, b=b.pid)
            time.sleep(600)
            """);
        int[] expected = [child.IntValue("a"), child.IntValue("b")];
        try
        {
            Assert.That(ProcFsReader.TryReadChildren(child.Pid, child.Pid, out List<int> children), Is.True);
            Assert.That(children, Is.EquivalentTo(expected));
        }
        finally
        {
            foreach (int pid in expected)
            {
                Interop.TryKill(pid, Signals.SIGKILL);
            }
        }
    }

    [Test]
    public void TryReadLinks_SleepChildInTmp_CwdRootExeCommPersonality()
    {
        using ProcFsChild child = ProcFsChild.Start("cd /tmp && exec sleep 100");

        Assert.Multiple(() =>
        {
            Assert.That(ProcFsReader.TryReadCwd(child.Pid, out string cwd) ? cwd : null, Is.EqualTo("/tmp"));
            Assert.That(ProcFsReader.TryReadRoot(child.Pid, out string root) ? root : null, Is.EqualTo("/"));
            Assert.That(ProcFsReader.TryReadExe(child.Pid, out string exe) ? exe : null, Does.EndWith("/sleep"));
            Assert.That(ProcFsReader.TryReadComm(child.Pid, out string comm) ? comm : null, Is.EqualTo("sleep"));
            Assert.That(ProcFsReader.TryReadTaskComm(child.Pid, child.Pid, out string taskComm) ? taskComm : null, Is.EqualTo("sleep"));
            Assert.That(ProcFsReader.TryReadPersonality(child.Pid, out uint personality) ? personality : 1u, Is.EqualTo(0u));
            Assert.That(ProcFsReader.TryReadCgroup(child.Pid, out List<CgroupEntry> cgroups) ? cgroups.Count : 0, Is.GreaterThan(0));
            Assert.That(ProcFsReader.TryReadTaskIds(child.Pid, out List<int> tids) ? tids : null, Is.EqualTo(new[] { child.Pid }));
        });
    }

    [Test]
    public void TryReadTaskIds_Self_ManyThreadsIncludingMain()
    {
        Assert.That(ProcFsReader.TryReadTaskIds(Environment.ProcessId, out List<int> tids), Is.True);

        Assert.That(tids, Does.Contain(Environment.ProcessId));
        Assert.That(tids, Is.Ordered);
    }

    [Test]
    public void ParseSmallFiles_Samples_Parse()
    {
        Assert.Multiple(() =>
        {
            Assert.That(ProcFsReader.ParseComm("my prog \n"), Is.EqualTo("my prog "));
            Assert.That(ProcFsReader.ParsePersonality("00400000\n"), Is.EqualTo(0x400000u));
            Assert.That(ProcFsReader.ParseCgroup("0::/user.slice/a:b.scope\n"), Is.EqualTo(new[] { new CgroupEntry(0, "", "/user.slice/a:b.scope") }));
            Assert.That(ProcFsReader.ParseCgroup("4:cpu,cpuacct:/\n")[0].Controllers, Is.EqualTo("cpu,cpuacct"));
        });
    }

    [Test]
    public void TryReadSmallFiles_GonePid_ReturnFalse()
    {
        int pid = ProcFsChild.GonePid();

        Assert.Multiple(() =>
        {
            Assert.That(ProcFsReader.TryReadTimers(pid, out _), Is.False);
            Assert.That(ProcFsReader.TryReadChildren(pid, pid, out _), Is.False);
            Assert.That(ProcFsReader.TryReadCwd(pid, out _), Is.False);
            Assert.That(ProcFsReader.TryReadRoot(pid, out _), Is.False);
            Assert.That(ProcFsReader.TryReadExe(pid, out _), Is.False);
            Assert.That(ProcFsReader.TryReadComm(pid, out _), Is.False);
            Assert.That(ProcFsReader.TryReadPersonality(pid, out _), Is.False);
            Assert.That(ProcFsReader.TryReadCgroup(pid, out _), Is.False);
        });
    }
}
