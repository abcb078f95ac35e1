namespace SessionKeeper.Native;

/// <summary>Address families (linux/socket.h AF_*).</summary>
public enum SocketFamily : ushort
{
    /// <summary>AF_UNSPEC</summary>
    AF_UNSPEC = 0,
    /// <summary>AF_UNIX (AF_LOCAL)</summary>
    AF_UNIX = 1,
    /// <summary>AF_INET</summary>
    AF_INET = 2,
    /// <summary>AF_INET6</summary>
    AF_INET6 = 10,
    /// <summary>AF_NETLINK</summary>
    AF_NETLINK = 16,
    /// <summary>AF_PACKET</summary>
    AF_PACKET = 17,
}

/// <summary>Socket types and the creation flags or'ed into them (linux/net.h SOCK_*).</summary>
[Flags]
public enum SocketKind
{
    /// <summary>SOCK_STREAM</summary>
    SOCK_STREAM = 1,
    /// <summary>SOCK_DGRAM</summary>
    SOCK_DGRAM = 2,
    /// <summary>SOCK_RAW</summary>
    SOCK_RAW = 3,
    /// <summary>SOCK_SEQPACKET</summary>
    SOCK_SEQPACKET = 5,
    /// <summary>SOCK_NONBLOCK (= O_NONBLOCK)</summary>
    SOCK_NONBLOCK = 0x800,
    /// <summary>SOCK_CLOEXEC (= O_CLOEXEC); the wrappers always add it.</summary>
    SOCK_CLOEXEC = 0x80000,
}

/// <summary>Option levels for getsockopt/setsockopt and cmsg_level (SOL_*, IPPROTO_*).</summary>
public enum SocketLevel
{
    /// <summary>SOL_IP (IPPROTO_IP)</summary>
    SOL_IP = 0,
    /// <summary>SOL_SOCKET</summary>
    SOL_SOCKET = 1,
    /// <summary>SOL_TCP (IPPROTO_TCP)</summary>
    SOL_TCP = 6,
    /// <summary>SOL_UDP (IPPROTO_UDP)</summary>
    SOL_UDP = 17,
    /// <summary>SOL_IPV6 (IPPROTO_IPV6)</summary>
    SOL_IPV6 = 41,
}

/// <summary>SOL_SOCKET options (asm-generic/socket.h SO_*; x86_64 uses the generic values).</summary>
public enum SocketOption
{
    /// <summary>SO_DEBUG</summary>
    SO_DEBUG = 1,
    /// <summary>SO_REUSEADDR</summary>
    SO_REUSEADDR = 2,
    /// <summary>SO_TYPE</summary>
    SO_TYPE = 3,
    /// <summary>SO_ERROR</summary>
    SO_ERROR = 4,
    /// <summary>SO_DONTROUTE</summary>
    SO_DONTROUTE = 5,
    /// <summary>SO_BROADCAST</summary>
    SO_BROADCAST = 6,
    /// <summary>SO_SNDBUF (getsockopt reports twice the value set: the kernel doubles it for bookkeeping)</summary>
    SO_SNDBUF = 7,
    /// <summary>SO_RCVBUF (doubled like SO_SNDBUF)</summary>
    SO_RCVBUF = 8,
    /// <summary>SO_KEEPALIVE</summary>
    SO_KEEPALIVE = 9,
    /// <summary>SO_OOBINLINE</summary>
    SO_OOBINLINE = 10,
    /// <summary>SO_NO_CHECK</summary>
    SO_NO_CHECK = 11,
    /// <summary>SO_PRIORITY</summary>
    SO_PRIORITY = 12,
    /// <summary>SO_LINGER</summary>
    SO_LINGER = 13,
    /// <summary>SO_REUSEPORT</summary>
    SO_REUSEPORT = 15,
    /// <summary>SO_PASSCRED</summary>
    SO_PASSCRED = 16,
    /// <summary>SO_PEERCRED (a <see cref="Ucred"/>)</summary>
    SO_PEERCRED = 17,
    /// <summary>SO_RCVLOWAT</summary>
    SO_RCVLOWAT = 18,
    /// <summary>SO_SNDLOWAT</summary>
    SO_SNDLOWAT = 19,
    /// <summary>SO_BINDTODEVICE</summary>
    SO_BINDTODEVICE = 25,
    /// <summary>SO_ACCEPTCONN: whether the socket is listening.</summary>
    SO_ACCEPTCONN = 30,
    /// <summary>SO_SNDBUFFORCE: like SO_SNDBUF, ignoring wmem_max (needs CAP_NET_ADMIN).</summary>
    SO_SNDBUFFORCE = 32,
    /// <summary>SO_RCVBUFFORCE</summary>
    SO_RCVBUFFORCE = 33,
    /// <summary>SO_PASSSEC</summary>
    SO_PASSSEC = 34,
    /// <summary>SO_MARK</summary>
    SO_MARK = 36,
    /// <summary>SO_PROTOCOL</summary>
    SO_PROTOCOL = 38,
    /// <summary>SO_DOMAIN</summary>
    SO_DOMAIN = 39,
    /// <summary>SO_PEEK_OFF: start offset for MSG_PEEK, so queued data can be read non-destructively in pieces.</summary>
    SO_PEEK_OFF = 42,
}

