using System.Runtime.InteropServices;

namespace SessionKeeper.Native;

public static partial class Interop
{
    private const ulong SA_NOCLDSTOP = 0x1;

    [LibraryImport(Libc, EntryPoint = "syscall", SetLastError = true)]
    private static unsafe partial long RtSigactionRaw(long number, int signal, KernelSigaction* action, KernelSigaction* old, nuint maskSize);

    /// <summary>
    /// Keeps keeper's own SIGCHLD handler (the .NET runtime's, if it installed one) as it is but
    /// adds SA_NOCLDSTOP, so that a child or tracee that stops sends no SIGCHLD; exits still do.
    /// Every ptrace stop of a tracee is such a stop, and each one otherwise interrupted the
    /// tracer thread with a signal whose handler wakes the runtime's signal thread: two context
    /// switches per injected call for nothing, since waitpid is woken either way. Returns false
    /// when there was nothing to change (SIG_DFL or SIG_IGN, which send no signal already).
    /// </summary>
    public static unsafe bool QuietChildStops()
    {
        KernelSigaction current;
        if (RtSigactionRaw((long)SyscallNumber.RtSigaction, Signals.SIGCHLD, null, &current, 8) < 0)
        {
            ErrnoException.ThrowLast("rt_sigaction(SIGCHLD)");
        }
        if (current.Handler is 0 or 1 || (current.Flags & SA_NOCLDSTOP) != 0)
        {
            return false;
        }
        current.Flags |= SA_NOCLDSTOP;
        if (RtSigactionRaw((long)SyscallNumber.RtSigaction, Signals.SIGCHLD, &current, null, 8) < 0)
        {
            ErrnoException.ThrowLast("rt_sigaction(SIGCHLD)");
        }
        return true;
    }
}
