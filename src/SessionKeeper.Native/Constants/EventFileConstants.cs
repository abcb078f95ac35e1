namespace SessionKeeper.Native;

/// <summary>epoll_ctl(2) operations (sys/epoll.h).</summary>
public enum EpollOperation
{
    /// <summary>EPOLL_CTL_ADD: register a target.</summary>
    EPOLL_CTL_ADD = 1,
}

/// <summary>eventfd2(2) flags that fcntl cannot show (sys/eventfd.h).</summary>
[Flags]
public enum EventfdFlags
{
    /// <summary>EFD_SEMAPHORE: each read takes 1 from the counter.</summary>
    EFD_SEMAPHORE = 1,
}

/// <summary>timerfd_settime(2) flags (sys/timerfd.h).</summary>
[Flags]
public enum TimerfdSettimeFlags
{
    /// <summary>TFD_TIMER_ABSTIME: the value is an absolute time on the timer's clock.</summary>
    TFD_TIMER_ABSTIME = 1,
    /// <summary>TFD_TIMER_CANCEL_ON_SET: with an absolute CLOCK_REALTIME timer, reads fail with ECANCELED when the clock is set.</summary>
    TFD_TIMER_CANCEL_ON_SET = 2,
}

/// <summary>inotify_add_watch(2) mask bits that are not events (sys/inotify.h).</summary>
[Flags]
public enum InotifyMaskFlags : uint
{
    /// <summary>IN_ALL_EVENTS: every event bit.</summary>
    IN_ALL_EVENTS = 0xfff,
    /// <summary>IN_DONT_FOLLOW: watch a symbolic link itself.</summary>
    IN_DONT_FOLLOW = 0x02000000,
    /// <summary>IN_EXCL_UNLINK: no events for children after they are unlinked.</summary>
    IN_EXCL_UNLINK = 0x04000000,
    /// <summary>IN_ONESHOT: the watch is removed after its first event.</summary>
    IN_ONESHOT = 0x80000000,
}
