using System.Runtime.InteropServices;
using static SessionKeeper.Native.InteropHelpers;

namespace SessionKeeper.Native;

public static partial class Interop
{
    /// <summary>SCM_MAX_FD: the most descriptors the kernel accepts in one SCM_RIGHTS message.</summary>
    public const int ScmMaxFd = 253;

    [LibraryImport(Libc, EntryPoint = "sendmsg", SetLastError = true)]
    private static unsafe partial nint SendmsgRaw(int fd, MsgHdr* message, int flags);

    [LibraryImport(Libc, EntryPoint = "recvmsg", SetLastError = true)]
    private static unsafe partial nint RecvmsgRaw(int fd, MsgHdr* message, int flags);

    /// <summary>
    /// sendmsg(2) with a caller-built header; returns the bytes sent. Retries on EINTR. The
    /// caller keeps every buffer the header points to pinned.
    /// </summary>
    public static int SendMsg(SafeFd socket, ref MsgHdr message, MsgFlags flags) => MessageCore(socket, ref message, flags, send: true);

    /// <summary>
    /// recvmsg(2) with a caller-built header; returns the bytes received (the header's
    /// lengths and flags are updated). Retries on EINTR. Use MSG_PEEK to read queued data
    /// without consuming it.
    /// </summary>
    public static int RecvMsg(SafeFd socket, ref MsgHdr message, MsgFlags flags) => MessageCore(socket, ref message, flags, send: false);

    /// <summary>Receives into one buffer (recv(2) by way of recvmsg); MSG_PEEK with SO_PEEK_OFF reads queues in pieces.</summary>
    public static unsafe int Receive(SafeFd socket, Span<byte> buffer, MsgFlags flags = MsgFlags.None)
    {
        fixed (byte* p = buffer)
        {
            var iov = new IoVec(p, (nuint)buffer.Length);
            var message = new MsgHdr { Iov = &iov, IovLength = 1 };
            return RecvMsg(socket, ref message, flags);
        }
    }

    /// <summary>Sends one buffer (send(2) by way of sendmsg), with MSG_NOSIGNAL so a closed peer gives EPIPE rather than SIGPIPE.</summary>
    public static unsafe int Send(SafeFd socket, ReadOnlySpan<byte> data, MsgFlags flags = MsgFlags.None)
    {
        fixed (byte* p = data)
        {
            var iov = new IoVec(p, (nuint)data.Length);
            var message = new MsgHdr { Iov = &iov, IovLength = 1 };
            return SendMsg(socket, ref message, flags | MsgFlags.MSG_NOSIGNAL);
        }
    }

    /// <summary>
    /// Sends <paramref name="data"/> with all of <paramref name="fds"/> in one SCM_RIGHTS
    /// message on a connected socket. Stream sockets need at least one data byte, or the
    /// descriptors are not delivered.
    /// </summary>
    public static unsafe int SendFds(SafeFd socket, ReadOnlySpan<byte> data, ReadOnlySpan<SafeFd> fds)
        => SendFdsCore(socket, null, 0, data, fds);

    /// <summary>
    /// Sends <paramref name="data"/> and <paramref name="fds"/> in one SCM_RIGHTS datagram to
    /// <paramref name="address"/> — how restore hands descriptors to a task that bound an
    /// abstract AF_UNIX datagram socket.
    /// </summary>
    public static unsafe int SendFds<TAddress>(SafeFd socket, in TAddress address, int addressLength, ReadOnlySpan<byte> data, ReadOnlySpan<SafeFd> fds)
        where TAddress : unmanaged
    {
        CheckAddressLength<TAddress>(addressLength);
        fixed (TAddress* a = &address)
        {
            return SendFdsCore(socket, a, (uint)addressLength, data, fds);
        }
    }

