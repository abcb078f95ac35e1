using System.Runtime.InteropServices;
using static SessionKeeper.Native.InteropHelpers;

namespace SessionKeeper.Native;

public static partial class Interop
{
    /// <summary>FD_CLOEXEC, the only descriptor flag (F_GETFD / F_SETFD).</summary>
    public const int FdCloexec = 1;

    [LibraryImport(Libc, EntryPoint = "fcntl", SetLastError = true)]
    private static partial int FcntlRaw(int fd, int command, long argument);

    /// <summary>fcntl(2) with an integer argument; returns the call's result.</summary>
    public static int Fcntl(SafeFd fd, FcntlCommand command, long argument = 0)
    {
        using FdLease lease = fd.Lease();
        int result = FcntlRaw(lease.Fd, (int)command, argument);
        if (result < 0)
        {
            ErrnoException.ThrowLast($"fcntl({command})", FdTarget(fd));
        }
        return result;
    }

    /// <summary>F_GETFL: the open file description's access mode and status flags.</summary>
    public static OpenFlags GetStatusFlags(SafeFd fd) => (OpenFlags)Fcntl(fd, FcntlCommand.F_GETFL);

    /// <summary>F_SETFL: sets O_APPEND, O_NONBLOCK, O_ASYNC, O_DIRECT, O_NOATIME (others are ignored by the kernel).</summary>
    public static void SetStatusFlags(SafeFd fd, OpenFlags flags) => Fcntl(fd, FcntlCommand.F_SETFL, (long)flags);

    /// <summary>F_GETFD: whether FD_CLOEXEC is set on this descriptor.</summary>
    public static bool GetCloseOnExec(SafeFd fd) => (Fcntl(fd, FcntlCommand.F_GETFD) & FdCloexec) != 0;

    /// <summary>F_SETFD: sets or clears FD_CLOEXEC.</summary>
    public static void SetCloseOnExec(SafeFd fd, bool value) => Fcntl(fd, FcntlCommand.F_SETFD, value ? FdCloexec : 0);

    /// <summary>F_DUPFD_CLOEXEC: a duplicate numbered at least <paramref name="minimumFd"/>.</summary>
    public static SafeFd DupAtLeast(SafeFd fd, int minimumFd = 0)
    {
        using FdLease lease = fd.Lease();
        var handle = new SafeFd();
        int result = FcntlRaw(lease.Fd, (int)FcntlCommand.F_DUPFD_CLOEXEC, minimumFd);
        return Adopt(handle, result, "fcntl(F_DUPFD_CLOEXEC)", FdTarget(fd));
    }
}
