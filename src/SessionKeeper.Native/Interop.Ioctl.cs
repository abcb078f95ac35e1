using System.Runtime.InteropServices;
using static SessionKeeper.Native.InteropHelpers;

namespace SessionKeeper.Native;

public static partial class Interop
{
    [LibraryImport(Libc, EntryPoint = "ioctl", SetLastError = true)]
    private static partial int IoctlRaw(int fd, ulong request, nint argument);

    /// <summary>
    /// ioctl(2) with an argument passed by value (or a pointer the caller pinned); returns
    /// the non-negative result. Retries on EINTR (TCSETSW waits for output to drain).
    /// </summary>
    public static int Ioctl(SafeFd fd, IoctlRequest request, nint argument)
    {
        using FdLease lease = fd.Lease();
        int result;
        do
        {
            result = IoctlRaw(lease.Fd, (ulong)request, argument);
        }
        while (Interrupted(result));
        if (result < 0)
        {
            ErrnoException.ThrowLast($"ioctl({request})", FdTarget(fd));
        }
        return result;
    }

    /// <summary>ioctl(2) whose argument points to a <typeparamref name="T"/> the kernel fills (TCGETS, TIOCGWINSZ, TIOCGPTN, …).</summary>
    public static unsafe T IoctlGet<T>(SafeFd fd, IoctlRequest request)
        where T : unmanaged
    {
        T value = default;
        Ioctl(fd, request, (nint)(&value));
        return value;
    }

    /// <summary>ioctl(2) whose argument points to a <typeparamref name="T"/> the kernel reads (TCSETS, TIOCSWINSZ, TIOCSPTLCK, …).</summary>
    public static unsafe void IoctlSet<T>(SafeFd fd, IoctlRequest request, in T value)
        where T : unmanaged
    {
        fixed (T* p = &value)
        {
            Ioctl(fd, request, (nint)p);
        }
    }

    /// <summary>TIOCGPTN: the index N of a pty master's slave /dev/pts/N.</summary>
    public static int GetPtyIndex(SafeFd master) => (int)IoctlGet<uint>(master, IoctlRequest.TIOCGPTN);

    /// <summary>TIOCSPTLCK with 0: unlocks the slave so it can be opened (unlockpt).</summary>
    public static void UnlockPty(SafeFd master) => IoctlSet(master, IoctlRequest.TIOCSPTLCK, 0);

    /// <summary>TIOCGPTPEER: opens the slave of a master without a path lookup, with O_CLOEXEC.</summary>
    public static SafeFd OpenPtyPeer(SafeFd master, OpenFlags flags = OpenFlags.O_RDWR | OpenFlags.O_NOCTTY)
    {
        using FdLease lease = master.Lease();
        var handle = new SafeFd();
        int result = IoctlRaw(lease.Fd, (ulong)IoctlRequest.TIOCGPTPEER, (nint)(flags | OpenFlags.O_CLOEXEC));
        return Adopt(handle, result, "ioctl(TIOCGPTPEER)", FdTarget(master));
    }

    /// <summary>TCGETS: the kernel termios of a tty.</summary>
    public static Termios GetTermios(SafeFd tty) => IoctlGet<Termios>(tty, IoctlRequest.TCGETS);

    /// <summary>TCSETS: sets the kernel termios immediately.</summary>
    public static void SetTermios(SafeFd tty, in Termios termios) => IoctlSet(tty, IoctlRequest.TCSETS, termios);

    /// <summary>TIOCGWINSZ</summary>
    public static WinSize GetWinSize(SafeFd tty) => IoctlGet<WinSize>(tty, IoctlRequest.TIOCGWINSZ);

    /// <summary>TIOCSWINSZ</summary>
    public static void SetWinSize(SafeFd tty, in WinSize size) => IoctlSet(tty, IoctlRequest.TIOCSWINSZ, size);
}
