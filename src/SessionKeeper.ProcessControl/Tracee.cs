using SessionKeeper.Native;

namespace SessionKeeper.ProcessControl;

/// <summary>How a tracee is stopped right now; it decides how registers can be put back.</summary>
public enum TraceeStop
{
    /// <summary>PTRACE_EVENT_STOP after PTRACE_INTERRUPT (inside get_signal).</summary>
    Interrupt,
    /// <summary>A signal-delivery-stop for SIGTRAP after the stub's int3 (inside get_signal).</summary>
    Trap,
    /// <summary>A syscall-exit-stop after a syscall stepped with PTRACE_SYSCALL (outside get_signal).</summary>
    SyscallExit,
}

/// <summary>One seized and stopped thread, with the state it had when it was frozen.</summary>
public sealed class Tracee
{
    internal Tracee(int pid, int tid, UserRegs regs, ulong sigMask)
    {
        Pid = pid;
        Tid = tid;
        InitialRegs = regs;
        InitialSigMask = sigMask;
    }

    /// <summary>
    /// Collects the first stop of a task that an injected fork/clone created under a tracer
    /// with PTRACE_O_TRACEFORK/TRACECLONE: seized children start in PTRACE_EVENT_STOP.
    /// Must run on the tracer thread.
    /// </summary>
    public static Tracee FromNewTask(int pid, int tid)
        => TryWaitEventStop(pid, tid) ?? throw new TaskVanishedException(pid, tid, "the new task ended before its first stop");

    /// <summary>
    /// Waits until a seized thread reports PTRACE_EVENT_STOP (after PTRACE_INTERRUPT, or as a
    /// new auto-attached task) and captures its state; null when it exits meanwhile. A signal
    /// that was already on its way is delivered first (resumed with that signal), so the
    /// program sees it as it would have.
    /// </summary>
    internal static Tracee? TryWaitEventStop(int pid, int tid)
    {
        while (true)
        {
            WaitStatus status = Interop.WaitPid(tid, WaitOptions.All);
            if (!status.Stopped)
            {
                return null;
            }
            if (status.Event == PtraceEvent.Stop)
            {
                return new Tracee(pid, tid, Interop.PtraceGetRegs(tid), Interop.PtraceGetSigMask(tid))
                {
                    // A seized task that is in a job-control stop reports its stop as a group-stop:
                    // PTRACE_EVENT_STOP with the stopping signal instead of SIGTRAP.
                    GroupStopSignal = status.StopSignal == Signals.SIGTRAP ? 0 : status.StopSignal,
                };
            }
            Interop.PtraceCont(tid, status.Event == PtraceEvent.None ? status.StopSignal : 0);
        }
    }

    /// <summary>The thread group (process) id.</summary>
    public int Pid { get; }

    /// <summary>The thread id.</summary>
    public int Tid { get; }

    /// <summary>Registers as found when the thread was frozen.</summary>
    public UserRegs InitialRegs { get; }

    /// <summary>Blocked signals as found when the thread was frozen.</summary>
    public ulong InitialSigMask { get; }

    /// <summary>
    /// The signal of the job-control stop (SIGSTOP, SIGTSTP, ...) the thread was in when it was
    /// seized; 0 when it was running or sleeping.
    /// </summary>
    public int GroupStopSignal { get; private init; }

    /// <summary>How the thread is stopped now.</summary>
    public TraceeStop Stop { get; internal set; } = TraceeStop.Interrupt;

    /// <summary>True once registers or the signal mask were changed and must be put back.</summary>
    public bool Modified { get; internal set; }

    /// <summary>
    /// Waits for the next stop of this thread and returns its status. Throws when the thread
    /// died: every caller treats that as the end of the operation.
    /// </summary>
    internal WaitStatus WaitStop(string what)
    {
        WaitStatus status = Interop.WaitPid(Tid, WaitOptions.All);
        if (!status.Stopped)
        {
            throw new TaskVanishedException(Pid, Tid, $"{what}: the task {status}");
        }
        return status;
    }

    /// <summary>
    /// Registers to put back before the thread runs on. A thread frozen inside an interrupted
    /// system call holds orig_rax = nr and rax = -ERESTART*; the kernel turns that into a
    /// restart only on the get_signal path. After an injected call stepped with PTRACE_SYSCALL
    /// the thread leaves through the syscall-exit path instead, so the restart is applied here
    /// the way arch_do_signal_or_restart would.
    /// </summary>
    internal UserRegs RegsToRestore()
        => Stop == TraceeStop.SyscallExit ? SyscallRestart.Apply(InitialRegs, restartBlock: true) : InitialRegs;

    /// <inheritdoc/>
    public override string ToString() => Pid == Tid ? $"pid {Pid} ({ProcTasks.Comm(Pid)})" : $"pid {Pid} tid {Tid}";
}

/// <summary>A traced task exited or was killed while the engine worked on it.</summary>
public sealed class TaskVanishedException(int pid, int tid, string message)
    : Exception($"pid {pid}{(pid == tid ? "" : $" tid {tid}")}: {message}")
{
    /// <summary>The process.</summary>
    public int Pid { get; } = pid;

    /// <summary>The thread.</summary>
    public int Tid { get; } = tid;
}
