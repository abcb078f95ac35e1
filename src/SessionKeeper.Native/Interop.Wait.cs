using System.Runtime.InteropServices;

namespace SessionKeeper.Native;

/// <summary>waitpid(2) options.</summary>
[Flags]
public enum WaitOptions
{
    /// <summary>Block.</summary>
    None = 0,
    /// <summary>Return at once when no child changed state.</summary>
    NoHang = 1,
    /// <summary>Report stopped children.</summary>
    Untraced = 2,
    /// <summary>Report continued children.</summary>
    Continued = 8,
    /// <summary>Only children of the calling thread, not of its thread group.</summary>
    NoThread = 0x20000000,
    /// <summary>Wait for every kind of child, threads and clone children included; needed for tracees.</summary>
    All = 0x40000000,
}

/// <summary>A decoded wait status (the macros of sys/wait.h).</summary>
/// <param name="Pid">The task the status is about (0 with NoHang when nothing changed).</param>
/// <param name="Raw">The raw status word.</param>
public readonly record struct WaitStatus(int Pid, int Raw)
{
    /// <summary>Exited normally (WIFEXITED).</summary>
    public bool Exited => (Raw & 0x7f) == 0;

    /// <summary>Exit code (WEXITSTATUS).</summary>
    public int ExitCode => (Raw >> 8) & 0xff;

    /// <summary>Killed by a signal (WIFSIGNALED).</summary>
    public bool Signaled => ((sbyte)((Raw & 0x7f) + 1) >> 1) > 0;

    /// <summary>The killing signal (WTERMSIG).</summary>
    public int TermSignal => Raw & 0x7f;

    /// <summary>Stopped (WIFSTOPPED).</summary>
    public bool Stopped => (Raw & 0xff) == 0x7f;

    /// <summary>The stop signal (WSTOPSIG); SIGTRAP|0x80 for syscall stops with TRACESYSGOOD.</summary>
    public int StopSignal => (Raw >> 8) & 0xff;

    /// <summary>The ptrace event of an event stop (status &gt;&gt; 16).</summary>
    public PtraceEvent Event => (PtraceEvent)((Raw >> 16) & 0xff);

    /// <summary>A syscall-enter or -exit stop under PTRACE_O_TRACESYSGOOD.</summary>
    public bool IsSyscallStop => Stopped && StopSignal == (Signals.SIGTRAP | 0x80);

    /// <inheritdoc/>
    public override string ToString() => Exited ? $"exited with {ExitCode}"
        : Signaled ? $"killed by signal {TermSignal}"
        : Stopped ? (Event != PtraceEvent.None ? $"stopped by event {Event}" : $"stopped by signal {StopSignal}")
        : $"status 0x{Raw:x}";
}

public static partial class Interop
{
    [LibraryImport(Libc, EntryPoint = "waitpid", SetLastError = true)]
    private static unsafe partial int WaitPidRaw(int pid, int* status, int options);

    /// <summary>waitpid(2), retried on EINTR.</summary>
    public static WaitStatus WaitPid(int pid, WaitOptions options)
        => TryWaitPid(pid, options, treatNoChildAsNull: false)!.Value;

    /// <summary>waitpid(2) that reports ECHILD (nothing to wait for) as null.</summary>
    public static WaitStatus? TryWaitPid(int pid, WaitOptions options)
        => TryWaitPid(pid, options, treatNoChildAsNull: true);

    private static unsafe WaitStatus? TryWaitPid(int pid, WaitOptions options, bool treatNoChildAsNull)
    {
        int status;
        int result;
        do
        {
            result = WaitPidRaw(pid, &status, (int)options);
        }
        while (InteropHelpers.Interrupted(result));
        if (result >= 0)
        {
            return new WaitStatus(result, result == 0 ? 0 : status);
        }
        if (treatNoChildAsNull && ErrnoException.LastErrno == Errno.ECHILD)
        {
            return null;
        }
        ErrnoException.ThrowLast("waitpid", $"pid {pid}");
        return null;
    }
}