    /// <summary>
    /// Receives one message with room for at least <paramref name="maxFds"/> SCM_RIGHTS
    /// descriptors (with MSG_CMSG_CLOEXEC, so they are close-on-exec from the first instant). Returns the
    /// data length; <paramref name="fds"/> holds the received descriptors, owned by the caller.
    /// Throws EMSGSIZE if the control data was truncated (the kernel closed the excess).
    /// </summary>
    public static unsafe int ReceiveFds(SafeFd socket, Span<byte> data, int maxFds, out SafeFd[] fds, MsgFlags flags = MsgFlags.None)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxFds);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxFds, ScmMaxFd);
        int controlLength = CmsgHdr.Space(maxFds * sizeof(int));
        // ulong storage keeps the control buffer aligned for cmsghdr's size_t field.
        ulong* control = stackalloc ulong[(controlLength + 7) / 8];
        new Span<byte>(control, controlLength).Clear();
        // Handles exist before the call, so nothing the kernel installs can be left unowned.
        // CMSG_SPACE rounds up, and the kernel fills the padding too (room for 2 fds when 1
        // was asked for), so there is one handle per slot the buffer really has.
        var handles = new SafeFd[(controlLength - CmsgHdr.Len(0)) / sizeof(int)];
        for (int i = 0; i < handles.Length; i++)
        {
            handles[i] = new SafeFd();
        }
        int received = 0;
        int length;
        try
        {
            fixed (byte* p = data)
            {
                var iov = new IoVec(p, (nuint)data.Length);
                var message = new MsgHdr { Iov = &iov, IovLength = 1, Control = control, ControlLength = (nuint)controlLength };
                length = RecvMsg(socket, ref message, flags | MsgFlags.MSG_CMSG_CLOEXEC);
                received = AttachRights((byte*)control, (int)message.ControlLength, handles);
                if (((MsgFlags)message.Flags & MsgFlags.MSG_CTRUNC) != 0)
                {
                    ErrnoException.Throw(Errno.EMSGSIZE, "recvmsg(SCM_RIGHTS)", FdTarget(socket), $"more than {maxFds} descriptors were sent; the rest were closed");
                }
            }
        }
        catch
        {
            foreach (SafeFd handle in handles)
            {
                handle.Dispose();
            }
            throw;
        }
        for (int i = received; i < handles.Length; i++)
        {
            handles[i].Dispose();
        }
        fds = handles[..received];
        return length;
    }

    /// <summary>One sendmsg or recvmsg, retried on EINTR.</summary>
    private static unsafe int MessageCore(SafeFd socket, ref MsgHdr message, MsgFlags flags, bool send)
    {
        using FdLease lease = socket.Lease();
        nint n;
        fixed (MsgHdr* m = &message)
        {
            do
            {
                n = send ? SendmsgRaw(lease.Fd, m, (int)flags) : RecvmsgRaw(lease.Fd, m, (int)flags);
            }
            while (Interrupted(n));
        }
        if (n < 0)
        {
            ErrnoException.ThrowLast(send ? "sendmsg" : "recvmsg", FdTarget(socket));
        }
        return (int)n;
    }

    private static unsafe int SendFdsCore(SafeFd socket, void* name, uint nameLength, ReadOnlySpan<byte> data, ReadOnlySpan<SafeFd> fds)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(fds.Length, ScmMaxFd);
        int payload = fds.Length * sizeof(int);
        int controlLength = fds.Length == 0 ? 0 : CmsgHdr.Space(payload);
        ulong* control = stackalloc ulong[(controlLength + 7) / 8];
        new Span<byte>(control, controlLength).Clear();
        // Each descriptor is pinned (DangerousAddRef) until the kernel has taken its own
        // reference in sendmsg, so a concurrent Dispose cannot send a reused number.
        int added = 0;
        try
        {
            if (fds.Length > 0)
            {
                var header = (CmsgHdr*)control;
                header->Length = (nuint)CmsgHdr.Len(payload);
                header->Level = (int)SocketLevel.SOL_SOCKET;
                header->Type = (int)ScmType.SCM_RIGHTS;
                int* slots = (int*)((byte*)control + CmsgHdr.Len(0));
                for (; added < fds.Length; added++)
                {
                    bool success = false;
                    fds[added].DangerousAddRef(ref success);
                    slots[added] = (int)fds[added].DangerousGetHandle();
                }
            }
            fixed (byte* p = data)
            {
                var iov = new IoVec(p, (nuint)data.Length);
                var message = new MsgHdr
                {
                    Name = name,
                    NameLength = nameLength,
                    Iov = &iov,
                    IovLength = 1,
                    Control = controlLength == 0 ? null : control,
                    ControlLength = (nuint)controlLength,
                };
                return SendMsg(socket, ref message, MsgFlags.MSG_NOSIGNAL);
            }
        }
        finally
        {
            for (int i = 0; i < added; i++)
            {
                fds[i].DangerousRelease();
            }
        }
    }

    /// <summary>Walks the received control data and attaches every SCM_RIGHTS descriptor to the next free handle.</summary>
    private static unsafe int AttachRights(byte* control, int controlLength, SafeFd[] handles)
    {
        int count = 0;
        int headerLength = CmsgHdr.Len(0);
        for (int offset = 0; offset + headerLength <= controlLength;)
        {
            var header = (CmsgHdr*)(control + offset);
            int itemLength = (int)header->Length;
            if (itemLength < headerLength || offset + itemLength > controlLength)
            {
                break;
            }
            if (header->Level == (int)SocketLevel.SOL_SOCKET && header->Type == (int)ScmType.SCM_RIGHTS)
            {
                int* fds = (int*)(control + offset + headerLength);
                int n = (itemLength - headerLength) / sizeof(int);
                for (int i = 0; i < n; i++)
                {
                    if (count < handles.Length)
                    {
                        handles[count++].Attach(fds[i]);
                    }
                    else
                    {
                        // The buffer has one handle per slot, so this is only a guard: never
                        // leak a descriptor the kernel installed.
                        Close(fds[i]);
                    }
                }
            }
            offset += CmsgHdr.Align(itemLength);
        }
        return count;
    }
}
