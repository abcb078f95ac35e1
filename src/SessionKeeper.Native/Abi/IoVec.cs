using System.Runtime.InteropServices;

namespace SessionKeeper.Native;

/// <summary><c>struct iovec</c> (sys/uio.h; linux/uio.h): one buffer of a vectored transfer.</summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct IoVec
{
    /// <summary>iov_base</summary>
    public void* Base;
    /// <summary>iov_len in bytes</summary>
    public nuint Length;

    /// <summary>Creates an iovec for a buffer the caller keeps pinned for the duration of the call.</summary>
    public IoVec(void* @base, nuint length)
    {
        Base = @base;
        Length = length;
    }
}
