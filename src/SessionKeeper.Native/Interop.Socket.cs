using System.Runtime.InteropServices;
using static SessionKeeper.Native.InteropHelpers;

namespace SessionKeeper.Native;

public static partial class Interop
{
    [LibraryImport(Libc, EntryPoint = "socket", SetLastError = true)]
    private static partial int SocketRaw(int domain, int type, int protocol);

    [LibraryImport(Libc, EntryPoint = "socketpair", SetLastError = true)]
    private static unsafe partial int SocketpairRaw(int domain, int type, int protocol, int* fds);

    [LibraryImport(Libc, EntryPoint = "bind", SetLastError = true)]
    private static unsafe partial int BindRaw(int fd, void* address, uint length);

    [LibraryImport(Libc, EntryPoint = "listen", SetLastError = true)]
    private static partial int ListenRaw(int fd, int backlog);

    [LibraryImport(Libc, EntryPoint = "connect", SetLastError = true)]
    private static unsafe partial int ConnectRaw(int fd, void* address, uint length);

    [LibraryImport(Libc, EntryPoint = "accept4", SetLastError = true)]
    private static unsafe partial int Accept4Raw(int fd, void* address, uint* length, int flags);

    [LibraryImport(Libc, EntryPoint = "getsockname", SetLastError = true)]
    private static unsafe partial int GetsocknameRaw(int fd, void* address, uint* length);

    [LibraryImport(Libc, EntryPoint = "getpeername", SetLastError = true)]
    private static unsafe partial int GetpeernameRaw(int fd, void* address, uint* length);

    [LibraryImport(Libc, EntryPoint = "shutdown", SetLastError = true)]
    private static partial int ShutdownRaw(int fd, int how);

    /// <summary>socket(2), always with SOCK_CLOEXEC.</summary>
    public static SafeFd Socket(SocketFamily family, SocketKind kind, int protocol = 0)
    {
        var handle = new SafeFd();
        int fd = SocketRaw((int)family, (int)(kind | SocketKind.SOCK_CLOEXEC), protocol);
        return Adopt(handle, fd, "socket", $"{family} {kind}");
    }

    /// <summary>socketpair(2) (AF_UNIX), always with SOCK_CLOEXEC.</summary>
    public static unsafe (SafeFd First, SafeFd Second) Socketpair(SocketKind kind, SocketFamily family = SocketFamily.AF_UNIX)
    {
        var first = new SafeFd();
        var second = new SafeFd();
        int* fds = stackalloc int[2];
        if (SocketpairRaw((int)family, (int)(kind | SocketKind.SOCK_CLOEXEC), 0, fds) < 0)
        {
            Errno errno = ErrnoException.LastErrno;
            first.Dispose();
            second.Dispose();
            ErrnoException.Throw(errno, "socketpair", $"{family} {kind}");
        }
        first.Attach(fds[0]);
        second.Attach(fds[1]);
        return (first, second);
    }

    /// <summary>bind(2) to a sockaddr of <paramref name="length"/> bytes (significant for abstract unix names).</summary>
    public static void Bind<TAddress>(SafeFd socket, in TAddress address, int length)
        where TAddress : unmanaged
        => WithAddress(socket, address, length, connect: false);

    /// <summary>listen(2).</summary>
    public static void Listen(SafeFd socket, int backlog)
    {
        using FdLease lease = socket.Lease();
        if (ListenRaw(lease.Fd, backlog) < 0)
        {
            ErrnoException.ThrowLast("listen", FdTarget(socket));
        }
    }

    /// <summary>
    /// connect(2). Not retried on EINTR: an interrupted connect goes on asynchronously and a
    /// second call would report EALREADY, so EINTR reaches the caller as an exception.
    /// </summary>
    public static void Connect<TAddress>(SafeFd socket, in TAddress address, int length)
        where TAddress : unmanaged
        => WithAddress(socket, address, length, connect: true);

    /// <summary>accept4(2) with SOCK_CLOEXEC (plus <paramref name="flags"/>, e.g. SOCK_NONBLOCK); the peer address is not returned.</summary>
    public static unsafe SafeFd Accept(SafeFd socket, SocketKind flags = 0)
    {
        using FdLease lease = socket.Lease();
        var handle = new SafeFd();
        int fd;
        do
        {
            fd = Accept4Raw(lease.Fd, null, null, (int)(flags | SocketKind.SOCK_CLOEXEC));
        }
        while (Interrupted(fd));
        return Adopt(handle, fd, "accept4", FdTarget(socket));
    }

    /// <summary>getsockname(2); returns the address length the kernel reported (may exceed the struct for truncated addresses).</summary>
    public static unsafe int GetSockName<TAddress>(SafeFd socket, out TAddress address)
        where TAddress : unmanaged
        => SockName(socket, out address, peer: false);

    /// <summary>getpeername(2); returns the address length. Throws ENOTCONN for an unconnected socket.</summary>
    public static unsafe int GetPeerName<TAddress>(SafeFd socket, out TAddress address)
        where TAddress : unmanaged
        => SockName(socket, out address, peer: true);

    /// <summary>shutdown(2).</summary>
    public static void Shutdown(SafeFd socket, ShutdownHow how)
    {
        using FdLease lease = socket.Lease();
        if (ShutdownRaw(lease.Fd, (int)how) < 0)
        {
            ErrnoException.ThrowLast($"shutdown({how})", FdTarget(socket));
        }
    }

    /// <summary>bind or connect: the two calls that take a sockaddr in.</summary>
    private static unsafe void WithAddress<TAddress>(SafeFd socket, in TAddress address, int length, bool connect)
        where TAddress : unmanaged
    {
        CheckAddressLength<TAddress>(length);
        using FdLease lease = socket.Lease();
        fixed (TAddress* p = &address)
        {
            int result = connect ? ConnectRaw(lease.Fd, p, (uint)length) : BindRaw(lease.Fd, p, (uint)length);
            if (result < 0)
            {
                ErrnoException.ThrowLast(connect ? "connect" : "bind", FdTarget(socket));
            }
        }
    }

    private static unsafe int SockName<TAddress>(SafeFd socket, out TAddress address, bool peer)
        where TAddress : unmanaged
    {
        using FdLease lease = socket.Lease();
        address = default;
        uint length = (uint)sizeof(TAddress);
        fixed (TAddress* p = &address)
        {
            int result = peer ? GetpeernameRaw(lease.Fd, p, &length) : GetsocknameRaw(lease.Fd, p, &length);
            if (result < 0)
            {
                ErrnoException.ThrowLast(peer ? "getpeername" : "getsockname", FdTarget(socket));
            }
        }
        return (int)length;
    }

    private static unsafe void CheckAddressLength<TAddress>(int length)
        where TAddress : unmanaged
    {
        if (length <= 0 || length > sizeof(TAddress))
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, $"address length must be 1..{sizeof(TAddress)} for {typeof(TAddress).Name}");
        }
    }
}
