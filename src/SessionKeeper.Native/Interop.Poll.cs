using System.Runtime.InteropServices;

namespace SessionKeeper.Native;

/// <summary>struct pollfd.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct PollFd
{
    /// <summary>The descriptor (negative: ignored).</summary>
    public int Fd;

    /// <summary>Requested events.</summary>
    public short Events;

    /// <summary>Returned events.</summary>
    public short Revents;
}

/// <summary>poll(2) event bits.</summary>
public static class PollEvents
{
    /// <summary>POLLIN: data to read.</summary>
    public const short POLLIN = 0x1;

    /// <summary>POLLERR.</summary>
    public const short POLLERR = 0x8;

    /// <summary>POLLHUP: the other side hung up.</summary>
    public const short POLLHUP = 0x10;
}

public static partial class Interop
{
    [LibraryImport(Libc, EntryPoint = "poll", SetLastError = true)]
    private static unsafe partial int PollRaw(PollFd* fds, nuint count, int timeoutMs);

    /// <summary>
    /// poll(2) on descriptor numbers the caller keeps open meanwhile; returns how many have
    /// events, 0 on timeout. EINTR (a signal such as SIGWINCH) returns 0 too.
    /// </summary>
    public static unsafe int Poll(Span<PollFd> fds, int timeoutMs)
    {
        fixed (PollFd* p = fds)
        {
            int result = PollRaw(p, (nuint)fds.Length, timeoutMs);
            if (result < 0)
            {
                Errno errno = ErrnoException.LastErrno;
                return errno == Errno.EINTR ? 0 : throw new ErrnoException(errno, "poll", "");
            }
            return result;
        }
    }
}
