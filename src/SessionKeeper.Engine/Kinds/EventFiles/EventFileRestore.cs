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
    /// inotify_init1, then each watch by path in increasing wd order. A new instance hands
    /// out wds from 1 upwards, so the numbers match when the saved ones have no gaps (no
    /// watch was removed before the dump); otherwise the restore fails, naming the watch,
    /// since the program tells events apart by wd. Queued events are not restored.
    /// </summary>
    public static long OpenInotify(Injector task, FileEntry file)
    {
        long fd = task.CallChecked(SyscallNumber.InotifyInit1, CreateFlags(file));
        const InotifyMaskFlags kept = InotifyMaskFlags.IN_ALL_EVENTS | InotifyMaskFlags.IN_EXCL_UNLINK | InotifyMaskFlags.IN_ONESHOT;
        foreach (InotifyWatch watch in file.Inotify.Watches.OrderBy(w => w.Wd))
        {
            // The saved path names the watched inode itself, so a symbolic link is not followed.
            ulong mask = (watch.Mask & (uint)kept) | (uint)InotifyMaskFlags.IN_DONT_FOLLOW;
            ulong path = task.WriteScratch(Encoding.UTF8.GetBytes(watch.Target.Path + "\0"), PathOffset);
            long wd = task.CallChecked(SyscallNumber.InotifyAddWatch, (ulong)fd, path, mask);
            if (wd != watch.Wd)
            {
                throw new InvalidOperationException(
                    $"inotify watch on {watch.Target.Path} came back as wd {wd} instead of {watch.Wd} (watches removed before the dump left gaps that cannot be reproduced yet)");
            }
        }
        return fd;
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
