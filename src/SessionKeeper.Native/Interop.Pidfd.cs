using System.Runtime.InteropServices;
using static SessionKeeper.Native.InteropHelpers;

namespace SessionKeeper.Native;

public static partial class Interop
{
    [LibraryImport(Libc, EntryPoint = "syscall", SetLastError = true)]
    private static partial long PidfdOpenRaw(long number, int pid, uint flags);

    [LibraryImport(Libc, EntryPoint = "syscall", SetLastError = true)]
    private static partial long PidfdGetfdRaw(long number, int pidfd, int targetfd, uint flags);

    [LibraryImport(Libc, EntryPoint = "syscall", SetLastError = true)]
    private static unsafe partial long PidfdSendSignalRaw(long number, int pidfd, int signal, SigInfo* info, uint flags);

    /// <summary>
    /// pidfd_open(2): a descriptor that keeps referring to this process even after its pid is
    /// reused. The kernel sets O_CLOEXEC on it. <paramref name="flags"/> may be PIDFD_NONBLOCK
    /// (O_NONBLOCK) or PIDFD_THREAD (O_EXCL).
    /// </summary>
    public static SafeFd PidfdOpen(int pid, OpenFlags flags = 0)
    {
        var handle = new SafeFd();
        long result = PidfdOpenRaw((long)SyscallNumber.PidfdOpen, pid, (uint)flags);
        return Adopt(handle, result, "pidfd_open", $"pid {pid}");
    }

    /// <summary>pidfd_open(2) that returns null when the process no longer exists (ESRCH).</summary>
    public static SafeFd? TryPidfdOpen(int pid, OpenFlags flags = 0)
    {
        var handle = new SafeFd();
        long result = PidfdOpenRaw((long)SyscallNumber.PidfdOpen, pid, (uint)flags);
        return TryAdopt(handle, result, "pidfd_open", $"pid {pid}", Errno.ESRCH);
    }

    /// <summary>
    /// pidfd_getfd(2): duplicates descriptor <paramref name="targetFd"/> of the process behind
    /// <paramref name="pidfd"/> into this process. The copy shares the open file description
    /// (offset, status flags, socket state) with the target's fd and always has O_CLOEXEC.
    /// Needs ptrace-attach permission over the target.
    /// </summary>
    public static SafeFd PidfdGetfd(SafeFd pidfd, int targetFd)
    {
        using FdLease lease = pidfd.Lease();
        var handle = new SafeFd();
        long result = PidfdGetfdRaw((long)SyscallNumber.PidfdGetfd, lease.Fd, targetFd, 0);
        return Adopt(handle, result, "pidfd_getfd", $"fd {targetFd} of pidfd {lease.Fd}");
    }

    /// <summary>
    /// pidfd_getfd(2) that returns null when the process has exited (ESRCH) or the target
    /// descriptor is already closed (EBADF).
    /// </summary>
    public static SafeFd? TryPidfdGetfd(SafeFd pidfd, int targetFd)
    {
        using FdLease lease = pidfd.Lease();
        var handle = new SafeFd();
        long result = PidfdGetfdRaw((long)SyscallNumber.PidfdGetfd, lease.Fd, targetFd, 0);
        return TryAdopt(handle, result, "pidfd_getfd", $"fd {targetFd} of pidfd {lease.Fd}", Errno.ESRCH, Errno.EBADF);
    }

    /// <summary>pidfd_send_signal(2) without a siginfo: like kill(2), but immune to pid reuse.</summary>
    public static void PidfdSendSignal(SafeFd pidfd, int signal)
    {
        if (!TryPidfdSendSignal(pidfd, signal))
        {
            ErrnoException.Throw(Errno.ESRCH, $"pidfd_send_signal(signal {signal})", $"pidfd {pidfd.Fd}");
        }
    }

    /// <summary>pidfd_send_signal(2) that returns false when the process has already exited.</summary>
    public static unsafe bool TryPidfdSendSignal(SafeFd pidfd, int signal)
    {
        using FdLease lease = pidfd.Lease();
        if (PidfdSendSignalRaw((long)SyscallNumber.PidfdSendSignal, lease.Fd, signal, null, 0) == 0)
        {
            return true;
        }
        Errno errno = ErrnoException.LastErrno;
        if (errno == Errno.ESRCH)
        {
            return false;
        }
        throw new ErrnoException(errno, $"pidfd_send_signal(signal {signal})", $"pidfd {lease.Fd}");
    }
}
