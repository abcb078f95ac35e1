using System.Runtime.InteropServices;
using System.Text;
using SessionKeeper.Images.V1;
using SessionKeeper.Native;
using SessionKeeper.ProcessControl;

namespace SessionKeeper.Engine.Kinds.EventFiles;

/// <summary>
/// The restore of the event files, each created inside the task by injected calls and
/// returned at whatever number the kernel gave it (the caller moves it to its own). Every
/// object is created with O_CLOEXEC; the caller sets the descriptor's flag as saved.
/// </summary>
public static class EventFileRestore
{
    // The scratch area's first pages hold the arguments of these calls.
    private const int ArgumentOffset = 0;
    private const int PathOffset = 4096;

    // The kernel's sigset_t for signalfd4 is 64 bits.
    private const ulong KernelSigsetSize = 8;

    private const int ClockRealtime = 0;
    private const int ClockRealtimeAlarm = 8;

    /// <summary>
    /// Epoll files come after every other file of a process: their targets must be open at
    /// their numbers when they are registered again.
    /// </summary>
    public static int RestoreOrder(FileEntry file) => file.KindCase == FileEntry.KindOneofCase.Epoll ? 1 : 0;

    /// <summary>eventfd2 with the counter (a counter above 32 bits is added by a write).</summary>
    public static long OpenEventfd(Injector task, FileEntry file)
    {
        EventFdFile eventfd = file.Eventfd;
        ulong flags = CreateFlags(file) | (eventfd.Semaphore ? (ulong)EventfdFlags.EFD_SEMAPHORE : 0);
        bool fits = eventfd.Counter <= uint.MaxValue;
        long fd = task.CallChecked(SyscallNumber.Eventfd2, fits ? eventfd.Counter : 0, flags);
        if (!fits)
        {
            ulong counter = eventfd.Counter;
            ulong address = task.WriteScratch(MemoryMarshal.AsBytes(new ReadOnlySpan<ulong>(in counter)), ArgumentOffset);
            task.CallChecked(SyscallNumber.Write, (ulong)fd, address, sizeof(ulong));
        }
        return fd;
    }

    /// <summary>signalfd4 on a new descriptor with the saved mask.</summary>
    public static long OpenSignalfd(Injector task, FileEntry file)
    {
        ulong mask = file.Signalfd.Sigmask;
        ulong address = task.WriteScratch(MemoryMarshal.AsBytes(new ReadOnlySpan<ulong>(in mask)), ArgumentOffset);
        return task.CallChecked(SyscallNumber.Signalfd4, unchecked((ulong)-1), address, KernelSigsetSize, CreateFlags(file));
    }

