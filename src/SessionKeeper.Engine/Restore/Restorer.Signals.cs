using System.Buffers.Binary;
using SessionKeeper.Images.V1;
using SessionKeeper.Native;
using SessionKeeper.ProcessControl;
using ResourceLimit = SessionKeeper.Engine.ProcFs.ResourceLimit;

namespace SessionKeeper.Engine.Restore;

/// <summary>
/// Process-wide kernel state that is not memory or files: limits, personality, timers, queued
/// signals, and zombies.
/// </summary>
public sealed partial class Restorer
{
    private const int SigevSignal = 0;
    private const int SigevNone = 1;
    private const int SigevThreadId = 4;
    private const int SigInfoSize = 128;

    /// <summary>Resource limits that differ from the ones the clone inherited, and the personality.</summary>
    private static void RestoreLimits(Injector task, Core core)
    {
        int pid = task.Thread.Pid;
        ProcFs.ProcFsReader.TryReadLimits(pid, out ResourceLimit[] current);
        foreach (Images.V1.Rlimit saved in core.Rlimits)
        {
            if (current.FirstOrDefault(l => (uint)l.Resource == saved.Resource) is { } now && now.Soft == saved.Cur && now.Hard == saved.Max)
            {
                continue;
            }
            var value = new Native.Rlimit { Current = saved.Cur, Maximum = saved.Max };
            ulong address = WriteStruct(task, value);
            long result = task.Call(SyscallNumber.Prlimit64, 0, saved.Resource, address, 0);
            if (result == -(long)Errno.EPERM)
            {
                throw new RestoreException(pid, $"prlimit64(resource {saved.Resource})",
                    $"the saved hard limit {saved.Max} is above the one keeper runs with and raising it needs CAP_SYS_RESOURCE");
            }
            Check(task, result, $"prlimit64(resource {saved.Resource})");
        }
        if (core.Personality != 0)
        {
            Step(task, "personality", () => task.CallChecked(SyscallNumber.Personality, core.Personality));
        }
    }

    /// <summary>
    /// Interval timers, POSIX timers with their ids (PR_TIMER_CREATE_RESTORE_IDS), the
    /// subreaper flag and the queued signals of the process and of each thread. Runs once all
    /// threads exist: a timer may notify one of them, a signal may be queued for one.
    /// </summary>
    private void RestoreTimersAndSignals(int pid)
    {
        Injector task = _tasks[pid];
        Core core = _images.Cores[pid];
        RestoreItimers(task, core.Itimers);
        RestorePosixTimers(task, core);
        if (core.ChildSubreaper)
        {
            Step(task, "prctl(PR_SET_CHILD_SUBREAPER)", () => task.CallChecked(SyscallNumber.Prctl, (ulong)PrctlOption.PR_SET_CHILD_SUBREAPER, 1));
        }
        if (IsStopped(pid))
        {
            return; // queued once it is stopped again (StopAgain)
        }
        QueueSavedSignals(pid, tid => _threads[tid]);
    }

    /// <summary>
    /// Queues the saved pending signals of <paramref name="pid"/>. Every thread blocks all
    /// signals while calls are injected, so what is queued waits for the saved masks; signals
    /// the process was not blocking are delivered once it runs, as they would have been.
    /// </summary>
    private void QueueSavedSignals(int pid, Func<int, Injector> threadOf)
    {
        Core core = _images.Cores[pid];
        Injector task = threadOf(pid);
        foreach (PendingSignal signal in core.SharedPending)
        {
            QueueSignal(task, pid, tid: null, signal);
        }
        foreach (ThreadCore thread in core.Threads)
        {
            foreach (PendingSignal signal in thread.Pending)
            {
                QueueSignal(threadOf((int)thread.Tid), pid, (int)thread.Tid, signal);
            }
        }
    }

    private bool IsStopped(int pid) => _images.Cores[pid].Threads.Any(t => t.State == TaskState.Stopped);

