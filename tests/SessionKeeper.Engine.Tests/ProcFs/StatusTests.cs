using SessionKeeper.Engine.ProcFs;

namespace SessionKeeper.Engine.Tests.ProcFsTests;

[TestFixture]
public sealed class StatusTests
{
    private const string Sample =
        "Name:\tvim: x\n" +
        "Umask:\t0027\n" +
        "State:\tS (sleeping)\n" +
        "Tgid:\t11826\n" +
        "Ngid:\t0\n" +
        "Pid:\t11826\n" +
        "PPid:\t11623\n" +
        "TracerPid:\t0\n" +
        "Uid:\t1000\t1001\t1002\t1003\n" +
        "Gid:\t100\t101\t102\t4294967294\n" +
        "FDSize:\t64\n" +
        "Groups:\t24 27 4294967294 \n" +
        "NStgid:\t11826\t1\n" +
        "NSpid:\t11826\t1\n" +
        "NSpgid:\t11826\t1\n" +
        "NSsid:\t11826\t1\n" +
        "Kthread:\t0\n" +
        "VmRSS:\t    9412 kB\n" +
        "VmSwap:\t       8 kB\n" +
        "CoreDumping:\t0\n" +
        "THP_enabled:\t1\n" +
        "untag_mask:\t0xffffffffffffffff\n" +
        "Threads:\t2\n" +
        "SigQ:\t1/96364\n" +
        "SigPnd:\t0000000000000000\n" +
        "ShdPnd:\t0000000000000100\n" +
        "SigBlk:\t0000000000010000\n" +
        "SigIgn:\t0000000000003000\n" +
        "SigCgt:\t00000001ef804eff\n" +
        "CapInh:\t0000000000000000\n" +
        "CapPrm:\t000001fffeffffff\n" +
        "CapEff:\t000001fffeffffff\n" +
        "CapBnd:\t000001ffffffffff\n" +
        "CapAmb:\t0000000000000001\n" +
        "NoNewPrivs:\t1\n" +
        "Seccomp:\t2\n" +
        "Seccomp_filters:\t3\n" +
        "Speculation_Store_Bypass:\tthread vulnerable\n" +
        "SpeculationIndirectBranch:\talways enabled\n" +
        "Cpus_allowed:\t3\n" +
        "Cpus_allowed_list:\t0-1\n" +
        "Mems_allowed_list:\t0\n" +
        "voluntary_ctxt_switches:\t15\n" +
        "nonvoluntary_ctxt_switches:\t2\n";

    [Test]
    public void ParseStatus_FullSample_ReadsDumpFields()
    {
        ProcStatus status = ProcFsReader.ParseStatus(Sample);

        Assert.Multiple(() =>
        {
            Assert.That(status.Name, Is.EqualTo("vim: x"));
            Assert.That(status.Umask, Is.EqualTo(0x17u)); // 027 octal
            Assert.That(status.State, Is.EqualTo('S'));
            Assert.That(status.Tgid, Is.EqualTo(11826));
            Assert.That(status.PPid, Is.EqualTo(11623));
            Assert.That(status.Uid, Is.EqualTo(new IdSet(1000, 1001, 1002, 1003)));
            Assert.That(status.Gid, Is.EqualTo(new IdSet(100, 101, 102, 4294967294)));
            Assert.That(status.FdSize, Is.EqualTo(64));
            Assert.That(status.Groups, Is.EqualTo(new uint[] { 24, 27, 4294967294 }));
            Assert.That(status.NSPid, Is.EqualTo(new[] { 11826, 1 }));
            Assert.That(status.NSSid, Is.EqualTo(new[] { 11826, 1 }));
            Assert.That(status.KernelThread, Is.False);
            Assert.That(status.Threads, Is.EqualTo(2));
            Assert.That(status.SignalsQueued, Is.EqualTo(1));
            Assert.That(status.SignalQueueLimit, Is.EqualTo(96364UL));
            Assert.That(status.ShdPnd, Is.EqualTo(0x100UL));
            Assert.That(status.SigBlk, Is.EqualTo(0x10000UL));
            Assert.That(status.SigIgn, Is.EqualTo(0x3000UL));
            Assert.That(status.SigCgt, Is.EqualTo(0x1ef804effUL));
            Assert.That(status.CapEff, Is.EqualTo(0x1fffeffffffUL));
            Assert.That(status.CapBnd, Is.EqualTo(0x1ffffffffffUL));
            Assert.That(status.CapAmb, Is.EqualTo(1UL));
            Assert.That(status.NoNewPrivs, Is.True);
            Assert.That(status.Seccomp, Is.EqualTo(2));
            Assert.That(status.SeccompFilters, Is.EqualTo(3));
            Assert.That(status.SpeculationStoreBypass, Is.EqualTo("thread vulnerable"));
            Assert.That(status.CpusAllowedList, Is.EqualTo("0-1"));
            Assert.That(status.VmRssKb, Is.EqualTo(9412UL));
            Assert.That(status.VmSwapKb, Is.EqualTo(8UL));
            Assert.That(status.ThpEnabled, Is.True);
            Assert.That(status.NonvoluntaryContextSwitches, Is.EqualTo(2UL));
        });
    }

