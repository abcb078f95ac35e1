using System.Runtime.InteropServices;
using static SessionKeeper.Native.InteropHelpers;

namespace SessionKeeper.Native;

public static partial class Interop
{
    [LibraryImport(Libc, EntryPoint = "lseek64", SetLastError = true)]
    private static partial long LseekRaw(int fd, long offset, int whence);

    /// <summary>lseek(2); returns the new offset. <c>Lseek(fd, 0, SEEK_CUR)</c> reads the position a dump records.</summary>
    public static long Lseek(SafeFd fd, long offset, SeekWhence whence)
    {
        using FdLease lease = fd.Lease();
        long result = LseekRaw(lease.Fd, offset, (int)whence);
        if (result < 0)
        {
            ErrnoException.ThrowLast($"lseek({whence})", FdTarget(fd));
        }
        return result;
    }
}