    /// <summary>
    /// Puts a process that was in a job-control stop back into it: SIGSTOP, detach, wait until
    /// it is stopped, then seize it again just long enough to queue its saved signals. Queued
    /// earlier, a caught signal numbered below SIGSTOP would run its handler before the stop,
    /// where the original only ran it after a SIGCONT.
    /// </summary>
    private void StopAgain(TracerThread tracer, int pid)
    {
        int hostPid = _tasks[pid].Thread.Pid;
        List<(int ImageTid, int HostTid)> threads = _images.Cores[pid].Threads
            .Select(t => ((int)t.Tid, _threads[(int)t.Tid].Thread.Tid)).ToList();
        Interop.Kill(hostPid, Signals.SIGSTOP);
        foreach ((_, int hostTid) in threads)
        {
            Interop.PtraceDetach(hostTid);
        }
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (ProcTasks.State(hostPid) != 'T')
        {
            if (clock.ElapsedMilliseconds > 5000)
            {
                throw new RestoreException(pid, "job-control stop", $"pid {hostPid} did not stop after SIGSTOP");
            }
            Thread.Sleep(1);
        }
        Core core = _images.Cores[pid];
        if (core.SharedPending.Count == 0 && core.Threads.All(t => t.Pending.Count == 0))
        {
            return;
        }
        var injectors = new Dictionary<int, Injector>();
        try
        {
            foreach ((int imageTid, int hostTid) in threads)
            {
                Interop.PtraceSeize(hostTid, PtraceOptions.TraceSysGood);
                Interop.PtraceInterrupt(hostTid);
                var injector = new Injector(tracer, Tracee.FromNewTask(hostPid, hostTid));
                injectors[imageTid] = injector;
                // Scratch memory for the siginfo: one page, shared by the threads.
                if (injectors.Count == 1)
                {
                    injector.MapStub();
                }
                else
                {
                    (ulong stub, int length) = injectors.Values.First().StubMapping;
                    injector.AdoptStub(stub, length);
                }
            }
            QueueSavedSignals(pid, tid => injectors[tid]);
        }
        finally
        {
            // Registers and masks back as they were; detached, the process re-enters its stop.
            foreach (Injector injector in injectors.Values)
            {
                injector.Dispose();
                Interop.TryPtraceDetach(injector.Thread.Tid);
            }
        }
    }

    private static void RestoreItimers(Injector task, ITimers? itimers)
    {
        if (itimers is null)
        {
            return;
        }
        TimerValue?[] timers = [itimers.Real, itimers.Virt, itimers.Prof];
        for (int which = 0; which < timers.Length; which++)
        {
            if (timers[which] is not { } value)
            {
                continue;
            }
            // Expired and waiting for its SIGALRM to be dequeued (see the dump): the next expiry
            // is one interval away.
            if (value.ValueNs == 0)
            {
                value = new TimerValue { IntervalNs = value.IntervalNs, ValueNs = value.IntervalNs };
            }
            var setting = new ItimerVal
            {
                Interval = new Timeval { Seconds = (long)(value.IntervalNs / 1_000_000_000), Microseconds = (long)(value.IntervalNs % 1_000_000_000 / 1000) },
                Value = new Timeval { Seconds = (long)(value.ValueNs / 1_000_000_000), Microseconds = (long)(value.ValueNs % 1_000_000_000 / 1000) },
            };
            if (which != 0)
            {
                // The kernel adds one tick to the value of a CPU-time itimer when it is set;
                // take it off again so that the timer expires when it would have.
                long valueUs = Math.Max(1, (long)(value.ValueNs / 1000) - (CpuTimerTickNs(task) / 1000));
                setting.Value = new Timeval { Seconds = valueUs / 1_000_000, Microseconds = valueUs % 1_000_000 };
            }
            // A value under a microsecond would read as "disarm".
            if (setting.Value.Seconds == 0 && setting.Value.Microseconds == 0)
            {
                setting.Value.Microseconds = 1;
            }
            ulong address = WriteStruct(task, setting);
            int timer = which;
            Step(task, $"setitimer({timer})", () => task.CallChecked(SyscallNumber.Setitimer, (ulong)timer, address, 0));
        }
    }

