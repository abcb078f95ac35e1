using System.Buffers.Binary;
using System.Net;

namespace SessionKeeper.Engine.ProcFs;

/// <summary>One line of /proc/PID/net/unix (net/unix/af_unix.c unix_seq_show).</summary>
/// <param name="Inode">The socket's inode, as in "socket:[N]" of the fd link.</param>
/// <param name="RefCount">RefCount.</param>
/// <param name="Flags">Flags: __SO_ACCEPTCON (0x10000) for a listening socket.</param>
/// <param name="Type">Type: SOCK_STREAM 1, SOCK_DGRAM 2, SOCK_SEQPACKET 5.</param>
/// <param name="State">St: SS_UNCONNECTED 1, SS_CONNECTING 2, SS_CONNECTED 3, SS_DISCONNECTING 4.</param>
/// <param name="Path">The bound name, or null when unbound. An abstract name is shown with '@' in place of its leading NUL (and of every other NUL in it).</param>
public sealed record UnixSocketEntry(ulong Inode, uint RefCount, uint Flags, int Type, int State, string? Path)
{
    /// <summary>__SO_ACCEPTCON: the socket is listening.</summary>
    public const uint AcceptConnections = 0x10000;

    /// <summary>True for a listening socket.</summary>
    public bool IsListening => (Flags & AcceptConnections) != 0;

    /// <summary>True when bound to an abstract name (the name depends on the network namespace).</summary>
    public bool IsAbstract => Path is not null && Path.StartsWith('@');
}

/// <summary>TCP states as /proc/net/tcp numbers them (include/net/tcp_states.h).</summary>
public enum TcpState
{
    /// <summary>Not a known state.</summary>
    Unknown = 0,
    /// <summary>TCP_ESTABLISHED</summary>
    Established = 1,
    /// <summary>TCP_SYN_SENT</summary>
    SynSent = 2,
    /// <summary>TCP_SYN_RECV</summary>
    SynRecv = 3,
    /// <summary>TCP_FIN_WAIT1</summary>
    FinWait1 = 4,
    /// <summary>TCP_FIN_WAIT2</summary>
    FinWait2 = 5,
    /// <summary>TCP_TIME_WAIT</summary>
    TimeWait = 6,
    /// <summary>TCP_CLOSE</summary>
    Close = 7,
    /// <summary>TCP_CLOSE_WAIT</summary>
    CloseWait = 8,
    /// <summary>TCP_LAST_ACK</summary>
    LastAck = 9,
    /// <summary>TCP_LISTEN</summary>
    Listen = 10,
    /// <summary>TCP_CLOSING</summary>
    Closing = 11,
    /// <summary>TCP_NEW_SYN_RECV</summary>
    NewSynRecv = 12,
}

/// <summary>One line of /proc/PID/net/tcp or tcp6.</summary>
/// <param name="Local">local_address.</param>
/// <param name="Remote">rem_address.</param>
/// <param name="State">st.</param>
/// <param name="TxQueue">tx_queue: unsent (listen: 0) bytes.</param>
/// <param name="RxQueue">rx_queue: unread bytes, or the accept backlog for a listener.</param>
/// <param name="Uid">uid of the socket's owner.</param>
/// <param name="Inode">inode, as in "socket:[N]"; 0 for TIME_WAIT and request sockets, which belong to no fd.</param>
public sealed record TcpSocketEntry(IPEndPoint Local, IPEndPoint Remote, TcpState State, uint TxQueue, uint RxQueue, uint Uid, ulong Inode);

public static partial class ProcFsReader
{
    /// <summary>Reads /proc/PID/net/unix: the unix sockets of the network namespace of <paramref name="pid"/>; false when gone.</summary>
    public static bool TryReadUnixSockets(int pid, out List<UnixSocketEntry> sockets)
        => TryParseFile(ProcPath(pid, "net/unix"), static text => ParseUnixSockets(text), out sockets!);

