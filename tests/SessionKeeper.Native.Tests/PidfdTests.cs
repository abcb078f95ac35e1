namespace SessionKeeper.Native.Tests;

public sealed class PidfdTests
{
    private const int ChildFd = 7;

    [Test]
    public void PidfdGetfd_FdOfChildProcess_SharesItsOpenFileDescription()
    {
        using var child = ChildProcess.WithOpenFile(ChildFd, "/etc/hostname");
        using SafeFd pidfd = Interop.PidfdOpen(child.Pid);

        using SafeFd copy = Interop.PidfdGetfd(pidfd, ChildFd);

        using SafeFd own = Interop.Open("/etc/hostname", OpenFlags.O_RDONLY);
        Stat copied = Interop.Fstat(copy);
        Stat expected = Interop.Fstat(own);
        Assert.Multiple(() =>
        {
            Assert.That((copied.Dev, copied.Ino), Is.EqualTo((expected.Dev, expected.Ino)));
            Assert.That(Interop.Kcmp(child.Pid, Environment.ProcessId, KcmpType.KCMP_FILE, ChildFd, (ulong)copy.Fd), Is.EqualTo(KcmpOrder.Equal));
            Assert.That(Interop.Kcmp(child.Pid, Environment.ProcessId, KcmpType.KCMP_FILE, ChildFd, (ulong)own.Fd), Is.Not.EqualTo(KcmpOrder.Equal));
            Assert.That(Interop.GetCloseOnExec(copy), Is.True);
        });
    }

    [Test]
    public void TryPidfdGetfd_ClosedTargetFd_ReturnsNull()
    {
        using var child = ChildProcess.WithOpenFile(ChildFd, "/etc/hostname");
        using SafeFd pidfd = Interop.PidfdOpen(child.Pid);

        Assert.That(Interop.TryPidfdGetfd(pidfd, 900), Is.Null);
    }

    [Test]
    public void TryPidfdSendSignal_ReapedProcess_ReturnsFalse()
    {
        using var child = ChildProcess.WithOpenFile(ChildFd, "/etc/hostname");
        using SafeFd pidfd = Interop.PidfdOpen(child.Pid);

        Interop.PidfdSendSignal(pidfd, 9);
        child.KillAndReap();

        Assert.That(Interop.TryPidfdSendSignal(pidfd, 0), Is.False);
    }

    [Test]
    public void TryPidfdOpen_NoSuchPid_ReturnsNull()
    {
        // Above the largest pid_max the kernel allows (2^22), so never a live process.
        Assert.That(Interop.TryPidfdOpen(0x3FFFFFFF), Is.Null);
    }

    [Test]
    public void Kcmp_OwnProcessAndChild_VmEqualOnlyForItself()
    {
        using var child = ChildProcess.WithOpenFile(ChildFd, "/etc/hostname");
        int self = Environment.ProcessId;

        Assert.Multiple(() =>
        {
            Assert.That(Interop.Kcmp(self, self, KcmpType.KCMP_VM), Is.EqualTo(KcmpOrder.Equal));
            Assert.That(Interop.Kcmp(self, child.Pid, KcmpType.KCMP_VM), Is.Not.EqualTo(KcmpOrder.Equal));
        });
    }
}
