using System.Runtime.InteropServices;

namespace SessionKeeper.Native;

public static partial class Interop
{
    [LibraryImport(Libc, EntryPoint = "syscall", SetLastError = true)]
    private static unsafe partial long GetRobustListRaw(long number, int tid, ulong* head, nuint* length);

    /// <summary>
    /// get_robust_list(2) of another thread: the address of its robust futex list head and the
    /// head's size, as set_robust_list registered them (glibc registers one per thread).
    /// Callable from outside the thread; needs ptrace-read permission over it. Returns null when
    /// the thread no longer exists (ESRCH).
    /// </summary>
    public static unsafe (ulong Head, ulong Length)? TryGetRobustList(int tid)
    {
        ulong head;
        nuint length;
        if (GetRobustListRaw((long)SyscallNumber.GetRobustList, tid, &head, &length) == 0)
        {
            return (head, length);
        }
        Errno errno = ErrnoException.LastErrno;
        if (errno == Errno.ESRCH)
        {
            return null;
        }
        throw new ErrnoException(errno, "get_robust_list", $"tid {tid}");
    }
}
