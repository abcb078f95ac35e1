using Google.Protobuf;
using SessionKeeper.Engine.Dump;
using SessionKeeper.Engine.ProcFs;
using SessionKeeper.Native;
using V1 = SessionKeeper.Images.V1;

namespace SessionKeeper.Engine.Kinds.Pipes;

/// <summary>
/// Dump side of pipes and FIFOs. Every end (open file description) gets its entry as it is
/// described; once the whole tree's ends are known, <see cref="Complete"/> checks that no end
/// is shared with a process outside the tree and copies each pipe's buffered bytes, without
/// consuming them, into the entry of one of its ends. The tree must still be frozen.
/// </summary>
internal sealed class PipeDump
{
    private const OpenFlags AccessMode = OpenFlags.O_ACCMODE;

    private readonly Dictionary<ulong, Pipe> _pipes = [];

    /// <summary>The entry of an anonymous pipe end.</summary>
    public V1.PipeEnd DescribePipe(ClassifiedFd fd)
    {
        var end = new V1.PipeEnd { PipeId = fd.Stat.Ino };
        Add(fd, data => end.Data = data);
        return end;
    }

    /// <summary>The entry of a FIFO end: its path and the node's identity.</summary>
    public V1.FifoEnd DescribeFifo(ClassifiedFd fd)
    {
        var end = new V1.FifoEnd
        {
            PipeId = fd.Stat.Ino,
            Path = fd.Path,
            Identity = FilesDumper.Identity(fd.Stat, fd.Info.MntId),
        };
        Add(fd, data => end.Data = data);
        return end;
    }

    private void Add(ClassifiedFd fd, Action<V1.PipeData> setData)
    {
        if (((OpenFlags)fd.Info.Flags & OpenFlags.O_DIRECT) != 0)
        {
            // Packet mode keeps write boundaries in the buffer, which tee and a plain write
            // back do not reproduce.
            throw new UnsupportedObjectException(fd.Pid, fd.Fd, "packet-mode pipe (O_DIRECT)", fd.Path);
        }
        if (!_pipes.TryGetValue(fd.Stat.Ino, out Pipe? pipe))
        {
            pipe = new Pipe(fd.Stat.Ino, fd.Kind == FdKind.Fifo ? fd.Path : null, setData);
            _pipes[fd.Stat.Ino] = pipe;
        }
        pipe.Ends.Add(fd);
    }

    /// <summary>
    /// Refuses pipes shared with processes outside the tree, then saves every pipe's size and
    /// buffered data. Runs after every fd of the tree was described.
    /// </summary>
    public void Complete()
    {
        foreach (Pipe pipe in _pipes.Values)
        {
            bool reader = pipe.Ends.Exists(e => CanRead(e.Info.Flags));
            bool writer = pipe.Ends.Exists(e => CanWrite(e.Info.Flags));
            if (!reader || !writer)
            {
                // Every end a process of the tree holds was described, so a holder of the
                // missing side is outside. Only then is the rest of the system looked at.
                CheckNoOutsidePeer(pipe, lookForReader: !reader, lookForWriter: !writer);
            }
        }
        foreach (Pipe pipe in _pipes.Values)
        {
            pipe.SetData(ReadBuffered(pipe.Ends.Find(e => CanRead(e.Info.Flags)) ?? pipe.Ends[0]));
        }
    }

    private static bool CanRead(uint flags) => ((OpenFlags)flags & AccessMode) is OpenFlags.O_RDONLY or OpenFlags.O_RDWR;

    private static bool CanWrite(uint flags) => ((OpenFlags)flags & AccessMode) is OpenFlags.O_WRONLY or OpenFlags.O_RDWR;

