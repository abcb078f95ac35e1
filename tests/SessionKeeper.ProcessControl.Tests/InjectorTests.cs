using System.Diagnostics;
using System.Globalization;
using SessionKeeper.Native;

namespace SessionKeeper.ProcessControl.Tests;

[TestFixture]
public sealed class InjectorTests
{
    private TracerThread _tracer = null!;

    [SetUp]
    public void SetUp() => _tracer = new TracerThread();

    [TearDown]
    public void TearDown() => _tracer.Dispose();

    private static string Maps(int pid) => File.ReadAllText($"/proc/{pid}/maps");

    [Test]
    public void Call_GetpidThroughVdso_ReturnsTargetPid()
    {
        using var sleeper = Detached.StartAs("sleep", "sleep 100");
        {
            long result = _tracer.Invoke(() =>
            {
                using FrozenTree tree = FrozenTree.Freeze(_tracer, sleeper.Pid);
                using var injector = new Injector(_tracer, tree[sleeper.Pid].Threads[0]);
                return injector.Call(SyscallNumber.Getpid);
            });
            Assert.That(result, Is.EqualTo(sleeper.Pid));
            // Just released, it may still be on its way back into nanosleep (state R) for a moment.
            Assert.That(() => ProcTasks.State(sleeper.Pid), Is.EqualTo('S').After(2000, 10), "sleep runs on after release");
        }
    }

    [Test]
    public void MapStub_ThenCalls_UseStubAndLeaveNoMappingBehind()
    {
        using var sleeper = Detached.StartAs("sleep", "sleep 100");
        {
            string before = Maps(sleeper.Pid);
            (long ppid, long pid, ulong scratch) = _tracer.Invoke(() =>
            {
                using FrozenTree tree = FrozenTree.Freeze(_tracer, sleeper.Pid);
                using var injector = new Injector(_tracer, tree[sleeper.Pid].Threads[0]);
                injector.MapStub();
                Assert.That(Maps(sleeper.Pid), Does.Contain($"{injector.Scratch - 4096:x}-"), "stub page is mapped while injecting");
                return (injector.Call(SyscallNumber.Getppid), injector.Call(SyscallNumber.Getpid), injector.Scratch);
            });
            Assert.That(pid, Is.EqualTo(sleeper.Pid));
            Assert.That(ppid, Is.EqualTo(1), "a detached test process belongs to init");
            Assert.That(Maps(sleeper.Pid), Is.EqualTo(before), "the stub is unmapped after release");
        }
    }

    [Test]
    public void CallBatch_MoreCallsThanOneStopHolds_ReturnsEveryResultInOrderAndLeavesNoTrace()
    {
        using var sleeper = Detached.StartAs("sleep", "sleep 100");
        {
            string before = Maps(sleeper.Pid);
            // getpid, then a close of a bad fd (EBADF) that must not stop the calls after it,
            // then getppid, repeated past MaxBatch so the batch needs more than one stop.
            var calls = new List<SyscallRequest>();
            for (int i = 0; i < Injector.MaxBatch + 10; i++)
            {
                calls.Add((i % 3) switch
                {
                    0 => new SyscallRequest(SyscallNumber.Getpid),
                    1 => new SyscallRequest(SyscallNumber.Close, 987_654),
                    _ => new SyscallRequest(SyscallNumber.Getppid),
                });
            }
            var results = new long[calls.Count];
            (int callCount, string? checkedError) = _tracer.Invoke(() =>
            {
                using FrozenTree tree = FrozenTree.Freeze(_tracer, sleeper.Pid);
                using var injector = new Injector(_tracer, tree[sleeper.Pid].Threads[0]);
                injector.MapStub();
                injector.CallBatch(calls.ToArray(), results);
                var error = Assert.Throws<ErrnoException>(() => injector.CallBatchChecked(calls.Take(3).ToArray(), new long[3]));
                return (injector.CallCount, error?.Message);
            });
            Assert.Multiple(() =>
            {
                for (int i = 0; i < calls.Count; i++)
                {
                    long expected = (i % 3) switch { 0 => sleeper.Pid, 1 => -(long)Errno.EBADF, _ => 1 };
                    Assert.That(results[i], Is.EqualTo(expected), $"result {i} ({calls[i].Number})");
                }
                Assert.That(checkedError, Does.Contain("Close").And.Contain("EBADF"));
                Assert.That(callCount, Is.GreaterThanOrEqualTo(calls.Count + 3), "every batched call is counted");
                Assert.That(Maps(sleeper.Pid), Is.EqualTo(before), "the stub is unmapped after release");
                // Just released, it may still be on its way back into nanosleep (state R) for a moment.
                Assert.That(() => ProcTasks.State(sleeper.Pid), Is.EqualTo('S').After(2000, 10), "sleep runs on after release");
            });
        }
    }

