using SessionKeeper.Engine.Dump;
using SessionKeeper.Engine.ProcFs;
using SessionKeeper.Native;
using V1 = SessionKeeper.Images.V1;

namespace SessionKeeper.Engine.Kinds.EventFiles;

/// <summary>
/// The dump of the event files: eventfd, signalfd, timerfd, inotify and epoll. Their whole
/// state is in /proc/PID/fdinfo, apart from two things only the kernel can answer: which
/// open file an epoll target is (kcmp KCMP_EPOLL_TFD) and which path names an inotify watch
/// (open_by_handle_at on the handle fdinfo prints).
/// </summary>
public static class EventFileDump
{
    /// <summary>The counter and the semaphore mode; O_NONBLOCK is in the file's flags.</summary>
    public static V1.EventFdFile DescribeEventfd(ClassifiedFd fd)
    {
        EventfdInfo info = fd.Info.Eventfd ?? throw new UnsupportedObjectException(fd.Pid, fd.Fd, "eventfd without eventfd-count in fdinfo", fd.Path);
        // eventfd-semaphore is printed since Linux 6.5; before that the mode cannot be seen
        // from outside and a semaphore eventfd comes back as a plain one.
        return new V1.EventFdFile { Counter = info.Count, Semaphore = info.Semaphore ?? false };
    }

    /// <summary>The accepted signals (fdinfo prints the mask as given, SIGKILL and SIGSTOP removed).</summary>
    public static V1.SignalFdFile DescribeSignalfd(ClassifiedFd fd)
    {
        SignalfdInfo info = fd.Info.Signalfd ?? throw new UnsupportedObjectException(fd.Pid, fd.Fd, "signalfd without sigmask in fdinfo", fd.Path);
        return new V1.SignalFdFile { Sigmask = info.SigMask };
    }

    /// <summary>
    /// Clock, flags, unread expirations and the setting. fdinfo's it_value is the time left
    /// (timerfd_get_remaining), also for an absolute timer, so the saved value is relative.
    /// </summary>
    public static V1.TimerFdFile DescribeTimerfd(ClassifiedFd fd)
    {
        TimerfdInfo info = fd.Info.Timerfd ?? throw new UnsupportedObjectException(fd.Pid, fd.Fd, "timerfd without clockid in fdinfo", fd.Path);
        var timer = new V1.TimerFdFile { ClockId = info.ClockId, Ticks = info.Ticks, SettimeFlags = info.SettimeFlags };
        ulong value = (info.ValueSeconds * 1_000_000_000) + info.ValueNanoseconds;
        ulong interval = (info.IntervalSeconds * 1_000_000_000) + info.IntervalNanoseconds;
        // A periodic timer that expired and was not read yet shows 0 left: it is still armed.
        if (value != 0 || interval != 0)
        {
            timer.Value = new V1.TimerValue { ValueNs = value, IntervalNs = interval };
        }
        return timer;
    }

    /// <summary>Every watch with the path of the watched file, as the process names it.</summary>
    public static V1.InotifyFile DescribeInotify(ClassifiedFd fd)
    {
        var inotify = new V1.InotifyFile();
        if (fd.Info.InotifyWatches is not { Count: > 0 } watches)
        {
            return inotify;
        }
        if (!ProcFsReader.TryReadMountInfo(fd.Pid, out List<MountInfoEntry> mounts))
        {
            throw new UnsupportedObjectException(fd.Pid, fd.Fd, "inotify (the process's mounts cannot be read)", fd.Path);
        }
        foreach (InotifyWatch watch in watches)
        {
            inotify.Watches.Add(new V1.InotifyWatch
            {
                Wd = watch.Wd,
                Mask = watch.Mask,
                Target = new V1.FileRef { Path = WatchedPath(fd, watch, mounts) },
            });
        }
        return inotify;
    }