    [Test]
    public void ParseStatus_OldKernelWithoutOptionalLines_LeavesDefaults()
    {
        ProcStatus status = ProcFsReader.ParseStatus(
            "Name:\tbash\nState:\tR (running)\nTgid:\t7\nPid:\t7\nPPid:\t1\nTracerPid:\t0\n" +
            "Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nFDSize:\t256\nGroups:\t \nSigQ:\t0/100\n" +
            "SigPnd:\t0000000000000000\nShdPnd:\t0000000000000000\nSigBlk:\t0000000000000000\n" +
            "SigIgn:\t0000000000000000\nSigCgt:\t0000000000000000\nCapInh:\t0000000000000000\n");

        Assert.Multiple(() =>
        {
            Assert.That(status.Umask, Is.Null);
            Assert.That(status.Seccomp, Is.Null);
            Assert.That(status.SeccompFilters, Is.Null);
            Assert.That(status.KernelThread, Is.Null);
            Assert.That(status.Groups, Is.Empty);
            Assert.That(status.NSPid, Is.Empty);
            Assert.That(status.Pid, Is.EqualTo(7));
        });
    }

    [Test]
    public void ParseStatus_MalformedKnownLine_ThrowsFormatException()
    {
        Assert.Throws<FormatException>(() => ProcFsReader.ParseStatus("Uid:\t0\t0\n"));
        Assert.Throws<FormatException>(() => ProcFsReader.ParseStatus("SigBlk:\tzz\n"));
    }

    [Test]
    public void TryReadStatus_Self_MatchesProcess()
    {
        Assert.That(ProcFsReader.TryReadStatus(Environment.ProcessId, out ProcStatus status), Is.True);

        Assert.Multiple(() =>
        {
            Assert.That(status.Tgid, Is.EqualTo(Environment.ProcessId));
            Assert.That(status.NSPid[^1], Is.EqualTo(Environment.ProcessId));
            Assert.That(status.Uid.Effective, Is.EqualTo(0u));
            Assert.That(status.CapEff, Is.Not.EqualTo(0UL));
            Assert.That(status.Umask, Is.Not.Null);
            Assert.That(status.Seccomp, Is.Not.Null);
            Assert.That(status.Threads, Is.GreaterThan(1));
        });
    }

    [Test]
    public void TryReadStatus_PythonChildWithMasks_ReadsBlockedAndIgnored()
    {
        using ProcFsChild child = ProcFsChild.StartPython("""
            import os, signal, sys, time
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1})
            signal.signal(signal.SIGUSR2, signal.SIG_IGN)
            signal.signal(signal.SIGHUP, lambda *a: None)
            os.umask(0o027)
            ready()
            time.sleep(600)
            """);

        Assert.That(ProcFsReader.TryReadStatus(child.Pid, out ProcStatus status), Is.True);
        Assert.That(ProcFsReader.TryReadTaskStatus(child.Pid, child.Pid, out ProcStatus thread), Is.True);
        Assert.Multiple(() =>
        {
            Assert.That(status.SigBlk & (1UL << 9), Is.Not.EqualTo(0UL), "SIGUSR1 (10) blocked");
            Assert.That(status.SigIgn & (1UL << 11), Is.Not.EqualTo(0UL), "SIGUSR2 (12) ignored");
            Assert.That(status.SigCgt & 1UL, Is.Not.EqualTo(0UL), "SIGHUP (1) caught");
            Assert.That(status.Umask, Is.EqualTo(0x17u));
            Assert.That(thread.SigBlk, Is.EqualTo(status.SigBlk));
        });
    }

    [Test]
    public void TryReadStatus_GonePid_ReturnsFalse()
    {
        Assert.That(ProcFsReader.TryReadStatus(ProcFsChild.GonePid(), out _), Is.False);
    }
}
