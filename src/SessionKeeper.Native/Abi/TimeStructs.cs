using System.Runtime.InteropServices;

namespace SessionKeeper.Native;

/// <summary><c>struct timespec</c> (linux/time_types.h __kernel_timespec; 64-bit time_t on x86_64).</summary>
[StructLayout(LayoutKind.Sequential)]
public struct Timespec
{
    /// <summary>tv_sec</summary>
    public long Seconds;
    /// <summary>tv_nsec</summary>
    public long Nanoseconds;
}

/// <summary><c>struct timeval</c> (linux/time.h, x86_64).</summary>
[StructLayout(LayoutKind.Sequential)]
public struct Timeval
{
    /// <summary>tv_sec</summary>
    public long Seconds;
    /// <summary>tv_usec</summary>
    public long Microseconds;
}

/// <summary><c>struct itimerval</c> for getitimer/setitimer (linux/time.h).</summary>
[StructLayout(LayoutKind.Sequential)]
public struct ItimerVal
{
    /// <summary>it_interval: reload value; zero for a one-shot timer.</summary>
    public Timeval Interval;
    /// <summary>it_value: time left until the next expiry; zero means disarmed.</summary>
    public Timeval Value;
}

/// <summary><c>struct itimerspec</c> for timer_gettime/timer_settime and timerfd (linux/time_types.h).</summary>
[StructLayout(LayoutKind.Sequential)]
public struct ItimerSpec
{
    /// <summary>it_interval</summary>
    public Timespec Interval;
    /// <summary>it_value</summary>
    public Timespec Value;
}

/// <summary><c>struct rlimit</c> (linux/resource.h; the 64-bit rlimit64 layout prlimit64 uses).</summary>
[StructLayout(LayoutKind.Sequential)]
public struct Rlimit
{
    /// <summary>RLIM_INFINITY</summary>
    public const ulong Infinity = ulong.MaxValue;

    /// <summary>rlim_cur: soft limit.</summary>
    public ulong Current;
    /// <summary>rlim_max: hard limit.</summary>
    public ulong Maximum;
}
