using System.Runtime.InteropServices;

namespace SessionKeeper.Native;

public static partial class Interop
{
    [LibraryImport(Libc, EntryPoint = "kill", SetLastError = true)]
    private static partial int KillRaw(int pid, int signal);

    [LibraryImport(Libc, EntryPoint = "syscall", SetLastError = true)]
    private static partial long TgkillRaw(long number, int tgid, int tid, int signal);

    /// <summary>kill(2). Throws <see cref="ErrnoException"/> naming the pid.</summary>
    public static void Kill(int pid, int signal)
    {
        if (KillRaw(pid, signal) < 0)
        {
            ErrnoException.ThrowLast($"kill(signal {signal})", $"pid {pid}");
        }
    }

    /// <summary>kill(2) that reports "no such process" as false instead of throwing.</summary>
    public static bool TryKill(int pid, int signal)
    {
        if (KillRaw(pid, signal) == 0)
        {
            return true;
        }
        Errno errno = ErrnoException.LastErrno;
        if (errno == Errno.ESRCH)
        {
            return false;
        }
        throw new ErrnoException(errno, $"kill(signal {signal})", $"pid {pid}");
    }

    /// <summary>tgkill(2): a signal to one thread.</summary>
    public static void Tgkill(int tgid, int tid, int signal)
    {
        if (TgkillRaw((long)SyscallNumber.Tgkill, tgid, tid, signal) < 0)
        {
            ErrnoException.ThrowLast($"tgkill(signal {signal})", $"pid {tgid} tid {tid}");
        }
    }
}
