using SessionKeeper.Engine.Kinds.EventFiles;
using SessionKeeper.Engine.Kinds.Tcp;
using SessionKeeper.Engine.Kinds.UnixSockets;
using SessionKeeper.Engine.Kinds.Pipes;
using SessionKeeper.Engine.ProcFs;
using SessionKeeper.Native;
using V1 = SessionKeeper.Images.V1;

namespace SessionKeeper.Engine.Dump;

/// <summary>
/// Turns the classified fds of the whole tree into fdinfo entries per process and one
/// <see cref="V1.FileEntry"/> per open file description. fds that share a description (dup,
/// fork, SCM_RIGHTS) get one file id, found with kcmp(KCMP_FILE); kcmp is only asked about fds
/// whose files have the same device and inode, since different files cannot share one.
/// </summary>
public sealed class FilesDumper
{
    private const uint OCloexec = 0x80000;

    private readonly List<V1.FileEntry> _files = [];
    private readonly Dictionary<int, List<V1.FdEntry>> _fdsByPid = [];
    private readonly PipeDump _pipes = new();
    private InetSocketDump? _inetSockets;

    /// <summary>Every open file description, by id.</summary>
    public IReadOnlyList<V1.FileEntry> Files => _files;

    /// <summary>The fd table of <paramref name="pid"/> (empty when it had none or was not added).</summary>
    public IReadOnlyList<V1.FdEntry> FdsOf(int pid) => _fdsByPid.TryGetValue(pid, out List<V1.FdEntry>? fds) ? fds : [];

    /// <summary>Builds the entries for every process's fds; the tree must still be frozen.</summary>
    public static FilesDumper Build(IEnumerable<(int Pid, List<ClassifiedFd> Fds)> tables, UnixSocketDump? unixSockets = null, InetSocketDump? inetSockets = null)
    {
        unixSockets ??= UnixSocketDump.Empty;
        var dumper = new FilesDumper { _inetSockets = inetSockets };
        // Representatives of each description seen so far, grouped by (dev, ino).
        var seen = new Dictionary<(ulong Dev, ulong Ino), List<(ClassifiedFd Fd, uint Id)>>();
        foreach ((int pid, List<ClassifiedFd> fds) in tables)
        {
            var entries = new List<V1.FdEntry>(fds.Count);
            foreach (ClassifiedFd fd in fds)
            {
                var key = (fd.Stat.Dev, fd.Stat.Ino);
                if (!seen.TryGetValue(key, out List<(ClassifiedFd Fd, uint Id)>? candidates))
                {
                    candidates = [];
                    seen[key] = candidates;
                }
                uint? id = null;
                foreach ((ClassifiedFd other, uint otherId) in candidates)
                {
                    if (Interop.TryKcmp(fd.Pid, other.Pid, KcmpType.KCMP_FILE, (ulong)fd.Fd, (ulong)other.Fd) == KcmpOrder.Equal)
                    {
                        id = otherId;
                        break;
                    }
                }
                if (id is null)
                {
                    id = (uint)dumper._files.Count + 1;
                    dumper._files.Add(dumper.Describe(fd, id.Value, unixSockets));
                    candidates.Add((fd, id.Value));
                }
                entries.Add(new V1.FdEntry
                {
                    Fd = (uint)fd.Fd,
                    FileId = id.Value,
                    Cloexec = (fd.Info.Flags & OCloexec) != 0,
                });
            }
            dumper._fdsByPid[pid] = entries;
            EventFileDump.LinkEpollTargets(dumper._files, entries);
        }
        dumper._pipes.Complete();
        return dumper;
    }

