using System.Buffers.Binary;
using SessionKeeper.Native;

namespace SessionKeeper.Engine.Kinds.UnixSockets;

/// <summary>What sock_diag reports of one unix socket.</summary>
/// <param name="Inode">The socket's inode ("socket:[N]").</param>
/// <param name="Type">SOCK_STREAM 1, SOCK_DGRAM 2, SOCK_SEQPACKET 5.</param>
/// <param name="State">sk_state: TCP_ESTABLISHED 1 (connected), TCP_CLOSE 7, TCP_LISTEN 10.</param>
/// <param name="Name">sun_path bytes as bound (a leading NUL for an abstract name), or null when unbound.</param>
/// <param name="Peer">Inode of the peer, 0 when there is none (or the peer's file is closed).</param>
/// <param name="Pending">Inodes of connections in a listener's accept queue.</param>
/// <param name="ReceiveQueue">Bytes queued for reading; for a listener, the accept queue length.</param>
/// <param name="SendQueue">Bytes not yet read by the peer; for a listener, its backlog.</param>
/// <param name="Shutdown">sk_shutdown: RCV_SHUTDOWN 1, SEND_SHUTDOWN 2.</param>
public sealed record UnixDiagEntry(uint Inode, int Type, int State, byte[]? Name, uint Peer, uint[] Pending, uint ReceiveQueue, uint SendQueue, byte Shutdown)
{
    /// <summary>TCP_ESTABLISHED, as unix sockets use it: connected.</summary>
    public const int Established = 1;

    /// <summary>TCP_LISTEN</summary>
    public const int Listen = 10;
}

/// <summary>
/// Lists the unix sockets of a network namespace with sock_diag (linux/unix_diag.h): the only
/// place the kernel tells a socket's peer and a listener's accept queue. /proc/net/unix has
/// neither.
/// </summary>
public static class UnixDiag
{
    // struct nlmsghdr (16 bytes) + struct unix_diag_req (24 bytes); struct unix_diag_msg is 16.
    private const int NlmsgHeaderSize = 16;
    private const int RequestSize = 24;
    private const int AnswerSize = 16;