    /// <summary>
    /// Scans the fds of every other process for the pipe: a pipe by its "pipe:[INODE]" link, a
    /// FIFO by its path and then its inode. Throws when one holds the side the tree lacks.
    /// </summary>
    private static void CheckNoOutsidePeer(Pipe pipe, bool lookForReader, bool lookForWriter)
    {
        ClassifiedFd inside = pipe.Ends[0];
        var treePids = pipe.Ends.Select(e => e.Pid).ToHashSet();
        int self = Environment.ProcessId;
        foreach (string dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid) || pid == self || treePids.Contains(pid)
                || !TryReadFds(pid, out List<FdEntry> fds))
            {
                continue;
            }
            foreach (FdEntry fd in fds)
            {
                if (!SamePipe(pipe, pid, fd) || !ProcFsReader.TryReadFdInfo(pid, fd.Fd, out FdInfo info))
                {
                    continue;
                }
                if ((lookForReader && CanRead(info.Flags)) || (lookForWriter && CanWrite(info.Flags)))
                {
                    string kind = pipe.FifoPath is null ? "pipe" : "fifo";
                    throw new UnsupportedObjectException(inside.Pid, inside.Fd,
                        $"{kind} whose other end is outside the tree (pid {pid} fd {fd.Fd} holds it)", inside.Path);
                }
            }
        }
    }

    /// <summary>
    /// The fds of another process, or false when it is gone or keeper may not look (init's fds
    /// give EACCES on some hosts even to root). Such a process cannot be checked; it is passed
    /// over rather than failing every dump of a tree with a half-closed pipe.
    /// </summary>
    private static bool TryReadFds(int pid, out List<FdEntry> fds)
    {
        try
        {
            return ProcFsReader.TryReadFds(pid, out fds);
        }
        catch (ErrnoException)
        {
            fds = [];
            return false;
        }
    }

    private static bool SamePipe(Pipe pipe, int pid, FdEntry fd)
    {
        if (pipe.FifoPath is null)
        {
            return fd.Kind == FdTargetKind.Pipe && fd.Inode == pipe.Id;
        }
        if (fd.Kind != FdTargetKind.Path || fd.Path != pipe.FifoPath)
        {
            return false;
        }
        try
        {
            using SafeFd node = Interop.Open($"/proc/{pid}/fd/{fd.Fd}", OpenFlags.O_PATH);
            return Interop.Fstat(node).Ino == pipe.Id;
        }
        catch (ErrnoException)
        {
            return false; // closed or gone meanwhile
        }
    }

    /// <summary>
    /// Size and buffered bytes of the pipe behind <paramref name="end"/>. tee(2) copies the
    /// buffer into a scratch pipe of the same size without consuming it; tee needs a read end,
    /// so when the tree holds only write ends, keeper opens a read end of its own through
    /// /proc/PID/fd (non-blocking, closed again right away; the tree is frozen meanwhile).
    /// </summary>
    private static V1.PipeData ReadBuffered(ClassifiedFd end)
    {
        using SafeFd reader = OpenReader(end);
        int size = Interop.Fcntl(reader, FcntlCommand.F_GETPIPE_SZ);
        int queued = Interop.IoctlGet<int>(reader, IoctlRequest.FIONREAD);
        var data = new V1.PipeData { PipeId = end.Stat.Ino, PipeSize = (uint)size, Length = 0 };
        if (queued <= 0)
        {
            return data;
        }
        (SafeFd scratchRead, SafeFd scratchWrite) = Interop.Pipe2(OpenFlags.O_NONBLOCK);
        using (scratchRead)
        using (scratchWrite)
        {
            // Same capacity in slots as the pipe, so one tee takes every buffer it holds.
            Interop.Fcntl(scratchWrite, FcntlCommand.F_SETPIPE_SZ, size);
            long copied = Interop.Tee(reader, scratchWrite, queued, SpliceFlags.SPLICE_F_NONBLOCK);
            if (copied != queued)
            {
                throw new UnsupportedObjectException(end.Pid, end.Fd, $"pipe whose {queued} buffered bytes could not be copied (tee gave {copied})", end.Path);
            }
            byte[] bytes = new byte[queued];
            int got = Interop.ReadAll(scratchRead, bytes);
            data.Length = (uint)got;
            data.Data = new V1.ContentRef { InlineData = ByteString.CopyFrom(bytes, 0, got) };
        }
        return data;
    }

    private static SafeFd OpenReader(ClassifiedFd end)
    {
        if (CanRead(end.Info.Flags))
        {
            using SafeFd pidfd = Interop.PidfdOpen(end.Pid);
            return Interop.PidfdGetfd(pidfd, end.Fd);
        }
        return Interop.Open($"/proc/{end.Pid}/fd/{end.Fd}", OpenFlags.O_RDONLY | OpenFlags.O_NONBLOCK);
    }

    /// <summary>One pipe of the tree: its ends, and where its data goes.</summary>
    private sealed class Pipe(ulong id, string? fifoPath, Action<V1.PipeData> setData)
    {
        public ulong Id { get; } = id;

        public string? FifoPath { get; } = fifoPath;

        public Action<V1.PipeData> SetData { get; } = setData;

        public List<ClassifiedFd> Ends { get; } = [];
    }
}