    /// <summary>
    /// timerfd_create, then timerfd_settime with the time that was left, then the unread
    /// expirations with TFD_IOC_SET_TICKS. The value is relative, so the time the snapshot
    /// spent on disk does not count (timerfd's relative mode adds nothing to it). An absolute
    /// CLOCK_REALTIME timer with TFD_TIMER_CANCEL_ON_SET is set again as absolute (now plus
    /// the time left) so that it still notices clock changes. A periodic timer that expired
    /// unread shows no time left: it next fires one interval after restore.
    /// <paramref name="warn"/> hears of what could not be restored.
    /// </summary>
    public static long OpenTimerfd(Injector task, FileEntry file, Action<string>? warn)
    {
        TimerFdFile timer = file.Timerfd;
        long fd = task.CallChecked(SyscallNumber.TimerfdCreate, (ulong)timer.ClockId, CreateFlags(file));
        if (timer.Value is { } setting)
        {
            ulong value = setting.ValueNs != 0 ? setting.ValueNs : setting.IntervalNs;
            var flags = (TimerfdSettimeFlags)timer.SettimeFlags;
            bool cancelOnSet = flags.HasFlag(TimerfdSettimeFlags.TFD_TIMER_CANCEL_ON_SET)
                && timer.ClockId is ClockRealtime or ClockRealtimeAlarm;
            if (cancelOnSet)
            {
                value += (ulong)(DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100;
            }
            flags = cancelOnSet ? TimerfdSettimeFlags.TFD_TIMER_ABSTIME | TimerfdSettimeFlags.TFD_TIMER_CANCEL_ON_SET : 0;
            var spec = new ItimerSpec { Interval = ToTimespec(setting.IntervalNs), Value = ToTimespec(value) };
            ulong address = task.WriteScratch(MemoryMarshal.AsBytes(new ReadOnlySpan<ItimerSpec>(in spec)), ArgumentOffset);
            task.CallChecked(SyscallNumber.TimerfdSettime, (ulong)fd, (ulong)flags, address, 0);
        }
        if (timer.Ticks != 0)
        {
            // After the settime, which clears the count.
            ulong ticks = timer.Ticks;
            ulong address = task.WriteScratch(MemoryMarshal.AsBytes(new ReadOnlySpan<ulong>(in ticks)), ArgumentOffset);
            long result = task.Call(SyscallNumber.Ioctl, (ulong)fd, (ulong)IoctlRequest.TFD_IOC_SET_TICKS, address);
            if (result == -(long)Errno.ENOTTY)
            {
                warn?.Invoke($"timerfd {file.Id}: this kernel has no TFD_IOC_SET_TICKS (CONFIG_CHECKPOINT_RESTORE); {ticks} unread expiration(s) lost");
            }
            else if (result < 0)
            {
                throw new ErrnoException((Errno)(-result), "ioctl(TFD_IOC_SET_TICKS)", $"timerfd {file.Id}");
            }
        }
        return fd;
    }

    /// <summary>
    /// inotify_init1, then each watch by path in increasing wd order. An instance hands out
    /// wds in increasing order, one past the last it gave, also when watches were removed;
    /// so a gap in the saved wds (watches removed before the dump) is skipped over by adding
    /// and removing a watch on a file that is not watched. The removals queue IN_IGNORED
    /// events, read away at the end while the instance is still non-blocking. Queued events
    /// are not saved, and any the watches collect during the restore are dropped likewise.
    /// </summary>
    public static long OpenInotify(Injector task, FileEntry file)
    {
        long fd = task.CallChecked(SyscallNumber.InotifyInit1, (ulong)(OpenFlags.O_NONBLOCK | OpenFlags.O_CLOEXEC));
        const InotifyMaskFlags kept = InotifyMaskFlags.IN_ALL_EVENTS | InotifyMaskFlags.IN_EXCL_UNLINK | InotifyMaskFlags.IN_ONESHOT;
        string filler = s_fillers.First(f => !file.Inotify.Watches.Any(w => w.Target.Path == f));
        int next = 1;
        bool filled = false;
        foreach (InotifyWatch watch in file.Inotify.Watches.OrderBy(w => w.Wd))
        {
            if (watch.Wd - next > MaxWatchGap)
            {
                throw new InvalidOperationException($"inotify watch {watch.Wd} follows a gap of more than {MaxWatchGap} removed watches");
            }
            for (; next < watch.Wd; next++)
            {
                long dummy = AddWatch(task, fd, filler, (uint)InotifyMaskFlags.IN_ALL_EVENTS);
                task.CallChecked(SyscallNumber.InotifyRmWatch, (ulong)fd, (ulong)dummy);
                filled = true;
            }
            // The saved path names the watched inode itself, so a symbolic link is not followed.
            long wd = AddWatch(task, fd, watch.Target.Path, (watch.Mask & (uint)kept) | (uint)InotifyMaskFlags.IN_DONT_FOLLOW);
            if (wd != watch.Wd)
            {
                throw new InvalidOperationException($"inotify watch on {watch.Target.Path} came back as wd {wd} instead of {watch.Wd}");
            }
            next = watch.Wd + 1;
        }
        if (filled)
        {
            ulong buffer = task.Scratch + PathOffset;
            while (task.Call(SyscallNumber.Read, (ulong)fd, buffer, 4096) > 0)
            {
            }
        }
        if ((file.Flags & (uint)OpenFlags.O_NONBLOCK) == 0)
        {
            task.CallChecked(SyscallNumber.Fcntl, (ulong)fd, (ulong)FcntlCommand.F_SETFL, 0);
        }
        return fd;
    }

    // Files to hold the wds of removed watches for a moment: any that the instance does not watch.
    private static readonly string[] s_fillers = ["/", "/proc", "/dev"];

    // Beyond this many removed watches in a row, reproducing the numbers costs too many calls.
    private const int MaxWatchGap = 65536;

    private static long AddWatch(Injector task, long fd, string path, uint mask)
    {
        ulong address = task.WriteScratch(Encoding.UTF8.GetBytes(path + "\0"), PathOffset);
        return task.CallChecked(SyscallNumber.InotifyAddWatch, (ulong)fd, address, mask);
    }

    /// <summary>
    /// epoll_create1, then one EPOLL_CTL_ADD per target through the fd that held its file at
    /// dump time, which is open by now at that number (epoll files come last). A target that
    /// is ready is reported by the next epoll_wait also when the program had already
    /// consumed its edge before the dump: one extra wakeup, which EPOLLET programs handle.
    /// </summary>
    public static long OpenEpoll(Injector task, FileEntry file, IReadOnlyList<FdEntry> table)
    {
        long fd = task.CallChecked(SyscallNumber.EpollCreate1, (ulong)OpenFlags.O_CLOEXEC);
        if ((file.Flags & (uint)OpenFlags.O_NONBLOCK) != 0)
        {
            task.CallChecked(SyscallNumber.Fcntl, (ulong)fd, (ulong)FcntlCommand.F_SETFL, (ulong)OpenFlags.O_NONBLOCK);
        }
        foreach (EpollTarget target in file.Epoll.Targets)
        {
            uint through = target.HasCurrentFd ? target.CurrentFd : target.Fd;
            if (!table.Any(e => e.Fd == through && e.FileId == target.FileId))
            {
                throw new InvalidOperationException($"epoll target fd {target.Fd}: fd {through} of the image is not its file {target.FileId}");
            }
            var ev = new EpollEvent { Events = target.Events, Data = target.Data };
            ulong address = task.WriteScratch(MemoryMarshal.AsBytes(new ReadOnlySpan<EpollEvent>(in ev)), ArgumentOffset);
            task.CallChecked(SyscallNumber.EpollCtl, (ulong)fd, (ulong)EpollOperation.EPOLL_CTL_ADD, through, address);
        }
        return fd;
    }

    /// <summary>O_NONBLOCK as saved, and O_CLOEXEC (the same bits as EFD_/SFD_/TFD_/IN_NONBLOCK and _CLOEXEC).</summary>
    private static ulong CreateFlags(FileEntry file) => (file.Flags & (uint)OpenFlags.O_NONBLOCK) | (ulong)OpenFlags.O_CLOEXEC;

    private static Timespec ToTimespec(ulong ns) => new() { Seconds = (long)(ns / 1_000_000_000), Nanoseconds = (long)(ns % 1_000_000_000) };
}
