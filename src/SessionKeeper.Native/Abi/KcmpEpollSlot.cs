using System.Runtime.InteropServices;

namespace SessionKeeper.Native;

/// <summary>
/// <c>struct kcmp_epoll_slot</c> (linux/kcmp.h) for kcmp(KCMP_EPOLL_TFD): names a target file
/// registered in an epoll instance of the first process.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct KcmpEpollSlot
{
    /// <summary>efd: the epoll fd in the first process.</summary>
    public uint EpollFd;
    /// <summary>tfd: the target fd number as registered.</summary>
    public uint TargetFd;
    /// <summary>toff: which registration of that fd (0 for the first).</summary>
    public uint TargetOffset;
}
