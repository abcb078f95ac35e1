using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using static SessionKeeper.Native.InteropHelpers;

namespace SessionKeeper.Native;

public static partial class Interop
{
    [LibraryImport(Libc, EntryPoint = "readlink", SetLastError = true)]
    private static unsafe partial nint ReadlinkRaw(byte* path, byte* buffer, nuint size);

    /// <summary>readlink(2) of any length (the buffer grows until the link fits).</summary>
    public static string Readlink(string path) => ReadlinkCore(path, tryOnly: false)!;

    /// <summary>
    /// readlink(2) that returns null when the link is gone (ENOENT), the normal outcome for
    /// /proc/PID/fd/N or /proc/PID/exe of a process that exited or an fd just closed.
    /// </summary>
    public static string? TryReadlink(string path) => ReadlinkCore(path, tryOnly: true);

    private static unsafe string? ReadlinkCore(string path, bool tryOnly)
    {
        byte[] cpath = CString(path);
        int size = 256;
        while (true)
        {
            byte[] buffer = ArrayPool<byte>.Shared.Rent(size);
            try
            {
                nint n;
                fixed (byte* p = cpath)
                fixed (byte* b = buffer)
                {
                    n = ReadlinkRaw(p, b, (nuint)buffer.Length);
                }
                if (n < 0)
                {
                    Errno errno = ErrnoException.LastErrno;
                    if (tryOnly && errno == Errno.ENOENT)
                    {
                        return null;
                    }
                    ErrnoException.Throw(errno, "readlink", path);
                }
                // readlink truncates silently; a result that fills the buffer may be cut short.
                if (n < buffer.Length)
                {
                    return Encoding.UTF8.GetString(buffer, 0, (int)n);
                }
                size = buffer.Length * 2;
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }
}
