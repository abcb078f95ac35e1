using SessionKeeper.Engine.ProcFs;
using SessionKeeper.Native;

namespace SessionKeeper.Engine.Dump;

/// <summary>What kind of open file an fd is, as far as this dumper knows.</summary>
public enum FdKind
{
    /// <summary>A regular file opened by path.</summary>
    RegularFile,
    /// <summary>A directory (opened with O_RDONLY or O_DIRECTORY).</summary>
    Directory,
    /// <summary>A memory character device with no state: /dev/null, /dev/zero, /dev/full, /dev/random, /dev/urandom.</summary>
    MemoryDevice,
    /// <summary>A file under /proc or /sys: reopened by path on restore.</summary>
    ProcFs,
    /// <summary>An epoll instance.</summary>
    Epoll,
    /// <summary>An eventfd.</summary>
    Eventfd,
    /// <summary>A signalfd.</summary>
    Signalfd,
    /// <summary>A timerfd.</summary>
    Timerfd,
    /// <summary>An inotify instance.</summary>
    Inotify,
    /// <summary>A unix domain socket (Kinds/UnixSockets).</summary>
    UnixSocket,
    /// <summary>A TCP or UDP socket, IPv4 or IPv6 (Kinds/Tcp).</summary>
    InetSocket,
    /// <summary>An end of an anonymous pipe (pipe:[INODE]).</summary>
    Pipe,
    /// <summary>An end of a named pipe opened by path.</summary>
    Fifo,
    /// <summary>A pty master (/dev/ptmx, character device 5:2); see Kinds/Tty.</summary>
    PtyMaster,
    /// <summary>A pty slave (/dev/pts/N, majors 136-143); see Kinds/Tty.</summary>
    PtySlave,
    /// <summary>
    /// /dev/tty (5:0): whatever the process's controlling terminal is. Reopened by path in the
    /// restored process once its session has its terminal again; see Kinds/Tty.
    /// </summary>
    ControllingTerminal,
    /// <summary>The console (5:1) or a virtual console /dev/ttyN (4:0-63): a device of the machine, reopened by path.</summary>
    ConsoleDevice,
}

/// <summary>One classified descriptor of a frozen process.</summary>
/// <param name="Pid">The process.</param>
/// <param name="Fd">The descriptor number.</param>
/// <param name="Kind">What it is.</param>
/// <param name="Path">The path it was opened as (the /proc/PID/fd link text).</param>
/// <param name="Stat">fstat of the open file (through a duplicate taken with pidfd_getfd).</param>
/// <param name="Info">/proc/PID/fdinfo/FD: position, status flags, mount id.</param>
/// <param name="Deleted">The file was unlinked (the link text ends in " (deleted)"); <paramref name="Path"/> is its last name.</param>
public sealed record ClassifiedFd(int Pid, int Fd, FdKind Kind, string Path, Stat Stat, FdInfo Info, bool Deleted = false);

/// <summary>
/// Looks at every fd of a frozen process and decides whether this dumper can save it. Runs
/// before anything is written: an fd of a kind not supported yet fails the whole dump with an
/// <see cref="UnsupportedObjectException"/> naming pid, fd and kind, so no partial snapshot ever
/// exists. The link text of /proc/PID/fd/N is only a hint; the fstat of a duplicate of the fd
/// (pidfd_getfd) decides, because a path can name a FIFO, a device or a socket file.
/// </summary>
public static class FdClassifier
{
    /// <summary>Major number of the kernel's memory devices (drivers/char/mem.c).</summary>
    private const uint MemDeviceMajor = 1;

