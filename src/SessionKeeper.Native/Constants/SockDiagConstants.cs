namespace SessionKeeper.Native;

/// <summary>Netlink protocols (linux/netlink.h NETLINK_*) used by keeper.</summary>
public enum NetlinkProtocol
{
    /// <summary>NETLINK_SOCK_DIAG: the kernel's socket monitoring interface (sock_diag).</summary>
    NETLINK_SOCK_DIAG = 4,
}

/// <summary>Netlink message header flags and types (linux/netlink.h NLM_F_*, NLMSG_*; linux/sock_diag.h).</summary>
public enum NetlinkMessage
{
    /// <summary>NLM_F_REQUEST</summary>
    NLM_F_REQUEST = 0x1,
    /// <summary>NLM_F_ROOT</summary>
    NLM_F_ROOT = 0x100,
    /// <summary>NLM_F_MATCH</summary>
    NLM_F_MATCH = 0x200,
    /// <summary>NLMSG_ERROR</summary>
    NLMSG_ERROR = 0x2,
    /// <summary>NLMSG_DONE</summary>
    NLMSG_DONE = 0x3,
    /// <summary>SOCK_DIAG_BY_FAMILY</summary>
    SOCK_DIAG_BY_FAMILY = 20,
}

/// <summary>What a UNIX_DIAG request asks the kernel to report (linux/unix_diag.h UDIAG_SHOW_*).</summary>
[Flags]
public enum UnixDiagShow : uint
{
    /// <summary>UDIAG_SHOW_NAME: the bound name.</summary>
    UDIAG_SHOW_NAME = 0x1,
    /// <summary>UDIAG_SHOW_VFS: device and inode of the socket file.</summary>
    UDIAG_SHOW_VFS = 0x2,
    /// <summary>UDIAG_SHOW_PEER: the peer's inode.</summary>
    UDIAG_SHOW_PEER = 0x4,
    /// <summary>UDIAG_SHOW_ICONS: inodes of connections waiting in a listener's accept queue.</summary>
    UDIAG_SHOW_ICONS = 0x8,
    /// <summary>UDIAG_SHOW_RQLEN: receive and send queue lengths (accept queue and backlog for a listener).</summary>
    UDIAG_SHOW_RQLEN = 0x10,
    /// <summary>UDIAG_SHOW_MEMINFO</summary>
    UDIAG_SHOW_MEMINFO = 0x20,
    /// <summary>UDIAG_SHOW_UID</summary>
    UDIAG_SHOW_UID = 0x40,
}

/// <summary>Attributes of a UNIX_DIAG answer (linux/unix_diag.h UNIX_DIAG_*).</summary>
public enum UnixDiagAttribute
{
    /// <summary>UNIX_DIAG_NAME: sun_path bytes (a leading NUL for an abstract name).</summary>
    UNIX_DIAG_NAME = 0,
    /// <summary>UNIX_DIAG_VFS: struct unix_diag_vfs.</summary>
    UNIX_DIAG_VFS = 1,
    /// <summary>UNIX_DIAG_PEER: u32 inode of the peer.</summary>
    UNIX_DIAG_PEER = 2,
    /// <summary>UNIX_DIAG_ICONS: u32 inodes of not yet accepted connections.</summary>
    UNIX_DIAG_ICONS = 3,
    /// <summary>UNIX_DIAG_RQLEN: struct unix_diag_rqlen.</summary>
    UNIX_DIAG_RQLEN = 4,
    /// <summary>UNIX_DIAG_MEMINFO</summary>
    UNIX_DIAG_MEMINFO = 5,
    /// <summary>UNIX_DIAG_SHUTDOWN: u8 sk_shutdown (RCV_SHUTDOWN 1, SEND_SHUTDOWN 2).</summary>
    UNIX_DIAG_SHUTDOWN = 6,
    /// <summary>UNIX_DIAG_UID</summary>
    UNIX_DIAG_UID = 7,
}
