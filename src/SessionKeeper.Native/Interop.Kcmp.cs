using System.Runtime.InteropServices;

namespace SessionKeeper.Native;

public static partial class Interop
{
    [LibraryImport(Libc, EntryPoint = "syscall", SetLastError = true)]
    private static partial long KcmpRaw(long number, int pid1, int pid2, int type, ulong idx1, ulong idx2);

    /// <summary>
    /// kcmp(2): compares a kernel object of two processes. For KCMP_FILE,
    /// <paramref name="index1"/>/<paramref name="index2"/> are fd numbers in the two
    /// processes; for the per-task kinds they are ignored. Needs ptrace-read permission over
    /// both processes.
    /// </summary>
    public static KcmpOrder Kcmp(int pid1, int pid2, KcmpType type, ulong index1 = 0, ulong index2 = 0)
        => TryKcmp(pid1, pid2, type, index1, index2)
            ?? throw new ErrnoException(Errno.ESRCH, $"kcmp({type})", $"pid {pid1} and pid {pid2}");

    /// <summary>kcmp(2) that returns null when either process has exited (ESRCH).</summary>
    public static KcmpOrder? TryKcmp(int pid1, int pid2, KcmpType type, ulong index1 = 0, ulong index2 = 0)
    {
        long result = KcmpRaw((long)SyscallNumber.Kcmp, pid1, pid2, (int)type, index1, index2);
        if (result >= 0)
        {
            return (KcmpOrder)result;
        }
        Errno errno = ErrnoException.LastErrno;
        if (errno == Errno.ESRCH)
        {
            return null;
        }
        string target = type == KcmpType.KCMP_FILE
            ? $"pid {pid1} fd {index1} and pid {pid2} fd {index2}"
            : $"pid {pid1} and pid {pid2}";
        throw new ErrnoException(errno, $"kcmp({type})", target);
    }

    /// <summary>
    /// kcmp(KCMP_EPOLL_TFD): whether fd <paramref name="fd1"/> of <paramref name="pid1"/> is
    /// the file registered in <paramref name="pid2"/>'s epoll instance as <paramref name="slot"/>.
    /// </summary>
    public static unsafe KcmpOrder KcmpEpollTarget(int pid1, int pid2, int fd1, in KcmpEpollSlot slot)
    {
        fixed (KcmpEpollSlot* p = &slot)
        {
            long result = KcmpRaw((long)SyscallNumber.Kcmp, pid1, pid2, (int)KcmpType.KCMP_EPOLL_TFD, (ulong)fd1, (ulong)p);
            if (result < 0)
            {
                ErrnoException.ThrowLast("kcmp(KCMP_EPOLL_TFD)", $"pid {pid1} fd {fd1} and epoll fd {slot.EpollFd} of pid {pid2}");
            }
            return (KcmpOrder)result;
        }
    }
}