    [Test]
    public void Release_ThreadBlockedInRead_ReadRestartsAndGetsData()
    {
        // head sits in read(): the interrupt leaves rax = -ERESTARTSYS; after injected calls
        // the read must restart rather than return a bogus error.
        string dir = Directory.CreateTempSubdirectory("keeper-pc-").FullName;
        string fifo = Path.Combine(dir, "in");
        string output = Path.Combine(dir, "out");
        Process.Start("mkfifo", [fifo])!.WaitForExit();
        using var reader = Detached.Start($"exec head -n 1 {fifo} > {output}");
        using var writer = new FileStream(fifo, FileMode.Open, FileAccess.Write);
        Thread.Sleep(100);
        _tracer.Invoke(() =>
        {
            using FrozenTree tree = FrozenTree.Freeze(_tracer, reader.Pid);
            using var injector = new Injector(_tracer, tree[reader.Pid].Threads[0]);
            injector.MapStub();
            injector.Call(SyscallNumber.Getpid);
        });
        writer.Write("still here\n"u8);
        writer.Flush();
        Assert.That(reader.WaitGone(5000), Is.True);
        Assert.That(File.ReadAllText(output), Is.EqualTo("still here\n"));
        Directory.Delete(dir, true);
    }

    [Test]
    public void Release_ThreadInNanosleep_SleepContinues()
    {
        string dir = Directory.CreateTempSubdirectory("keeper-pc-").FullName;
        string status = Path.Combine(dir, "status");
        var clock = Stopwatch.StartNew();
        using var shell = Detached.Start($"sleep 0.6; echo $? > {status}");
        Thread.Sleep(150);
        int sleeper = ProcTasks.Children(shell.Pid, shell.Pid).Single();
        _tracer.Invoke(() =>
        {
            using FrozenTree tree = FrozenTree.Freeze(_tracer, sleeper);
            using var injector = new Injector(_tracer, tree[sleeper].Threads[0]);
            injector.Call(SyscallNumber.Getpid);
        });
        Assert.That(shell.WaitGone(5000), Is.True);
        Assert.That(File.ReadAllText(status).Trim(), Is.EqualTo("0"), "nanosleep restarted through restart_syscall, no EINTR");
        Assert.That(clock.ElapsedMilliseconds, Is.GreaterThanOrEqualTo(550));
        Directory.Delete(dir, true);
    }

    [Test]
    public void Freeze_TreeWithChildren_StopsEveryProcessAndReleasesThem()
    {
        using var shell = Detached.Start("exec bash -c 'sleep 100 & sleep 100 & wait'");
        {
            Thread.Sleep(200);
            int count = _tracer.Invoke(() =>
            {
                using FrozenTree tree = FrozenTree.Freeze(_tracer, shell.Pid);
                foreach (FrozenProcess p in tree.Processes)
                {
                    Assert.That(ProcTasks.State(p.Pid), Is.EqualTo('t'), $"{p} is in a trace stop");
                }
                return tree.Processes.Count;
            });
            Assert.That(count, Is.EqualTo(3));
            Assert.That(() => ProcTasks.State(shell.Pid), Is.EqualTo('S').After(2000, 10));
        }
        Process.Start("pkill", ["-KILL", "-P", shell.Pid.ToString(CultureInfo.InvariantCulture)])!.WaitForExit();
    }

    [Test]
    public void Freeze_MissingPid_ThrowsNamingPid()
    {
        var e = Assert.Throws<ErrnoException>(() => _tracer.Invoke(() => FrozenTree.Freeze(_tracer, 999_999)));
        Assert.That(e!.Message, Does.Contain("999999"));
    }

    [Test]
    public void Kill_FrozenTree_EndsEveryProcess()
    {
        using var shell = Detached.Start("exec bash -c 'sleep 100 & wait'");
        Thread.Sleep(200);
        List<int> pids = _tracer.Invoke(() =>
        {
            FrozenTree tree = FrozenTree.Freeze(_tracer, shell.Pid);
            tree.Kill();
            return tree.Processes.Select(p => p.Pid).ToList();
        });
        Assert.That(shell.WaitGone(5000), Is.True);
        foreach (int pid in pids)
        {
            Assert.That(ProcTasks.State(pid), Is.Null.Or.EqualTo('Z'), $"pid {pid} is gone");
        }
    }
}