    /// <summary>
    /// The file entry of one open file description: id, status flags, and the part of its
    /// kind. One method per kind of file.
    /// </summary>
    private V1.FileEntry Describe(ClassifiedFd fd, uint id, UnixSocketDump unixSockets)
    {
        var entry = new V1.FileEntry
        {
            Id = id,
            // FD_CLOEXEC belongs to the descriptor; fdinfo folds it into the flags it prints.
            Flags = fd.Info.Flags & ~OCloexec,
        };
        switch (fd.Kind)
        {
            case FdKind.RegularFile or FdKind.Directory or FdKind.MemoryDevice or FdKind.ProcFs or FdKind.ControllingTerminal or FdKind.ConsoleDevice:
                entry.Regular = DescribeRegular(fd);
                break;
            case FdKind.Eventfd: entry.Eventfd = EventFileDump.DescribeEventfd(fd); break;
            case FdKind.Signalfd: entry.Signalfd = EventFileDump.DescribeSignalfd(fd); break;
            case FdKind.Timerfd: entry.Timerfd = EventFileDump.DescribeTimerfd(fd); break;
            case FdKind.Inotify: entry.Inotify = EventFileDump.DescribeInotify(fd); break;
            case FdKind.Epoll: entry.Epoll = EventFileDump.DescribeEpoll(fd); break;
            case FdKind.UnixSocket:
                entry.UnixSocket = unixSockets.Describe(fd);
                break;
            case FdKind.InetSocket when _inetSockets is not null:
                entry.InetSocket = _inetSockets.Describe(fd);
                break;
            case FdKind.Pipe:
                entry.Pipe = _pipes.DescribePipe(fd);
                break;
            case FdKind.Fifo:
                entry.Fifo = _pipes.DescribeFifo(fd);
                break;
            case FdKind.PtyMaster or FdKind.PtySlave:
                entry.Tty = Kinds.Tty.TtyDump.Describe(fd);
                break;
            default:
                throw new UnsupportedObjectException(fd.Pid, fd.Fd, fd.Kind.ToString(), fd.Path);
        }
        return entry;
    }

    private static V1.RegularFile DescribeRegular(ClassifiedFd fd)
    {
        var regular = new V1.RegularFile
        {
            Path = fd.Path,
            Position = (ulong)Math.Max(0, fd.Info.Pos),
            Procfs = fd.Kind == FdKind.ProcFs,
        };
        // A /proc file's identity changes with every process; checking it on restore is meaningless.
        if (fd.Kind != FdKind.ProcFs)
        {
            regular.Identity = Identity(fd.Stat, fd.Info.MntId);
        }
        if (fd.Kind == FdKind.RegularFile)
        {
            // Contents that nothing else keeps: an unlinked file exists only through its open
            // descriptions, and a tmpfs file does not survive a reboot.
            regular.Deleted = fd.Deleted;
            regular.Volatile = ProcFsReader.TryReadMountFsType(fd.Pid, fd.Info.MntId, out string fsType) && fsType == "tmpfs";
            if (regular.Deleted || regular.Volatile)
            {
                regular.Contents = new V1.ContentRef { InlineData = Google.Protobuf.ByteString.CopyFrom(ReadContents(fd)) };
            }
        }
        return regular;
    }

    /// <summary>Files whose contents are saved are kept inline in files.img, up to this size.</summary>
    public const long MaxSavedContents = 64L << 20;

    /// <summary>Reads a file's contents through the process's own descriptor (a fresh open of the /proc/PID/fd link).</summary>
    private static byte[] ReadContents(ClassifiedFd fd)
    {
        if (fd.Stat.Size > MaxSavedContents)
        {
            throw new UnsupportedObjectException(fd.Pid, fd.Fd,
                $"{(fd.Deleted ? "deleted" : "tmpfs")} file of {fd.Stat.Size} bytes (contents above {MaxSavedContents >> 20} MiB are not saved yet)", fd.Path);
        }
        using SafeFd file = Interop.Open($"/proc/{fd.Pid}/fd/{fd.Fd}", OpenFlags.O_RDONLY | OpenFlags.O_CLOEXEC);
        var contents = new byte[fd.Stat.Size];
        int done = Interop.PreadAll(file, contents, 0);
        if (done < contents.Length)
        {
            Array.Resize(ref contents, done); // truncated meanwhile by a process outside the tree
        }
        return contents;
    }

    /// <summary>The identity recorded for a file, from its fstat.</summary>
    internal static V1.FileIdentity Identity(in Stat st, int mntId = -1)
    {
        var identity = new V1.FileIdentity
        {
            Dev = st.Dev,
            Ino = st.Ino,
            Mode = st.Mode,
            Size = (ulong)Math.Max(0, st.Size),
            MtimeNs = (st.MtimeSec * 1_000_000_000L) + st.MtimeNsec,
        };
        if (mntId >= 0)
        {
            identity.MntId = (uint)mntId;
        }
        return identity;
    }
}
