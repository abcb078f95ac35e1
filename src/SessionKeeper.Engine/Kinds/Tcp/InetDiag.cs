using System.Buffers.Binary;
using SessionKeeper.Engine.Kinds.UnixSockets;
using SessionKeeper.Native;

namespace SessionKeeper.Engine.Kinds.Tcp;

/// <summary>What sock_diag reports of one TCP or UDP socket (linux/inet_diag.h, struct inet_diag_msg).</summary>
/// <param name="Inode">The socket's inode; 0 for a connection no file holds any more (TIME_WAIT, orphans).</param>
/// <param name="State">TCP state number (TCP_ESTABLISHED 1, TCP_LISTEN 10, TCP_CLOSE 7 for an unconnected UDP socket).</param>
/// <param name="Local">Bound address and port.</param>
/// <param name="Remote">Peer address and port (zeros when there is none).</param>
/// <param name="ReceiveQueue">Bytes unread; for a listener, connections waiting to be accepted.</param>
/// <param name="SendQueue">Bytes not acknowledged; for a listener, its backlog.</param>
public sealed record InetDiagEntry(uint Inode, int State, InetEndpoint Local, InetEndpoint Remote, uint ReceiveQueue, uint SendQueue)
{
    /// <summary>TCP_ESTABLISHED</summary>
    public const int Established = 1;

    /// <summary>TCP_LISTEN</summary>
    public const int Listen = 10;
}

/// <summary>
/// Lists the TCP or UDP sockets of a network namespace with sock_diag (NETLINK_SOCK_DIAG,
/// inet_diag_req_v2). It tells what no socket option does: a listener's backlog and accept
/// queue, and which socket holds a port.
/// </summary>
public static class InetDiag
{
    private const int HeaderSize = 16;     // struct nlmsghdr
    private const int RequestSize = 56;    // struct inet_diag_req_v2
    private const int MessageSize = 72;    // struct inet_diag_msg

    /// <summary>IPPROTO_TCP</summary>
    public const int Tcp = 6;

    /// <summary>IPPROTO_UDP</summary>
    public const int Udp = 17;

    /// <summary>The sockets of <paramref name="family"/> and <paramref name="protocol"/> in the network namespace of <paramref name="pid"/> (null: keeper's own).</summary>
    public static List<InetDiagEntry> Query(int? pid, SocketFamily family, int protocol)
    {
        Func<SafeFd> open = () => Interop.Socket(SocketFamily.AF_NETLINK, SocketKind.SOCK_DGRAM | SocketKind.SOCK_CLOEXEC, (int)NetlinkProtocol.NETLINK_SOCK_DIAG);
        using SafeFd netlink = pid is int p ? NetworkNamespace.Create(p, open) : open();
        Span<byte> request = stackalloc byte[HeaderSize + RequestSize];
        request.Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(request, (uint)request.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(request[4..], (ushort)NetlinkMessage.SOCK_DIAG_BY_FAMILY);
        BinaryPrimitives.WriteUInt16LittleEndian(request[6..], (ushort)(NetlinkMessage.NLM_F_REQUEST | NetlinkMessage.NLM_F_ROOT | NetlinkMessage.NLM_F_MATCH));
        request[HeaderSize] = (byte)family;
        request[HeaderSize + 1] = (byte)protocol;
        BinaryPrimitives.WriteUInt32LittleEndian(request[(HeaderSize + 4)..], uint.MaxValue); // every state
        Interop.Send(netlink, request);

        var result = new List<InetDiagEntry>();
        byte[] buffer = new byte[64 * 1024];
        while (true)
        {
            int length = Interop.Receive(netlink, buffer);
            int offset = 0;
            while (offset + HeaderSize <= length)
            {
                ReadOnlySpan<byte> message = buffer.AsSpan(offset, length - offset);
                int size = (int)BinaryPrimitives.ReadUInt32LittleEndian(message);
                int type = BinaryPrimitives.ReadUInt16LittleEndian(message[4..]);
                if (size < HeaderSize || size > message.Length)
                {
                    throw new InvalidOperationException($"sock_diag(INET_DIAG): a malformed answer of {size} bytes");
                }
                switch (type)
                {
                    case (int)NetlinkMessage.NLMSG_DONE:
                        return result;
                    case (int)NetlinkMessage.NLMSG_ERROR:
                        ErrnoException.Throw((Errno)(-BinaryPrimitives.ReadInt32LittleEndian(message[HeaderSize..])), "sock_diag(INET_DIAG)", pid is null ? "keeper's network namespace" : $"network namespace of pid {pid}");
                        break;
                    case (int)NetlinkMessage.SOCK_DIAG_BY_FAMILY when size >= HeaderSize + MessageSize:
                        result.Add(Parse(message[HeaderSize..size], family));
                        break;
                }
                offset += (size + 3) & ~3;
            }
        }
    }

    private static InetDiagEntry Parse(ReadOnlySpan<byte> message, SocketFamily family)
    {
        // inet_diag_sockid at offset 4: sport, dport (big endian), src[16], dst[16], if, cookie.
        int addressLength = family == SocketFamily.AF_INET ? 4 : 16;
        var local = new InetEndpoint(family, message.Slice(8, addressLength).ToArray(), BinaryPrimitives.ReadUInt16BigEndian(message[4..]));
        var remote = new InetEndpoint(family, message.Slice(24, addressLength).ToArray(), BinaryPrimitives.ReadUInt16BigEndian(message[6..]));
        return new InetDiagEntry(
            Inode: BinaryPrimitives.ReadUInt32LittleEndian(message[68..]),
            State: message[1],
            Local: local,
            Remote: remote,
            ReceiveQueue: BinaryPrimitives.ReadUInt32LittleEndian(message[56..]),
            SendQueue: BinaryPrimitives.ReadUInt32LittleEndian(message[60..]));
    }

    /// <summary>Which process holds socket <paramref name="inode"/>, for messages: "pid N (comm) fd M", found by a scan of /proc.</summary>
    public static string DescribeHolder(uint inode)
    {
        if (inode == 0)
        {
            return "no process (a connection the kernel still finishes)";
        }
        string wanted = $"socket:[{inode}]";
        foreach (string directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out int pid))
            {
                continue;
            }
            try
            {
                foreach (string link in Directory.EnumerateFileSystemEntries(Path.Combine(directory, "fd")))
                {
                    if (new FileInfo(link).LinkTarget == wanted)
                    {
                        string comm = File.ReadAllText(Path.Combine(directory, "comm")).Trim();
                        return $"pid {pid} ({comm}) fd {Path.GetFileName(link)}";
                    }
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Gone meanwhile, or not ours to read.
            }
        }
        return $"{wanted}, held by no process found";
    }
}