    /// <summary>Parses /proc/net/unix ("Num RefCount Protocol Flags Type St Inode Path" and one socket a line).</summary>
    public static List<UnixSocketEntry> ParseUnixSockets(ReadOnlySpan<char> text)
    {
        var sockets = new List<UnixSocketEntry>();
        ProcText.NextLine(ref text, out _); // header
        while (ProcText.NextLine(ref text, out ReadOnlySpan<char> line))
        {
            ReadOnlySpan<char> rest = line;
            if (ProcText.NextToken(ref rest).IsEmpty)
            {
                continue; // "0000000000000000:" (the kernel address, hidden)
            }
            uint refCount = (uint)ProcText.Hex(ProcText.NextToken(ref rest), "unix RefCount");
            ProcText.NextToken(ref rest); // Protocol, always 0
            uint flags = (uint)ProcText.Hex(ProcText.NextToken(ref rest), "unix Flags");
            int type = (int)ProcText.Hex(ProcText.NextToken(ref rest), "unix Type");
            int state = (int)ProcText.Hex(ProcText.NextToken(ref rest), "unix St");
            ulong inode = ProcText.Dec(ProcText.NextToken(ref rest), "unix Inode");
            // The path is the rest of the line after one space, written byte by byte: it may
            // contain spaces, and an abstract name may end in what look like trailing spaces.
            string? path = rest.Length > 1 ? rest[1..].ToString() : null;
            sockets.Add(new UnixSocketEntry(inode, refCount, flags, type, state, path));
        }
        return sockets;
    }

    /// <summary>Reads /proc/PID/net/tcp or tcp6 of the network namespace of <paramref name="pid"/>; false when gone.</summary>
    public static bool TryReadTcpSockets(int pid, bool ipv6, out List<TcpSocketEntry> sockets)
        => TryParseFile(ProcPath(pid, ipv6 ? "net/tcp6" : "net/tcp"), static text => ParseTcpSockets(text), out sockets!);

    /// <summary>Parses /proc/net/tcp or tcp6 (the address width tells them apart).</summary>
    public static List<TcpSocketEntry> ParseTcpSockets(ReadOnlySpan<char> text)
    {
        var sockets = new List<TcpSocketEntry>();
        ProcText.NextLine(ref text, out _); // header
        while (ProcText.NextLine(ref text, out ReadOnlySpan<char> line))
        {
            ReadOnlySpan<char> rest = line;
            if (ProcText.NextToken(ref rest).IsEmpty)
            {
                continue; // "sl" slot number
            }
            IPEndPoint local = ParseTcpEndpoint(ProcText.NextToken(ref rest));
            IPEndPoint remote = ParseTcpEndpoint(ProcText.NextToken(ref rest));
            var state = (TcpState)ProcText.Hex(ProcText.NextToken(ref rest), "tcp st");
            ReadOnlySpan<char> queues = ProcText.NextToken(ref rest);
            int colon = queues.IndexOf(':');
            if (colon < 0)
            {
                throw ProcText.Bad("tcp queues", queues);
            }
            uint tx = (uint)ProcText.Hex(queues[..colon], "tcp tx_queue");
            uint rx = (uint)ProcText.Hex(queues[(colon + 1)..], "tcp rx_queue");
            ProcText.NextToken(ref rest); // tr:tm->when
            ProcText.NextToken(ref rest); // retrnsmt
            uint uid = (uint)ProcText.Dec(ProcText.NextToken(ref rest), "tcp uid");
            ProcText.NextToken(ref rest); // timeout
            ulong inode = ProcText.Dec(ProcText.NextToken(ref rest), "tcp inode");
            sockets.Add(new TcpSocketEntry(local, remote, state, tx, rx, uid, inode));
        }
        return sockets;
    }

    /// <summary>
    /// "0100007F:170D" or 32 hex digits and a port. The kernel prints each 32-bit word of the
    /// network-order address as a host-order integer, so on x86 every word's bytes come out
    /// reversed; the port is printed after ntohs, in plain hex.
    /// </summary>
    private static IPEndPoint ParseTcpEndpoint(ReadOnlySpan<char> token)
    {
        int colon = token.IndexOf(':');
        if (colon is not (8 or 32))
        {
            throw ProcText.Bad("tcp address", token);
        }
        Span<byte> bytes = stackalloc byte[colon / 2];
        for (int word = 0; word < colon / 8; word++)
        {
            uint value = (uint)ProcText.Hex(token.Slice(word * 8, 8), "tcp address");
            BinaryPrimitives.WriteUInt32LittleEndian(bytes[(word * 4)..], value);
        }
        int port = (int)ProcText.Hex(token[(colon + 1)..], "tcp port");
        return new IPEndPoint(new IPAddress(bytes), port);
    }
}
