using System.Runtime.InteropServices;

namespace SessionKeeper.Native;

public static partial class Interop
{
    [LibraryImport(Libc, EntryPoint = "close", SetLastError = true)]
    internal static partial int CloseRaw(int fd);

    /// <summary>
    /// close(2) of a descriptor number this process does not hold as a <see cref="SafeFd"/>
    /// (one received from elsewhere). Not retried on EINTR: Linux has already freed the number.
    /// </summary>
    public static void Close(int fd)
    {
        if (CloseRaw(fd) < 0)
        {
            Errno errno = ErrnoException.LastErrno;
            if (errno != Errno.EINTR)
            {
                ErrnoException.Throw(errno, "close", $"fd {fd}");
            }
        }
    }
}