/// <summary>SOL_TCP options (linux/tcp.h TCP_*), including the repair-mode family.</summary>
public enum TcpOption
{
    /// <summary>TCP_NODELAY</summary>
    TCP_NODELAY = 1,
    /// <summary>TCP_MAXSEG</summary>
    TCP_MAXSEG = 2,
    /// <summary>TCP_CORK</summary>
    TCP_CORK = 3,
    /// <summary>TCP_KEEPIDLE</summary>
    TCP_KEEPIDLE = 4,
    /// <summary>TCP_KEEPINTVL</summary>
    TCP_KEEPINTVL = 5,
    /// <summary>TCP_KEEPCNT</summary>
    TCP_KEEPCNT = 6,
    /// <summary>TCP_SYNCNT</summary>
    TCP_SYNCNT = 7,
    /// <summary>TCP_LINGER2</summary>
    TCP_LINGER2 = 8,
    /// <summary>TCP_DEFER_ACCEPT</summary>
    TCP_DEFER_ACCEPT = 9,
    /// <summary>TCP_WINDOW_CLAMP</summary>
    TCP_WINDOW_CLAMP = 10,
    /// <summary>TCP_INFO</summary>
    TCP_INFO = 11,
    /// <summary>TCP_QUICKACK</summary>
    TCP_QUICKACK = 12,
    /// <summary>TCP_CONGESTION</summary>
    TCP_CONGESTION = 13,
    /// <summary>TCP_USER_TIMEOUT</summary>
    TCP_USER_TIMEOUT = 18,
    /// <summary>TCP_REPAIR: <see cref="TcpRepairMode"/>; needs CAP_NET_ADMIN.</summary>
    TCP_REPAIR = 19,
    /// <summary>TCP_REPAIR_QUEUE: selects the queue (<see cref="TcpQueue"/>) that TCP_QUEUE_SEQ and send/recv act on.</summary>
    TCP_REPAIR_QUEUE = 20,
    /// <summary>TCP_QUEUE_SEQ: the selected queue's sequence number.</summary>
    TCP_QUEUE_SEQ = 21,
    /// <summary>TCP_REPAIR_OPTIONS: an array of <see cref="TcpRepairOpt"/>.</summary>
    TCP_REPAIR_OPTIONS = 22,
    /// <summary>TCP_FASTOPEN</summary>
    TCP_FASTOPEN = 23,
    /// <summary>TCP_TIMESTAMP: the timestamp offset, restored so the peer's PAWS check passes.</summary>
    TCP_TIMESTAMP = 24,
    /// <summary>TCP_NOTSENT_LOWAT</summary>
    TCP_NOTSENT_LOWAT = 25,
    /// <summary>TCP_REPAIR_WINDOW: a <see cref="TcpRepairWindow"/>.</summary>
    TCP_REPAIR_WINDOW = 29,
}

