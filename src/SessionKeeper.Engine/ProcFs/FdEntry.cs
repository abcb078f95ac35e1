namespace SessionKeeper.Engine.ProcFs;

/// <summary>What the /proc/PID/fd/N link of a descriptor says it is. A hint for the classifier, which confirms it with fstat on the duplicated fd.</summary>
public enum FdTargetKind
{
    /// <summary>A link text this reader does not recognise.</summary>
    Unknown,
    /// <summary>A path: regular file, directory, device, FIFO (see <see cref="FdEntry.Deleted"/>).</summary>
    Path,
    /// <summary>/dev/ptmx or /dev/pts/ptmx: a pty master.</summary>
    PtyMaster,
    /// <summary>/dev/pts/N: a pty slave.</summary>
    PtySlave,
    /// <summary>"/memfd:NAME (deleted)": a memfd_create file.</summary>
    Memfd,
    /// <summary>socket:[INODE].</summary>
    Socket,
    /// <summary>pipe:[INODE].</summary>
    Pipe,
    /// <summary>anon_inode:[eventpoll].</summary>
    Epoll,
    /// <summary>anon_inode:[eventfd].</summary>
    Eventfd,
    /// <summary>anon_inode:[signalfd].</summary>
    Signalfd,
    /// <summary>anon_inode:[timerfd].</summary>
    Timerfd,
    /// <summary>anon_inode:inotify (the kernel writes this one without brackets).</summary>
    Inotify,
    /// <summary>anon_inode:[fanotify].</summary>
    Fanotify,
    /// <summary>anon_inode:[pidfd].</summary>
    Pidfd,
    /// <summary>anon_inode:[io_uring].</summary>
    IoUring,
    /// <summary>anon_inode:[userfaultfd].</summary>
    Userfaultfd,
    /// <summary>Another anon_inode: object (bpf-map, perf_event, …).</summary>
    OtherAnonInode,
    /// <summary>A namespace file: "net:[4026531840]", "mnt:[…]", ….</summary>
    Namespace,
}

/// <summary>One open descriptor from the /proc/PID/fd directory.</summary>
/// <param name="Fd">The descriptor number.</param>
/// <param name="Target">The link text as readlink returns it.</param>
/// <param name="Kind">What the link text says the descriptor is.</param>
/// <param name="Inode">The inode in "socket:[N]", "pipe:[N]" and namespace links; 0 otherwise.</param>
/// <param name="Path">For <see cref="FdTargetKind.Path"/>, pty and memfd kinds: the path without " (deleted)"; null otherwise.</param>
/// <param name="Deleted">The path ended in " (deleted)".</param>
public sealed record FdEntry(int Fd, string Target, FdTargetKind Kind, ulong Inode, string? Path, bool Deleted);
