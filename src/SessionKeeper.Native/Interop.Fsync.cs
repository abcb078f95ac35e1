using System.Runtime.InteropServices;
using static SessionKeeper.Native.InteropHelpers;

namespace SessionKeeper.Native;

public static partial class Interop
{
    [LibraryImport(Libc, EntryPoint = "fsync", SetLastError = true)]
    private static partial int FsyncRaw(int fd);

    /// <summary>
    /// fsync(2). Also used on a directory descriptor, which makes the names of newly created
    /// files in it durable (a file's own fsync does not cover its directory entry).
    /// </summary>
    public static void Fsync(SafeFd fd)
    {
        using FdLease lease = fd.Lease();
        int result;
        do
        {
            result = FsyncRaw(lease.Fd);
        }
        while (Interrupted(result));
        if (result < 0)
        {
            ErrnoException.ThrowLast("fsync", FdTarget(fd));
        }
    }
}