    private static long s_cpuTimerTickNs = -1;

    /// <summary>
    /// The tick the kernel adds to a CPU-time itimer on setitimer, measured once in a stopped
    /// task (its CPU clock stands still): arm ITIMER_VIRTUAL with 1 µs and read it back.
    /// </summary>
    private static long CpuTimerTickNs(Injector task)
    {
        if (s_cpuTimerTickNs >= 0)
        {
            return s_cpuTimerTickNs;
        }
        const int itimerVirtual = 1;
        var probe = new ItimerVal { Value = new Timeval { Microseconds = 1 } };
        ulong address = WriteStruct(task, probe);
        Step(task, "setitimer(probe)", () => task.CallChecked(SyscallNumber.Setitimer, itimerVirtual, address, 0));
        Step(task, "getitimer(probe)", () => task.CallChecked(SyscallNumber.Getitimer, itimerVirtual, address));
        Span<byte> raw = stackalloc byte[System.Runtime.InteropServices.Marshal.SizeOf<ItimerVal>()];
        task.ReadScratch(raw);
        ItimerVal read = System.Runtime.InteropServices.MemoryMarshal.Read<ItimerVal>(raw);
        long tick = Math.Max(0, (read.Value.Seconds * 1_000_000_000L) + (read.Value.Microseconds * 1000) - 1000);
        var disarm = new ItimerVal();
        ulong zero = WriteStruct(task, disarm);
        Step(task, "setitimer(disarm probe)", () => task.CallChecked(SyscallNumber.Setitimer, itimerVirtual, zero, 0));
        s_cpuTimerTickNs = tick;
        return tick;
    }

    private static void RestorePosixTimers(Injector task, Core core)
    {
        if (core.PosixTimers.Count == 0)
        {
            return;
        }
        long supported = task.Call(SyscallNumber.Prctl, (ulong)PrctlOption.PR_TIMER_CREATE_RESTORE_IDS, 1);
        if (supported < 0)
        {
            throw new RestoreException(task.Thread.Pid, "POSIX timers",
                $"this kernel cannot create a timer with a given id (prctl PR_TIMER_CREATE_RESTORE_IDS: {(Errno)(-supported)}; needs Linux 6.15 or later)");
        }
        // struct sigevent (64 bytes): sigev_value, sigev_signo, sigev_notify, then the tid.
        Span<byte> sigevent = stackalloc byte[64 + 8];
        foreach (PosixTimer timer in core.PosixTimers)
        {
            sigevent.Clear();
            BinaryPrimitives.WriteUInt64LittleEndian(sigevent, timer.SigevValue);
            BinaryPrimitives.WriteInt32LittleEndian(sigevent[8..], timer.Signo);
            int notify = timer.Notify switch
            {
                SigevNotify.None => SigevNone,
                SigevNotify.ThreadId or SigevNotify.Thread => SigevThreadId,
                _ => SigevSignal,
            };
            BinaryPrimitives.WriteInt32LittleEndian(sigevent[12..], notify);
            BinaryPrimitives.WriteInt32LittleEndian(sigevent[16..], (int)timer.NotifyTid);
            // The id to create goes where timer_create stores the id it created.
            BinaryPrimitives.WriteInt32LittleEndian(sigevent[64..], timer.Id);
            ulong address = task.WriteScratch(sigevent);
            string what = $"timer_create(id {timer.Id})";
            Step(task, what, () => task.CallChecked(SyscallNumber.TimerCreate, (ulong)timer.ClockId, address, address + 64));
            if (timer.Value is { } value)
            {
                ulong valueNs = value.ValueNs == 0 ? value.IntervalNs : value.ValueNs;
                var setting = new ItimerSpec
                {
                    Interval = new Timespec { Seconds = (long)(value.IntervalNs / 1_000_000_000), Nanoseconds = (long)(value.IntervalNs % 1_000_000_000) },
                    Value = new Timespec { Seconds = (long)(valueNs / 1_000_000_000), Nanoseconds = (long)Math.Max(1, valueNs % 1_000_000_000) },
                };
                ulong spec = WriteStruct(task, setting);
                Step(task, $"timer_settime(id {timer.Id})", () => task.CallChecked(SyscallNumber.TimerSettime, (ulong)timer.Id, 0, spec, 0));
            }
        }
        Step(task, "prctl(PR_TIMER_CREATE_RESTORE_IDS, off)", () => task.CallChecked(SyscallNumber.Prctl, (ulong)PrctlOption.PR_TIMER_CREATE_RESTORE_IDS, 0));
    }