/// <summary>Values of the TCP_REPAIR option (linux/tcp.h).</summary>
public enum TcpRepairMode
{
    /// <summary>TCP_REPAIR_OFF_NO_WP: leave repair mode without sending a window probe.</summary>
    TCP_REPAIR_OFF_NO_WP = -1,
    /// <summary>TCP_REPAIR_OFF</summary>
    TCP_REPAIR_OFF = 0,
    /// <summary>TCP_REPAIR_ON: connect/close/send act locally only; nothing reaches the peer.</summary>
    TCP_REPAIR_ON = 1,
}

/// <summary>Queues selectable with TCP_REPAIR_QUEUE (linux/tcp.h).</summary>
public enum TcpQueue
{
    /// <summary>TCP_NO_QUEUE</summary>
    TCP_NO_QUEUE = 0,
    /// <summary>TCP_RECV_QUEUE</summary>
    TCP_RECV_QUEUE = 1,
    /// <summary>TCP_SEND_QUEUE</summary>
    TCP_SEND_QUEUE = 2,
}

/// <summary>TCP option kinds (RFC 793/7323/2018; glibc netinet/tcp.h TCPOPT_*), used as <see cref="TcpRepairOpt.Code"/>.</summary>
public enum TcpOptionKind : uint
{
    /// <summary>TCPOPT_EOL</summary>
    TCPOPT_EOL = 0,
    /// <summary>TCPOPT_NOP</summary>
    TCPOPT_NOP = 1,
    /// <summary>TCPOPT_MAXSEG (MSS)</summary>
    TCPOPT_MAXSEG = 2,
    /// <summary>TCPOPT_WINDOW (window scale)</summary>
    TCPOPT_WINDOW = 3,
    /// <summary>TCPOPT_SACK_PERMITTED</summary>
    TCPOPT_SACK_PERMITTED = 4,
    /// <summary>TCPOPT_SACK</summary>
    TCPOPT_SACK = 5,
    /// <summary>TCPOPT_TIMESTAMP</summary>
    TCPOPT_TIMESTAMP = 8,
}

/// <summary>send/recv flags (linux/socket.h MSG_*).</summary>
[Flags]
public enum MsgFlags
{
    /// <summary>No flags.</summary>
    None = 0,
    /// <summary>MSG_OOB</summary>
    MSG_OOB = 0x1,
    /// <summary>MSG_PEEK: read without dequeuing (honours SO_PEEK_OFF).</summary>
    MSG_PEEK = 0x2,
    /// <summary>MSG_DONTROUTE</summary>
    MSG_DONTROUTE = 0x4,
    /// <summary>MSG_CTRUNC: control data did not fit (received fds beyond the buffer were closed by the kernel).</summary>
    MSG_CTRUNC = 0x8,
    /// <summary>MSG_TRUNC</summary>
    MSG_TRUNC = 0x20,
    /// <summary>MSG_DONTWAIT</summary>
    MSG_DONTWAIT = 0x40,
    /// <summary>MSG_EOR</summary>
    MSG_EOR = 0x80,
    /// <summary>MSG_WAITALL</summary>
    MSG_WAITALL = 0x100,
    /// <summary>MSG_NOSIGNAL: EPIPE instead of SIGPIPE.</summary>
    MSG_NOSIGNAL = 0x4000,
    /// <summary>MSG_CMSG_CLOEXEC: received SCM_RIGHTS fds get O_CLOEXEC atomically.</summary>
    MSG_CMSG_CLOEXEC = 0x40000000,
}

/// <summary>Control message types at SOL_SOCKET (linux/socket.h SCM_*).</summary>
public enum ScmType
{
    /// <summary>SCM_RIGHTS: an array of int fds.</summary>
    SCM_RIGHTS = 1,
    /// <summary>SCM_CREDENTIALS: a <see cref="Ucred"/>.</summary>
    SCM_CREDENTIALS = 2,
}

/// <summary>shutdown(2) directions (linux/net.h SHUT_*).</summary>
public enum ShutdownHow
{
    /// <summary>SHUT_RD</summary>
    SHUT_RD = 0,
    /// <summary>SHUT_WR</summary>
    SHUT_WR = 1,
    /// <summary>SHUT_RDWR</summary>
    SHUT_RDWR = 2,
}