    /// <summary>Every unix socket of the network namespace <paramref name="pid"/> is in, by inode.</summary>
    public static Dictionary<uint, UnixDiagEntry> Query(int pid)
    {
        using SafeFd socket = NetworkNamespace.Create(pid, () => Interop.Socket(SocketFamily.AF_NETLINK, SocketKind.SOCK_DGRAM, (int)NetlinkProtocol.NETLINK_SOCK_DIAG));
        Span<byte> request = stackalloc byte[NlmsgHeaderSize + RequestSize];
        request.Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(request, (uint)request.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(request[4..], (ushort)NetlinkMessage.SOCK_DIAG_BY_FAMILY);
        BinaryPrimitives.WriteUInt16LittleEndian(request[6..], (ushort)(NetlinkMessage.NLM_F_REQUEST | NetlinkMessage.NLM_F_ROOT | NetlinkMessage.NLM_F_MATCH));
        BinaryPrimitives.WriteUInt32LittleEndian(request[8..], 1); // sequence
        request[NlmsgHeaderSize] = (byte)SocketFamily.AF_UNIX;
        BinaryPrimitives.WriteUInt32LittleEndian(request[(NlmsgHeaderSize + 4)..], uint.MaxValue); // every state
        UnixDiagShow show = UnixDiagShow.UDIAG_SHOW_NAME | UnixDiagShow.UDIAG_SHOW_PEER | UnixDiagShow.UDIAG_SHOW_ICONS | UnixDiagShow.UDIAG_SHOW_RQLEN;
        BinaryPrimitives.WriteUInt32LittleEndian(request[(NlmsgHeaderSize + 12)..], (uint)show);
        Interop.Send(socket, request);

        var result = new Dictionary<uint, UnixDiagEntry>();
        byte[] buffer = new byte[64 * 1024];
        while (true)
        {
            int length = Interop.Receive(socket, buffer);
            for (int offset = 0; offset + NlmsgHeaderSize <= length;)
            {
                var message = buffer.AsSpan(offset, length - offset);
                int messageLength = (int)BinaryPrimitives.ReadUInt32LittleEndian(message);
                int type = BinaryPrimitives.ReadUInt16LittleEndian(message[4..]);
                if (messageLength < NlmsgHeaderSize || messageLength > message.Length)
                {
                    throw new InvalidOperationException($"sock_diag: malformed answer ({messageLength} bytes at {offset})");
                }
                if (type == (int)NetlinkMessage.NLMSG_DONE)
                {
                    return result;
                }
                if (type == (int)NetlinkMessage.NLMSG_ERROR)
                {
                    int errno = -BinaryPrimitives.ReadInt32LittleEndian(message[NlmsgHeaderSize..]);
                    ErrnoException.Throw((Errno)errno, "sock_diag(UNIX_DIAG)", $"network namespace of pid {pid}");
                }
                if (type == (int)NetlinkMessage.SOCK_DIAG_BY_FAMILY)
                {
                    UnixDiagEntry entry = Parse(message[NlmsgHeaderSize..messageLength]);
                    result[entry.Inode] = entry;
                }
                offset += (messageLength + 3) & ~3;
            }
        }
    }

    private static UnixDiagEntry Parse(ReadOnlySpan<byte> answer)
    {
        int type = answer[1];
        int state = answer[2];
        uint inode = BinaryPrimitives.ReadUInt32LittleEndian(answer[4..]);
        byte[]? name = null;
        uint peer = 0, rq = 0, wq = 0;
        uint[] pending = [];
        byte shutdown = 0;
        for (int offset = AnswerSize; offset + 4 <= answer.Length;)
        {
            int length = BinaryPrimitives.ReadUInt16LittleEndian(answer[offset..]);
            int attribute = BinaryPrimitives.ReadUInt16LittleEndian(answer[(offset + 2)..]);
            if (length < 4 || offset + length > answer.Length)
            {
                break;
            }
            ReadOnlySpan<byte> value = answer.Slice(offset + 4, length - 4);
            switch ((UnixDiagAttribute)attribute)
            {
                case UnixDiagAttribute.UNIX_DIAG_NAME:
                    name = value.ToArray();
                    break;
                case UnixDiagAttribute.UNIX_DIAG_PEER:
                    peer = BinaryPrimitives.ReadUInt32LittleEndian(value);
                    break;
                case UnixDiagAttribute.UNIX_DIAG_ICONS:
                    pending = new uint[value.Length / 4];
                    for (int i = 0; i < pending.Length; i++)
                    {
                        pending[i] = BinaryPrimitives.ReadUInt32LittleEndian(value[(i * 4)..]);
                    }
                    break;
                case UnixDiagAttribute.UNIX_DIAG_RQLEN:
                    rq = BinaryPrimitives.ReadUInt32LittleEndian(value);
                    wq = BinaryPrimitives.ReadUInt32LittleEndian(value[4..]);
                    break;
                case UnixDiagAttribute.UNIX_DIAG_SHUTDOWN:
                    shutdown = value[0];
                    break;
            }
            offset += (length + 3) & ~3;
        }
        return new UnixDiagEntry(inode, type, state, name, peer, pending, rq, wq, shutdown);
    }
}

/// <summary>
/// Creates sockets in the network namespace of another process: the calling thread steps into
/// it with setns and back again. Only the calling thread changes namespace, and a socket keeps
/// the namespace it was created in, so the rest of keeper is not affected.
/// </summary>
public static class NetworkNamespace
{
    /// <summary>Runs <paramref name="create"/> in the network namespace of <paramref name="pid"/>.</summary>
    public static T Create<T>(int pid, Func<T> create)
    {
        using SafeFd own = Interop.Open("/proc/thread-self/ns/net", OpenFlags.O_RDONLY | OpenFlags.O_CLOEXEC);
        using SafeFd target = Interop.Open($"/proc/{pid}/ns/net", OpenFlags.O_RDONLY | OpenFlags.O_CLOEXEC);
        if (Interop.Fstat(own).Ino == Interop.Fstat(target).Ino)
        {
            return create();
        }
        Interop.Setns(target, CloneFlags.CLONE_NEWNET);
        try
        {
            return create();
        }
        finally
        {
            Interop.Setns(own, CloneFlags.CLONE_NEWNET);
        }
    }
}