    /// <summary>
    /// Queues a saved signal again with its siginfo. The kernel takes a siginfo that claims to
    /// come from kill() or tgkill() only from its receiver itself, so <paramref name="task"/>
    /// is the main thread for the process queue and the receiving thread for a thread's queue.
    /// </summary>
    private static void QueueSignal(Injector task, int pid, int? tid, PendingSignal signal)
    {
        if (signal.Signo is Signals.SIGKILL or Signals.SIGSTOP)
        {
            return;
        }
        if (signal.Siginfo.Length != SigInfoSize)
        {
            throw new RestoreException(pid, $"signal {signal.Signo}", $"the saved siginfo has {signal.Siginfo.Length} bytes, not {SigInfoSize}");
        }
        ulong info = task.WriteScratch(signal.Siginfo.Span);
        string what = tid is null ? $"rt_sigqueueinfo({signal.Signo})" : $"rt_tgsigqueueinfo({signal.Signo}, tid {tid})";
        // Saved ids: the injected call runs in the restored process, which sees its pid
        // namespace the way the saved one did.
        Step(task, what, () => tid is null
            ? task.CallChecked(SyscallNumber.RtSigqueueinfo, (ulong)pid, signal.Signo, info)
            : task.CallChecked(SyscallNumber.RtTgsigqueueinfo, (ulong)pid, (ulong)tid.Value, signal.Signo, info));
    }

    /// <summary>
    /// Turns the clone of a saved zombie into a zombie again: it exits with the saved status
    /// (or dies by the saved signal, without a core dump) and stays unreaped for its parent.
    /// The SIGCHLD this sends to the parent is taken back, since the original parent had
    /// already received it.
    /// </summary>
    private void RestoreZombie(PstreeEntry entry)
    {
        int pid = (int)entry.Pid;
        Injector task = _tasks[pid];
        int status = entry.HasExitStatus ? entry.ExitStatus : 0;
        int signal = status & 0x7f;
        if (signal == 0)
        {
            task.Exit((status >> 8) & 0xff);
        }
        else
        {
            var noCore = new Native.Rlimit();
            ulong address = WriteStruct(task, noCore);
            const int rlimitCore = 4;
            Step(task, "prlimit64(RLIMIT_CORE)", () => task.CallChecked(SyscallNumber.Prlimit64, 0, rlimitCore, address, 0));
            var defaultAction = new KernelSigaction();
            ulong action = WriteStruct(task, defaultAction);
            Step(task, $"rt_sigaction({signal})", () => task.CallChecked(SyscallNumber.RtSigaction, (ulong)signal, action, 0, 8));
            task.KillWith(signal);
        }
        _tasks.Remove(pid);
        if (_tasks.TryGetValue((int)entry.Ppid, out Injector? parent))
        {
            // Zero timeout: take a queued SIGCHLD if there is one, never wait.
            ulong set = 1UL << (Signals.SIGCHLD - 1);
            var zero = new Timespec();
            ulong timeout = WriteStruct(parent, zero, 64);
            ulong mask = parent.WriteScratch(BitConverter.GetBytes(set), 96);
            parent.Call(SyscallNumber.RtSigtimedwait, mask, 0, timeout, 8);
        }
    }
}
