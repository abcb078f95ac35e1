using System.Runtime.InteropServices;
using static SessionKeeper.Native.InteropHelpers;

namespace SessionKeeper.Native;

public static partial class Interop
{
    [LibraryImport(Libc, EntryPoint = "fstat", SetLastError = true)]
    private static unsafe partial int FstatRaw(int fd, Stat* buffer);

    /// <summary>fstat(2): device and inode identify pipes, sockets and files across processes.</summary>
    public static unsafe Stat Fstat(SafeFd fd)
    {
        using FdLease lease = fd.Lease();
        Stat st;
        if (FstatRaw(lease.Fd, &st) < 0)
        {
            ErrnoException.ThrowLast("fstat", FdTarget(fd));
        }
        return st;
    }
}