    /// <summary>Classifies every fd of <paramref name="pid"/>; throws on the first one that cannot be saved.</summary>
    public static List<ClassifiedFd> Classify(int pid)
    {
        var result = new List<ClassifiedFd>();
        if (!ProcFsReader.TryReadFds(pid, out List<FdEntry> fds))
        {
            return result;
        }
        using SafeFd? pidfd = Interop.TryPidfdOpen(pid);
        if (pidfd is null)
        {
            return result;
        }
        foreach (FdEntry fd in fds)
        {
            FdKind? anonKind = AnonKind(fd.Kind);
            if (fd.Kind is not (FdTargetKind.Path or FdTargetKind.Socket or FdTargetKind.Pipe or FdTargetKind.PtyMaster or FdTargetKind.PtySlave) && anonKind is null)
            {
                throw new UnsupportedObjectException(pid, fd.Fd, KindName(fd.Kind), fd.Target);
            }
            using SafeFd? copy = Interop.TryPidfdGetfd(pidfd, fd.Fd);
            if (copy is null || !ProcFsReader.TryReadFdInfo(pid, fd.Fd, out FdInfo info))
            {
                // Closed meanwhile: the tree is frozen, so only a zombie's table can shrink.
                continue;
            }
            Stat st = Interop.Fstat(copy);
            string path = fd.Path ?? fd.Target;
            FdKind kind = anonKind ?? (st.Mode & Stat.TypeMask) switch
            {
                Stat.TypeRegular when IsProcFs(path) => FdKind.ProcFs,
                Stat.TypeRegular => FdKind.RegularFile,
                Stat.TypeDirectory => FdKind.Directory,
                Stat.TypeCharDevice when Major(st.Rdev) == MemDeviceMajor => FdKind.MemoryDevice,
                Stat.TypeCharDevice when Kinds.Tty.PtyDevice.IsMaster(st.Rdev) => FdKind.PtyMaster,
                Stat.TypeCharDevice when Kinds.Tty.PtyDevice.IsSlave(st.Rdev) => FdKind.PtySlave,
                Stat.TypeCharDevice when Kinds.Tty.PtyDevice.IsControllingTerminal(st.Rdev) => FdKind.ControllingTerminal,
                Stat.TypeCharDevice when Kinds.Tty.PtyDevice.IsConsole(st.Rdev) => FdKind.ConsoleDevice,
                Stat.TypeCharDevice => throw new UnsupportedObjectException(pid, fd.Fd, $"character device {Major(st.Rdev)}:{Minor(st.Rdev)}", fd.Target),
                Stat.TypeFifo => fd.Kind == FdTargetKind.Pipe ? FdKind.Pipe : FdKind.Fifo,
                Stat.TypeSocket => SocketKind(pid, fd, copy),
                Stat.TypeBlockDevice => throw new UnsupportedObjectException(pid, fd.Fd, "block device", fd.Target),
                uint other => throw new UnsupportedObjectException(pid, fd.Fd, $"file of type 0x{other:x}", fd.Target),
            };
            result.Add(new ClassifiedFd(pid, fd.Fd, kind, path, st, info, fd.Deleted && kind == FdKind.RegularFile));
        }
        return result;
    }

    /// <summary>The anonymous-inode kinds the dumper saves (from their fdinfo).</summary>
    private static FdKind? AnonKind(FdTargetKind kind) => kind switch
    {
        FdTargetKind.Epoll => FdKind.Epoll,
        FdTargetKind.Eventfd => FdKind.Eventfd,
        FdTargetKind.Signalfd => FdKind.Signalfd,
        FdTargetKind.Timerfd => FdKind.Timerfd,
        FdTargetKind.Inotify => FdKind.Inotify,
        _ => null,
    };
    /// <summary>Unix, IPv4 and IPv6 sockets are saved; sockets of other families are refused, naming the family.</summary>
    private static FdKind SocketKind(int pid, FdEntry fd, SafeFd copy)
    {
        int family = Interop.GetSockOpt(copy, SocketOption.SO_DOMAIN);
        return family switch
        {
            (int)SocketFamily.AF_UNIX => FdKind.UnixSocket,
            (int)SocketFamily.AF_INET or (int)SocketFamily.AF_INET6 => FdKind.InetSocket,
            _ => throw new UnsupportedObjectException(pid, fd.Fd, $"socket of family {family}", fd.Target),
        };
    }

    private static bool IsProcFs(string path)
        => path.StartsWith("/proc/", StringComparison.Ordinal) || path.StartsWith("/sys/", StringComparison.Ordinal);

    private static string KindName(FdTargetKind kind) => kind switch
    {
        FdTargetKind.PtyMaster => "pty master",
        FdTargetKind.PtySlave => "pty slave",
        FdTargetKind.Memfd => "memfd",
        FdTargetKind.Socket => "socket",
        FdTargetKind.Pipe => "pipe",
        FdTargetKind.Epoll => "epoll",
        FdTargetKind.Eventfd => "eventfd",
        FdTargetKind.Signalfd => "signalfd",
        FdTargetKind.Timerfd => "timerfd",
        FdTargetKind.Inotify => "inotify",
        FdTargetKind.Fanotify => "fanotify",
        FdTargetKind.Pidfd => "pidfd",
        FdTargetKind.IoUring => "io_uring",
        FdTargetKind.Userfaultfd => "userfaultfd",
        FdTargetKind.Namespace => "namespace file",
        FdTargetKind.OtherAnonInode => "anonymous inode",
        _ => "unknown file kind",
    };

    /// <summary>Major number of a kernel dev_t as glibc's stat returns it.</summary>
    internal static uint Major(ulong dev) => (uint)(((dev >> 32) & 0xfffff000) | ((dev >> 8) & 0xfff));

    /// <summary>Minor number of a kernel dev_t as glibc's stat returns it.</summary>
    internal static uint Minor(ulong dev) => (uint)(((dev >> 12) & 0xffffff00) | (dev & 0xff));

    /// <summary>The dev_t glibc's stat would report for a major/minor pair (as /proc/PID/maps prints them).</summary>
    internal static ulong MakeDev(uint major, uint minor)
        => ((ulong)(major & 0xfffff000) << 32) | ((ulong)(major & 0xfff) << 8)
         | ((ulong)(minor & 0xffffff00) << 12) | (minor & 0xff);
}
