using System.Globalization;
using SessionKeeper.Native;

namespace SessionKeeper.ProcessControl.Tests;

[TestFixture]
public sealed class RestoreTasksTests
{
    private const ulong StubAddress = 0x7e0000000000;

    private static int FreePid()
    {
        int last = int.Parse(File.ReadAllText("/proc/sys/kernel/ns_last_pid").Trim(), CultureInfo.InvariantCulture);
        int max = int.Parse(File.ReadAllText("/proc/sys/kernel/pid_max").Trim(), CultureInfo.InvariantCulture);
        for (int candidate = last + 500; ; candidate++)
        {
            if (candidate >= max)
            {
                candidate = 300;
            }
            if (!Directory.Exists($"/proc/{candidate}"))
            {
                return candidate;
            }
        }
    }

    [Test]
    public void CloneProcess_FreePid_CreatesTracedTaskWithThatPidAndParent()
    {
        using var tracer = new TracerThread();
        int wanted = FreePid();
        var (hostPid, childPid, childPpid, childStub) = tracer.Invoke(() =>
        {
            Injector host = RestoreTasks.StartHost(tracer, StubAddress, 1);
            try
            {
                Injector child = RestoreTasks.CloneProcess(tracer, host, wanted, parentOutsideTree: false);
                long ppid = child.Call(SyscallNumber.Getppid);
                string maps = File.ReadAllText($"/proc/{wanted}/maps");
                Interop.TryKill(wanted, Signals.SIGKILL);
                Interop.TryWaitPid(wanted, WaitOptions.All);
                return (host.Thread.Pid, child.Thread.Pid, ppid, maps.Contains($"{StubAddress:x}-", StringComparison.Ordinal));
            }
            finally
            {
                Interop.TryKill(host.Thread.Pid, Signals.SIGKILL);
                Interop.TryWaitPid(host.Thread.Pid, WaitOptions.All);
            }
        });
        Assert.That(childPid, Is.EqualTo(wanted));
        Assert.That(childPpid, Is.EqualTo(hostPid), "cloned from the host, so the host is its parent");
        Assert.That(childStub, Is.True, "the stub page is inherited at the same address");
    }

    [Test]
    public void CloneProcess_PidTaken_FailsNamingPidAndOwner()
    {
        using var tracer = new TracerThread();
        using var sleeper = Detached.StartAs("sleep", "sleep 100");
        var e = Assert.Throws<ErrnoException>(() => tracer.Invoke(() =>
        {
            Injector host = RestoreTasks.StartHost(tracer, StubAddress, 1);
            try
            {
                RestoreTasks.CloneProcess(tracer, host, sleeper.Pid, parentOutsideTree: true);
            }
            finally
            {
                Interop.TryKill(host.Thread.Pid, Signals.SIGKILL);
                Interop.TryWaitPid(host.Thread.Pid, WaitOptions.All);
            }
        }));
        Assert.That(e!.Errno, Is.EqualTo(Errno.EEXIST));
        Assert.That(e.Message, Does.Contain($"pid {sleeper.Pid}").And.Contain("sleep"));
    }
}