    /// <summary>
    /// Resolves a watch's file handle to a path: the handle is opened on a mount of the
    /// watched filesystem (seen through the process's root), and the kernel names the result.
    /// The name is checked against the process's view of the filesystem, since the watch is
    /// added again by path inside the restored process.
    /// </summary>
    private static string WatchedPath(ClassifiedFd fd, InotifyWatch watch, List<MountInfoEntry> mounts)
    {
        if (watch.FhandleType < 0 || watch.Fhandle.Length == 0)
        {
            throw new UnsupportedObjectException(fd.Pid, fd.Fd, $"inotify watch {watch.Wd} on a filesystem without file handles", fd.Path);
        }
        // sdev is the kernel's internal dev_t: major in the bits above 20.
        string device = $"{watch.SDev >> 20}:{watch.SDev & 0xfffff}";
        string root = $"/proc/{fd.Pid}/root";
        foreach (MountInfoEntry mount in mounts.Where(m => m.Device == device))
        {
            // Not O_PATH: open_by_handle_at answers ENOENT for an O_PATH mount fd here.
            using SafeFd? mountFd = Interop.TryOpen(root + mount.MountPoint, OpenFlags.O_RDONLY | OpenFlags.O_NONBLOCK);
            if (mountFd is null)
            {
                continue;
            }
            string path;
            try
            {
                using SafeFd file = Interop.OpenByHandleAt(mountFd, watch.FhandleType, watch.Fhandle, OpenFlags.O_PATH);
                path = Interop.Readlink($"/proc/self/fd/{file.Fd}");
            }
            catch (ErrnoException)
            {
                continue; // ESTALE: this mount shows another part of the filesystem
            }
            using SafeFd? check = path.StartsWith('/') ? Interop.TryOpen(root + path, OpenFlags.O_PATH) : null;
            if (check is not null && Interop.Fstat(check).Ino == watch.Ino)
            {
                return path;
            }
        }
        throw new UnsupportedObjectException(fd.Pid, fd.Fd,
            $"inotify watch {watch.Wd} on inode {watch.Ino} of device {device}, which has no path the process can reach (deleted, or outside its root)", fd.Path);
    }

    /// <summary>
    /// Every target with its events and data, and the fd of the process that is the target's
    /// file now (kcmp KCMP_EPOLL_TFD): the number it was added under may have been closed or
    /// reused since. The targets' file ids are filled in by <see cref="LinkEpollTargets"/>
    /// once the whole fd table has ids.
    /// </summary>
    public static V1.EpollFile DescribeEpoll(ClassifiedFd fd)
    {
        var epoll = new V1.EpollFile();
        if (fd.Info.EpollTargets is not { Count: > 0 } targets)
        {
            return epoll;
        }
        if (!ProcFsReader.TryReadFds(fd.Pid, out List<FdEntry> table))
        {
            throw new UnsupportedObjectException(fd.Pid, fd.Fd, "epoll (the process's fds cannot be read)", fd.Path);
        }
        var seen = new Dictionary<int, uint>();
        foreach (EpollTarget target in targets)
        {
            // The same number can be registered more than once (for different files); the
            // slot's offset says which registration, in the order fdinfo lists them.
            seen[target.Fd] = seen.TryGetValue(target.Fd, out uint offset) ? offset + 1 : 0;
            var slot = new KcmpEpollSlot { EpollFd = (uint)fd.Fd, TargetFd = (uint)target.Fd, TargetOffset = seen[target.Fd] };
            FdEntry holder = table.OrderBy(e => e.Fd == target.Fd ? 0 : 1).FirstOrDefault(e => IsTarget(fd.Pid, e.Fd, slot))
                ?? throw new UnsupportedObjectException(fd.Pid, fd.Fd,
                    $"epoll target fd {target.Fd} whose file is no longer open in any fd of the process", fd.Path);
            if (holder.Kind == FdTargetKind.Epoll)
            {
                throw new UnsupportedObjectException(fd.Pid, fd.Fd, $"epoll watching another epoll (fd {holder.Fd})", fd.Path);
            }
            epoll.Targets.Add(new V1.EpollTarget
            {
                Fd = (uint)target.Fd,
                Events = target.Events,
                Data = target.Data,
                CurrentFd = (uint)holder.Fd,
            });
        }
        return epoll;
    }

    private static bool IsTarget(int pid, int fd, in KcmpEpollSlot slot)
    {
        try
        {
            return Interop.KcmpEpollTarget(pid, pid, fd, slot) == KcmpOrder.Equal;
        }
        catch (ErrnoException e) when (e.Errno == Errno.EBADF)
        {
            return false;
        }
    }

    /// <summary>
    /// Gives the targets of the epoll files described for this fd table the file ids of the
    /// fds they were found in. Targets already linked (an epoll described for an earlier
    /// process, which owns it) are left alone.
    /// </summary>
    public static void LinkEpollTargets(IReadOnlyList<V1.FileEntry> files, IReadOnlyList<V1.FdEntry> table)
    {
        foreach (V1.FdEntry entry in table)
        {
            if (files[(int)entry.FileId - 1].Epoll is not { } epoll)
            {
                continue;
            }
            foreach (V1.EpollTarget target in epoll.Targets.Where(t => t.FileId == 0))
            {
                target.FileId = table.First(e => e.Fd == target.CurrentFd).FileId;
            }
        }
    }
}
