using System.Runtime.InteropServices;
using Google.Protobuf;
using SessionKeeper.Native;
using V1 = SessionKeeper.Images.V1;

namespace SessionKeeper.Engine.Kinds.Tcp;

/// <summary>
/// Reads an established connection in TCP repair mode and builds it again (DESIGN.md §6; the
/// kernel's TCP_REPAIR interface as documented for checkpoint/restore). In repair mode a socket
/// sends nothing: reading its queues does not consume them, closing it sends neither FIN nor
/// RST, and connecting it sends no SYN but makes it established at once with the sequence
/// numbers set before.
/// </summary>
public static class TcpRepair
{
    /// <summary>tcp_info.tcpi_state values (include/net/tcp_states.h).</summary>
    public const int StateEstablished = 1, StateClose = 7, StateListen = 10;

    // tcp_info.tcpi_options bits (linux/tcp.h).
    private const int OptionTimestamps = 1, OptionSack = 2, OptionWscale = 4;

    // Repair-mode queue writes are taken in pieces of this size: each piece is one skb that
    // must fit the socket's memory accounting.
    private const int Chunk = 16 * 1024;

    private static readonly string[] s_stateNames =
        ["?", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT", "CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING", "NEW_SYN_RECV"];

    /// <summary>The TCP state of a socket (tcp_info.tcpi_state).</summary>
    public static int State(SafeFd socket) => TcpInfo(socket)[0];

    /// <summary>A TCP state's kernel name, for messages.</summary>
    public static string StateName(int state) => state >= 0 && state < s_stateNames.Length ? s_stateNames[state] : $"state {state}";

    private static byte[] TcpInfo(SafeFd socket)
    {
        // struct tcp_info starts with u8 state, ca_state, retransmits, probes, backoff, options,
        // then a byte holding snd_wscale (low nibble) and rcv_wscale (high nibble).
        byte[] info = new byte[104];
        Interop.GetSockOpt(socket, SocketLevel.SOL_TCP, (int)TcpOption.TCP_INFO, info);
        return info;
    }

    /// <summary>
    /// Puts <paramref name="socket"/> (a duplicate of the tree's descriptor, the connection
    /// locked) into repair mode and reads everything needed to rebuild it. The socket stays in
    /// repair mode: <see cref="Leave"/> takes it out when the tree runs on.
    /// </summary>
    public static V1.TcpRepairState Read(SafeFd socket)
    {
        Interop.SetSockOpt(socket, TcpOption.TCP_REPAIR, (int)TcpRepairMode.TCP_REPAIR_ON);
        byte[] info = TcpInfo(socket);
        var state = new V1.TcpRepairState
        {
            // In repair mode TCP_MAXSEG reads the clamp that the peer's SYN announced.
            Mss = (uint)Interop.GetSockOpt(socket, TcpOption.TCP_MAXSEG),
            Sack = (info[5] & OptionSack) != 0,
            Timestamps = (info[5] & OptionTimestamps) != 0,
        };
        if ((info[5] & OptionWscale) != 0)
        {
            state.SendWscale = (uint)(info[6] & 0xf);
            state.ReceiveWscale = (uint)(info[6] >> 4);
        }
        if (state.Timestamps)
        {
            state.Timestamp = (uint)Interop.GetSockOpt(socket, TcpOption.TCP_TIMESTAMP);
        }
        // SIOCOUTQ: sent but unacknowledged plus unsent; SIOCOUTQNSD: unsent; SIOCINQ: unread.
        int outq = Interop.IoctlGet<int>(socket, IoctlRequest.SIOCOUTQ);
        int unsent = Interop.IoctlGet<int>(socket, IoctlRequest.SIOCOUTQNSD);
        int inq = Interop.IoctlGet<int>(socket, IoctlRequest.SIOCINQ);

        Interop.SetSockOpt(socket, TcpOption.TCP_REPAIR_QUEUE, (int)TcpQueue.TCP_SEND_QUEUE);
        state.SendSeq = (uint)Interop.GetSockOpt(socket, TcpOption.TCP_QUEUE_SEQ);
        state.SendQueue = new V1.ContentRef { InlineData = ByteString.CopyFrom(Peek(socket, outq)) };
        state.SendQueueLength = (uint)outq;
        state.UnsentLength = (uint)unsent;

        Interop.SetSockOpt(socket, TcpOption.TCP_REPAIR_QUEUE, (int)TcpQueue.TCP_RECV_QUEUE);
        state.ReceiveSeq = (uint)Interop.GetSockOpt(socket, TcpOption.TCP_QUEUE_SEQ);
        state.ReceiveQueue = new V1.ContentRef { InlineData = ByteString.CopyFrom(Peek(socket, inq)) };
        state.ReceiveQueueLength = (uint)inq;
        Interop.SetSockOpt(socket, TcpOption.TCP_REPAIR_QUEUE, (int)TcpQueue.TCP_NO_QUEUE);

        TcpRepairWindow window = Interop.GetSockOpt<TcpRepairWindow>(socket, SocketLevel.SOL_TCP, (int)TcpOption.TCP_REPAIR_WINDOW);
        state.SndWl1 = window.SndWl1;
        state.SndWnd = window.SndWnd;
        state.MaxWindow = window.MaxWindow;
        state.RcvWnd = window.RcvWnd;
        state.RcvWup = window.RcvWup;
        return state;
    }

    /// <summary>Reads <paramref name="length"/> bytes of the selected repair queue without consuming them.</summary>
    private static byte[] Peek(SafeFd socket, int length)
    {
        byte[] data = new byte[length];
        if (length == 0)
        {
            return data;
        }
        // A peek in repair mode returns the queue from its start each time; one call with room
        // for all of it gets it whole, a short read means the queue is shorter than reported.
        int n = Interop.Receive(socket, data, MsgFlags.MSG_PEEK | MsgFlags.MSG_DONTWAIT);
        if (n != length)
        {
            throw new InvalidOperationException($"TCP repair: read {n} of the {length} queued bytes");
        }
        return data;
    }

    /// <summary>
    /// Takes a socket out of repair mode without the window probe the kernel otherwise sends:
    /// the tree goes on with the connection as it was.
    /// </summary>
    public static void Leave(SafeFd socket)
        => Interop.SetSockOpt(socket, TcpOption.TCP_REPAIR, (int)TcpRepairMode.TCP_REPAIR_OFF_NO_WP);

    /// <summary>
    /// Builds the connection of <paramref name="saved"/> on <paramref name="socket"/>, a fresh TCP
    /// socket in the right network namespace: repair mode, sequence numbers, bind, connect
    /// (no SYN), options, both queues, window; then out of repair mode, which sends a window
    /// probe so the peer answers with its current view at once. The buffer sizes are left
    /// large enough for the queues: the caller sets the saved ones afterwards.
    /// </summary>
    public static void Rebuild(SafeFd socket, V1.InetSocket saved)
    {
        V1.TcpRepairState state = saved.Tcp;
        byte[] sendQueue = state.SendQueue?.InlineData.ToByteArray() ?? [];
        byte[] receiveQueue = state.ReceiveQueue?.InlineData.ToByteArray() ?? [];
        Interop.SetSockOpt(socket, TcpOption.TCP_REPAIR, (int)TcpRepairMode.TCP_REPAIR_ON);
        // The send queue starts at the first unacknowledged byte, the receive queue at the first
        // byte the application has not read: writing the queues in repair mode moves both on to
        // the saved values.
        Interop.SetSockOpt(socket, TcpOption.TCP_REPAIR_QUEUE, (int)TcpQueue.TCP_SEND_QUEUE);
        Interop.SetSockOpt(socket, TcpOption.TCP_QUEUE_SEQ, (int)(state.SendSeq - (uint)sendQueue.Length));
        Interop.SetSockOpt(socket, TcpOption.TCP_REPAIR_QUEUE, (int)TcpQueue.TCP_RECV_QUEUE);
        Interop.SetSockOpt(socket, TcpOption.TCP_QUEUE_SEQ, (int)(state.ReceiveSeq - (uint)receiveQueue.Length));

        // Repair mode lets the port be shared with the listener that accepted the connection.
        InetEndpoint.SavedLocal(saved).Bind(socket);
        InetEndpoint.SavedRemote(saved).Connect(socket);

        var options = new List<TcpRepairOpt> { new() { Code = (uint)TcpOptionKind.TCPOPT_MAXSEG, Value = state.Mss } };
        if (state.HasSendWscale && state.HasReceiveWscale)
        {
            options.Add(new TcpRepairOpt { Code = (uint)TcpOptionKind.TCPOPT_WINDOW, Value = state.SendWscale | (state.ReceiveWscale << 16) });
        }
        if (state.Sack)
        {
            options.Add(new TcpRepairOpt { Code = (uint)TcpOptionKind.TCPOPT_SACK_PERMITTED });
        }
        if (state.Timestamps)
        {
            options.Add(new TcpRepairOpt { Code = (uint)TcpOptionKind.TCPOPT_TIMESTAMP });
        }
        Interop.SetSockOpt(socket, SocketLevel.SOL_TCP, (int)TcpOption.TCP_REPAIR_OPTIONS, MemoryMarshal.AsBytes(CollectionsMarshal.AsSpan(options)));
        if (state.Timestamps)
        {
            // The peer drops segments whose timestamp went backwards (PAWS): continue the clock.
            Interop.SetSockOpt(socket, TcpOption.TCP_TIMESTAMP, (int)state.Timestamp);
        }

        // The queues are charged to the socket's buffers, which may have been full at the dump:
        // room enough for now, the saved sizes come back afterwards.
        Interop.SetSockOpt(socket, SocketOption.SO_SNDBUFFORCE, Math.Max(Interop.GetSockOpt(socket, SocketOption.SO_SNDBUF), (4 * sendQueue.Length) + (1 << 20)));
        Interop.SetSockOpt(socket, SocketOption.SO_RCVBUFFORCE, Math.Max(Interop.GetSockOpt(socket, SocketOption.SO_RCVBUF), (4 * receiveQueue.Length) + (1 << 20)));
        Fill(socket, TcpQueue.TCP_RECV_QUEUE, receiveQueue);
        // What was sent goes in as sent and unacknowledged, in repair mode: the peer may
        // acknowledge it, or the retransmission timer sends it again. What was never sent is
        // written the ordinary way, out of repair mode for a moment (the lock keeps it in).
        int sent = sendQueue.Length - (int)Math.Min(state.UnsentLength, (uint)sendQueue.Length);
        Fill(socket, TcpQueue.TCP_SEND_QUEUE, sendQueue.AsSpan(0, sent));
        Interop.SetSockOpt(socket, TcpOption.TCP_REPAIR_QUEUE, (int)TcpQueue.TCP_NO_QUEUE);
        if (sent < sendQueue.Length)
        {
            Interop.SetSockOpt(socket, TcpOption.TCP_REPAIR, (int)TcpRepairMode.TCP_REPAIR_OFF_NO_WP);
            Write(socket, sendQueue.AsSpan(sent));
            Interop.SetSockOpt(socket, TcpOption.TCP_REPAIR, (int)TcpRepairMode.TCP_REPAIR_ON);
        }

        var window = new TcpRepairWindow
        {
            SndWl1 = state.SndWl1,
            SndWnd = state.SndWnd,
            MaxWindow = state.MaxWindow,
            RcvWnd = state.RcvWnd,
            RcvWup = state.RcvWup,
        };
        Interop.SetSockOpt(socket, SocketLevel.SOL_TCP, (int)TcpOption.TCP_REPAIR_WINDOW, window);
        Interop.SetSockOpt(socket, TcpOption.TCP_REPAIR, (int)TcpRepairMode.TCP_REPAIR_OFF);
    }

    private static void Fill(SafeFd socket, TcpQueue queue, ReadOnlySpan<byte> data)
    {
        Interop.SetSockOpt(socket, TcpOption.TCP_REPAIR_QUEUE, (int)queue);
        Write(socket, data);
    }

    private static void Write(SafeFd socket, ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            data = data[Interop.Send(socket, data[..Math.Min(Chunk, data.Length)], MsgFlags.MSG_DONTWAIT)..];
        }
    }
}
