using System.Runtime.InteropServices;

namespace SessionKeeper.Native;

public static partial class Interop
{
    [LibraryImport(Libc, EntryPoint = "pipe2", SetLastError = true)]
    private static unsafe partial int Pipe2Raw(int* fds, int flags);

    /// <summary>pipe2(2) with O_CLOEXEC (plus <paramref name="flags"/>, e.g. O_NONBLOCK or O_DIRECT).</summary>
    public static unsafe (SafeFd Read, SafeFd Write) Pipe2(OpenFlags flags = 0)
    {
        var read = new SafeFd();
        var write = new SafeFd();
        int* fds = stackalloc int[2];
        if (Pipe2Raw(fds, (int)(flags | OpenFlags.O_CLOEXEC)) < 0)
        {
            Errno errno = ErrnoException.LastErrno;
            read.Dispose();
            write.Dispose();
            ErrnoException.Throw(errno, "pipe2");
        }
        read.Attach(fds[0]);
        write.Attach(fds[1]);
        return (read, write);
    }
}
