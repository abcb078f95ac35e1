using System.Runtime.InteropServices;

namespace SessionKeeper.Native;

/// <summary>
/// <c>struct cmsghdr</c> (sys/socket.h; linux/socket.h), the header of one ancillary data item,
/// with the CMSG_* arithmetic as static helpers.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct CmsgHdr
{
    /// <summary>cmsg_len: header plus payload, without trailing padding (size_t on Linux).</summary>
    public nuint Length;
    /// <summary>cmsg_level, e.g. SOL_SOCKET.</summary>
    public int Level;
    /// <summary>cmsg_type, e.g. SCM_RIGHTS.</summary>
    public int Type;

    /// <summary>CMSG_ALIGN: rounds up to the alignment of size_t, as the kernel lays items out.</summary>
    public static int Align(int length) => (length + (nint.Size - 1)) & ~(nint.Size - 1);

    /// <summary>CMSG_LEN: the <see cref="Length"/> value for a payload of <paramref name="payload"/> bytes.</summary>
    public static unsafe int Len(int payload) => Align(sizeof(CmsgHdr)) + payload;

    /// <summary>CMSG_SPACE: the control-buffer bytes one item with this payload occupies, padding included.</summary>
    public static unsafe int Space(int payload) => Align(sizeof(CmsgHdr)) + Align(payload);
}
