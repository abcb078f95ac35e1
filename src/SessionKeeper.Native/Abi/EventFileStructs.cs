using System.Runtime.InteropServices;

namespace SessionKeeper.Native;

/// <summary>
/// <c>struct epoll_event</c> (sys/epoll.h). Packed on x86_64: the 64-bit data follows the
/// events word directly, 12 bytes in all.
/// </summary>
[StructLayout(LayoutKind.Sequential, Pack = 4)]
public struct EpollEvent
{
    /// <summary>events: EPOLL* bits.</summary>
    public uint Events;
    /// <summary>data: the user's 64 bits, returned by epoll_wait.</summary>
    public ulong Data;
}

/// <summary>
/// The fixed head of <c>struct file_handle</c> (fcntl.h); the handle's bytes follow it.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct FileHandleHeader
{
    /// <summary>handle_bytes: how many bytes follow.</summary>
    public uint HandleBytes;
    /// <summary>handle_type: the filesystem's encoding of the handle.</summary>
    public int HandleType;
}
