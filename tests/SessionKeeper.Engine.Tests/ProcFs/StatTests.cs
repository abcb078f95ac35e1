using SessionKeeper.Engine.ProcFs;

namespace SessionKeeper.Engine.Tests.ProcFsTests;

[TestFixture]
public sealed class StatTests
{
    private const string Sample =
        "25766 (cat) R 25753 25753 23362 34819 -1 4194304 101 0 0 0 0 0 0 0 20 0 1 0 144739 3133440 417 18446744073709551615 " +
        "94210372567040 94210372586921 140736628560960 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0 94210372602928 94210372604544 " +
        "94211369672704 140736628562205 140736628562225 140736628562225 140736628563947 0\n";

    [Test]
    public void ParseStat_KernelSample_ReadsEveryField()
    {
        ProcStat stat = ProcFsReader.ParseStat(Sample);

        Assert.Multiple(() =>
        {
            Assert.That(stat.Pid, Is.EqualTo(25766));
            Assert.That(stat.Comm, Is.EqualTo("cat"));
            Assert.That(stat.State, Is.EqualTo('R'));
            Assert.That(stat.Ppid, Is.EqualTo(25753));
            Assert.That(stat.Pgrp, Is.EqualTo(25753));
            Assert.That(stat.Session, Is.EqualTo(23362));
            Assert.That(stat.TtyNr, Is.EqualTo(34819));
            Assert.That(stat.Tpgid, Is.EqualTo(-1));
            Assert.That(stat.Flags, Is.EqualTo(4194304u));
            Assert.That(stat.MinFlt, Is.EqualTo(101UL));
            Assert.That(stat.Priority, Is.EqualTo(20));
            Assert.That(stat.NumThreads, Is.EqualTo(1));
            Assert.That(stat.StartTime, Is.EqualTo(144739UL));
            Assert.That(stat.VSize, Is.EqualTo(3133440UL));
            Assert.That(stat.Rss, Is.EqualTo(417));
            Assert.That(stat.RssLim, Is.EqualTo(ulong.MaxValue));
            Assert.That(stat.StartCode, Is.EqualTo(94210372567040UL));
            Assert.That(stat.EndCode, Is.EqualTo(94210372586921UL));
            Assert.That(stat.StartStack, Is.EqualTo(140736628560960UL));
            Assert.That(stat.ExitSignal, Is.EqualTo(17));
            Assert.That(stat.Processor, Is.EqualTo(1));
            Assert.That(stat.StartData, Is.EqualTo(94210372602928UL));
            Assert.That(stat.EndData, Is.EqualTo(94210372604544UL));
            Assert.That(stat.StartBrk, Is.EqualTo(94211369672704UL));
            Assert.That(stat.ArgStart, Is.EqualTo(140736628562205UL));
            Assert.That(stat.ArgEnd, Is.EqualTo(140736628562225UL));
            Assert.That(stat.EnvStart, Is.EqualTo(140736628562225UL));
            Assert.That(stat.EnvEnd, Is.EqualTo(140736628563947UL));
            Assert.That(stat.ExitCode, Is.EqualTo(0));
        });
    }

    [TestCase("1 (a) (b c) S 0 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5", "a) (b c")]
    [TestCase("1 () S 0 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5", "")]
    [TestCase("1 ( ) S 0 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5", " ")]
    [TestCase("1 ()) S 0 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5", ")")]
    public void ParseStat_HostileComm_CutsAtLastParenthesis(string line, string comm)
    {
        ProcStat stat = ProcFsReader.ParseStat(line);

        Assert.Multiple(() =>
        {
            Assert.That(stat.Comm, Is.EqualTo(comm));
            Assert.That(stat.State, Is.EqualTo('S'));
            Assert.That(stat.StartTime, Is.EqualTo(5UL));
            Assert.That(stat.EnvEnd, Is.EqualTo(0UL), "fields an old kernel does not print stay 0");
        });
    }

    [TestCase("")]
    [TestCase("12 cat R 1")]
    [TestCase("12 (cat) R 1 2 3")]
    [TestCase("12 (cat) R x 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5")]
    public void ParseStat_Malformed_ThrowsFormatException(string line)
    {
        Assert.Throws<FormatException>(() => ProcFsReader.ParseStat(line));
    }

    [Test]
    public void TryReadStat_Self_MatchesProcess()
    {
        Assert.That(ProcFsReader.TryReadStat(Environment.ProcessId, out ProcStat stat), Is.True);

        Assert.Multiple(() =>
        {
            Assert.That(stat.Pid, Is.EqualTo(Environment.ProcessId));
            Assert.That(stat.NumThreads, Is.GreaterThan(1));
            Assert.That(stat.StartTime, Is.GreaterThan(0UL));
            Assert.That(stat.ArgStart, Is.LessThan(stat.ArgEnd));
            Assert.That(stat.StartCode, Is.LessThan(stat.EndCode), "root may read the code range");
        });
    }

    [Test]
    public void TryReadTaskStat_SleepChild_MainThreadSleeps()
    {
        using ProcFsChild child = ProcFsChild.Start("exec sleep 100");
        child.WaitUntilSleeping();

        Assert.That(ProcFsReader.TryReadStat(child.Pid, out ProcStat process), Is.True);
        Assert.That(ProcFsReader.TryReadTaskStat(child.Pid, child.Pid, out ProcStat thread), Is.True);
        Assert.Multiple(() =>
        {
            Assert.That(process.Comm, Is.EqualTo("sleep"));
            Assert.That(process.State, Is.EqualTo('S'));
            Assert.That(thread.Pid, Is.EqualTo(child.Pid));
            Assert.That(thread.StartTime, Is.EqualTo(process.StartTime));
        });
    }

    [Test]
    public void TryReadStat_CommWithSpacesAndParenthesis_ReadsName()
    {
        // PR_SET_NAME (15) accepts any bytes up to 15 characters.
        using ProcFsChild child = ProcFsChild.StartPython("""
            import ctypes, os, sys, time
            ctypes.CDLL(None).prctl(15, b"x) (y z", 0, 0, 0)
            ready()
            time.sleep(600)
            """);

        Assert.That(ProcFsReader.TryReadStat(child.Pid, out ProcStat stat), Is.True);
        Assert.That(ProcFsReader.TryReadComm(child.Pid, out string comm), Is.True);
        Assert.That(ProcFsReader.TryReadStatus(child.Pid, out ProcStatus status), Is.True);
        Assert.Multiple(() =>
        {
            Assert.That(stat.Comm, Is.EqualTo("x) (y z"));
            Assert.That(stat.State, Is.EqualTo('S'));
            Assert.That(comm, Is.EqualTo("x) (y z"));
            Assert.That(status.Name, Is.EqualTo("x) (y z"));
        });
    }

    [Test]
    public void TryReadStat_GonePid_ReturnsFalse()
    {
        int pid = ProcFsChild.GonePid();

        Assert.Multiple(() =>
        {
            Assert.That(ProcFsReader.TryReadStat(pid, out _), Is.False);
            Assert.That(ProcFsReader.TryReadTaskStat(pid, pid, out _), Is.False);
        });
    }
}
