namespace SessionKeeper.Engine.ProcFs;

/// <summary>
/// /proc/PID/fdinfo/FD: the common lines of every open file, plus the lines of its kind
/// (fs/*: show_fdinfo). At most one of the kind-specific properties is set.
/// </summary>
public sealed class FdInfo
{
    /// <summary>pos: the file position.</summary>
    public long Pos { get; set; }

    /// <summary>flags: the open file description's flags (O_*, printed in octal), with O_CLOEXEC of the descriptor folded in.</summary>
    public uint Flags { get; set; }

    /// <summary>mnt_id: the mount the file was opened through (matches /proc/PID/mountinfo), or -1 if absent.</summary>
    public int MntId { get; set; } = -1;

    /// <summary>ino: the inode number (kernel 5.8 and later), or 0 if absent.</summary>
    public ulong Ino { get; set; }

    /// <summary>The eventfd lines, for an eventfd.</summary>
    public EventfdInfo? Eventfd { get; set; }

    /// <summary>The "tfd:" lines, for an epoll instance (empty list for an epoll with no targets is not distinguishable from another kind; use the fd's link).</summary>
    public List<EpollTarget>? EpollTargets { get; set; }

    /// <summary>The sigmask line, for a signalfd.</summary>
    public SignalfdInfo? Signalfd { get; set; }

    /// <summary>The timerfd lines, for a timerfd.</summary>
    public TimerfdInfo? Timerfd { get; set; }

    /// <summary>The "inotify" lines, for an inotify instance with watches.</summary>
    public List<InotifyWatch>? InotifyWatches { get; set; }

    /// <summary>tty-index: the pty number, for a pty master (/dev/ptmx).</summary>
    public int? TtyIndex { get; set; }

    /// <summary>"lock:" lines (POSIX, OFD and flock locks held through this file), as the kernel prints them after "lock:\t".</summary>
    public List<string>? Locks { get; set; }
}

/// <summary>The eventfd lines of fdinfo.</summary>
/// <param name="Count">eventfd-count: the counter (printed in hex).</param>
/// <param name="Id">eventfd-id: the kernel's id of the eventfd (kernel 5.2 and later), or -1.</param>
/// <param name="Semaphore">eventfd-semaphore: created with EFD_SEMAPHORE (kernel 6.5 and later), or null.</param>
public sealed record EventfdInfo(ulong Count, int Id, bool? Semaphore);

/// <summary>One "tfd:" line of an epoll instance: a registered target.</summary>
/// <param name="Fd">tfd: the target's fd number in the process that registered it (it may be closed since).</param>
/// <param name="Events">events: the EPOLL* mask (EPOLLET is 0x80000000).</param>
/// <param name="Data">data: the 64-bit user data, restored as is.</param>
/// <param name="Pos">pos: the target file's position.</param>
/// <param name="Ino">ino: the target's inode.</param>
/// <param name="SDev">sdev: the target's device (kernel encoding).</param>
public sealed record EpollTarget(int Fd, uint Events, ulong Data, long Pos, ulong Ino, uint SDev);

/// <summary>The signalfd line of fdinfo.</summary>
/// <param name="SigMask">sigmask: the signals the signalfd accepts (bit n-1 for signal n).</param>
public sealed record SignalfdInfo(ulong SigMask);

/// <summary>The timerfd lines of fdinfo.</summary>
/// <param name="ClockId">clockid: CLOCK_* of the timer.</param>
/// <param name="Ticks">ticks: expirations not yet read.</param>
/// <param name="SettimeFlags">settime flags: TFD_TIMER_* given to timerfd_settime (printed in octal).</param>
/// <param name="ValueSeconds">it_value seconds: time left to the next expiration.</param>
/// <param name="ValueNanoseconds">it_value nanoseconds.</param>
/// <param name="IntervalSeconds">it_interval seconds.</param>
/// <param name="IntervalNanoseconds">it_interval nanoseconds.</param>
public sealed record TimerfdInfo(int ClockId, ulong Ticks, uint SettimeFlags, ulong ValueSeconds, ulong ValueNanoseconds, ulong IntervalSeconds, ulong IntervalNanoseconds);

/// <summary>One "inotify" line: a watch.</summary>
/// <param name="Wd">wd: the watch descriptor (printed in hex).</param>
/// <param name="Ino">ino: the watched inode.</param>
/// <param name="SDev">sdev: the watched inode's device (kernel encoding).</param>
/// <param name="Mask">mask: IN_* events.</param>
/// <param name="IgnoredMask">ignored_mask (always 0 in current kernels).</param>
/// <param name="FhandleType">fhandle-type, or -1 when the filesystem gave no handle.</param>
/// <param name="Fhandle">f_handle bytes, for open_by_handle_at on restore; empty without a handle.</param>
public sealed record InotifyWatch(int Wd, ulong Ino, uint SDev, uint Mask, uint IgnoredMask, int FhandleType, byte[] Fhandle);
