using System.Runtime.InteropServices;
using static SessionKeeper.Native.InteropHelpers;

namespace SessionKeeper.Native;

public static partial class Interop
{
    /// <summary>AT_FDCWD: "relative to the current directory" for the *at calls.</summary>
    public const int AtFdcwd = -100;

    [LibraryImport(Libc, EntryPoint = "openat", SetLastError = true)]
    private static unsafe partial int OpenatRaw(int dirfd, byte* path, int flags, uint mode);

    /// <summary>open(2), always with O_CLOEXEC. Throws <see cref="ErrnoException"/> naming the path.</summary>
    public static SafeFd Open(string path, OpenFlags flags, uint mode = 0)
        => OpenCore(AtFdcwd, null, path, flags, mode, tryOnly: false)!;

    /// <summary>open(2) that returns null when the path does not exist (ENOENT), e.g. a /proc file of an exited process.</summary>
    public static SafeFd? TryOpen(string path, OpenFlags flags, uint mode = 0)
        => OpenCore(AtFdcwd, null, path, flags, mode, tryOnly: true);

    /// <summary>openat(2) relative to a directory descriptor, always with O_CLOEXEC.</summary>
    public static SafeFd Openat(SafeFd directory, string path, OpenFlags flags, uint mode = 0)
    {
        using FdLease dir = directory.Lease();
        return OpenCore(dir.Fd, directory, path, flags, mode, tryOnly: false)!;
    }

    /// <summary>openat(2) that returns null on ENOENT.</summary>
    public static SafeFd? TryOpenat(SafeFd directory, string path, OpenFlags flags, uint mode = 0)
    {
        using FdLease dir = directory.Lease();
        return OpenCore(dir.Fd, directory, path, flags, mode, tryOnly: true);
    }

    private static unsafe SafeFd? OpenCore(int dirfd, SafeFd? directory, string path, OpenFlags flags, uint mode, bool tryOnly)
    {
        byte[] cpath = CString(path);
        var handle = new SafeFd();
        int fd;
        fixed (byte* p = cpath)
        {
            // Opening a FIFO or a tty can block and be interrupted by a signal.
            do
            {
                fd = OpenatRaw(dirfd, p, (int)(flags | OpenFlags.O_CLOEXEC), mode);
            }
            while (Interrupted(fd));
        }
        string target = directory is null ? path : $"{path} (relative to fd {directory.Fd})";
        return tryOnly
            ? TryAdopt(handle, fd, "open", target, Errno.ENOENT)
            : Adopt(handle, fd, "open", target);
    }
}
