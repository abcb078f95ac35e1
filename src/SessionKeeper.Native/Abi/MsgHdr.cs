using System.Runtime.InteropServices;

namespace SessionKeeper.Native;

/// <summary><c>struct msghdr</c> for sendmsg(2)/recvmsg(2) (sys/socket.h; the kernel's user_msghdr).</summary>
/// <remarks>
/// <see cref="IovLength"/> and <see cref="ControlLength"/> are size_t on Linux (not int as
/// POSIX says), which is why the struct is 56 bytes on x86_64.
/// </remarks>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct MsgHdr
{
    /// <summary>msg_name: the peer address, or null for connected sockets.</summary>
    public void* Name;
    /// <summary>msg_namelen</summary>
    public uint NameLength;
    /// <summary>msg_iov</summary>
    public IoVec* Iov;
    /// <summary>msg_iovlen: number of <see cref="IoVec"/> entries.</summary>
    public nuint IovLength;
    /// <summary>msg_control: ancillary data (cmsg headers and payloads).</summary>
    public void* Control;
    /// <summary>msg_controllen in bytes.</summary>
    public nuint ControlLength;
    /// <summary>msg_flags: set by recvmsg (MSG_TRUNC, MSG_CTRUNC, …).</summary>
    public int Flags;
}
