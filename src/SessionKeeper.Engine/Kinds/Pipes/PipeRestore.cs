using SessionKeeper.Native;
using V1 = SessionKeeper.Images.V1;

namespace SessionKeeper.Engine.Kinds.Pipes;

/// <summary>
/// Restore side of pipes and FIFOs, all in keeper: each pipe is created once (pipe2, or the
/// FIFO node opened O_RDWR, which never blocks and holds both sides), given its size and its
/// saved bytes, and then each end the tree holds is handed out as a keeper descriptor for the
/// restorer to deliver. Keeper keeps every descriptor it made until <see cref="Dispose"/>, so
/// a pipe always has a reader while its data is written and a side the tree does not hold
/// disappears only then (its reader gone: the tree's writer gets EPIPE; its writer gone: the
/// tree's reader gets EOF after the data).
/// </summary>
internal sealed class PipeRestore : IDisposable
{
    // Only the status flag that matters for pipes is put back; the access mode comes from the
    // end itself, and the kernel ignores the rest in F_SETFL.
    private const OpenFlags RestoredStatus = OpenFlags.O_NONBLOCK;

    private readonly Dictionary<ulong, V1.PipeData> _data = [];
    private readonly Dictionary<ulong, Pipe> _pipes = [];
    private readonly List<SafeFd> _handedOut = [];

    /// <summary>Indexes the saved pipe data of <paramref name="files"/> (on one end per pipe).</summary>
    public PipeRestore(IEnumerable<V1.FileEntry> files)
    {
        foreach (V1.FileEntry file in files)
        {
            V1.PipeData? data = file.KindCase switch
            {
                V1.FileEntry.KindOneofCase.Pipe => file.Pipe.Data,
                V1.FileEntry.KindOneofCase.Fifo => file.Fifo.Data,
                _ => null,
            };
            if (data is not null)
            {
                _data[data.PipeId] = data;
            }
        }
    }

    /// <summary>
    /// A keeper descriptor for the pipe or FIFO end <paramref name="file"/>, with its status
    /// flags set (they live in the open file description, so they travel with it). Keeper
    /// keeps owning it; the caller only delivers it. A FIFO's path is looked up as the
    /// process <paramref name="pid"/> (keeper's pid of a task whose root and mounts are already
    /// restored) sees it, through /proc/PID/root.
    /// </summary>
    public SafeFd End(V1.FileEntry file, int pid)
    {
        bool fifo = file.KindCase == V1.FileEntry.KindOneofCase.Fifo;
        ulong id = fifo ? file.Fifo.PipeId : file.Pipe.PipeId;
        if (!_pipes.TryGetValue(id, out Pipe? pipe))
        {
            pipe = fifo ? CreateFifo(file.Fifo, $"/proc/{pid}/root{file.Fifo.Path}") : CreatePipe();
            _pipes[id] = pipe;
            Fill(pipe, id);
        }
        var access = (OpenFlags)file.Flags & OpenFlags.O_ACCMODE;
        SafeFd end;
        if (access == OpenFlags.O_RDONLY && pipe.Read is { } read && !pipe.ReadGiven)
        {
            end = read;
            pipe.ReadGiven = true;
        }
        else if (access == OpenFlags.O_WRONLY && pipe.Write is { } write && !pipe.WriteGiven)
        {
            end = write;
            pipe.WriteGiven = true;
        }
        else
        {
            // Another description of the same pipe (a FIFO end, an O_RDWR end, a second reader):
            // opening keeper's own end through /proc gives a new one on the same pipe. Keeper
            // holds both sides, so a non-blocking open neither waits nor fails.
            end = Interop.Open($"/proc/self/fd/{pipe.Anchor.Fd}", access | OpenFlags.O_NONBLOCK);
            _handedOut.Add(end);
        }
        Interop.SetStatusFlags(end, (OpenFlags)file.Flags & RestoredStatus);
        return end;
    }

    private static Pipe CreatePipe()
    {
        // Non-blocking while keeper writes the data back: a buffer that does not fit fails
        // instead of hanging.
        (SafeFd read, SafeFd write) = Interop.Pipe2(OpenFlags.O_NONBLOCK);
        return new Pipe(read, read, write);
    }

    private static Pipe CreateFifo(V1.FifoEnd fifo, string path)
    {
        if (!File.Exists(path) && !Directory.Exists(path))
        {
            uint mode = fifo.Identity?.Mode ?? 0x1B6;
            Interop.MakeFifo(path, mode);
            if (OperatingSystem.IsLinux())
            {
                // mknod applied the umask; the node gets its saved permission bits exactly.
                File.SetUnixFileMode(path, (UnixFileMode)(mode & 0xFFF));
            }
        }
        SafeFd both = Interop.Open(path, OpenFlags.O_RDWR | OpenFlags.O_NONBLOCK);
        try
        {
            if ((Interop.Fstat(both).Mode & Stat.TypeMask) != Stat.TypeFifo)
            {
                throw new InvalidDataException($"{fifo.Path}: was a FIFO when saved, is something else now");
            }
        }
        catch
        {
            both.Dispose();
            throw;
        }
        return new Pipe(both, null, null);
    }

    private void Fill(Pipe pipe, ulong id)
    {
        if (!_data.TryGetValue(id, out V1.PipeData? data))
        {
            return;
        }
        SafeFd writer = pipe.Write ?? pipe.Anchor;
        if (data.PipeSize != 0 && Interop.Fcntl(writer, FcntlCommand.F_GETPIPE_SZ) != (int)data.PipeSize)
        {
            Interop.Fcntl(writer, FcntlCommand.F_SETPIPE_SZ, data.PipeSize);
        }
        if (data.Data is { } content)
        {
            Interop.WriteAll(writer, content.InlineData.Span);
        }
    }

    /// <summary>Closes every descriptor keeper made, handed out or not.</summary>
    public void Dispose()
    {
        foreach (Pipe pipe in _pipes.Values)
        {
            pipe.Anchor.Dispose();
            pipe.Write?.Dispose();
        }
        _pipes.Clear();
        _handedOut.ForEach(fd => fd.Dispose());
        _handedOut.Clear();
    }

    /// <summary>
    /// A pipe keeper made. <see cref="Anchor"/> is a descriptor of it with both sides present
    /// through keeper (the read end of a pipe2, or a FIFO's O_RDWR description); Read and Write
    /// are pipe2's two ends, handed out as they are, once each.
    /// </summary>
    private sealed class Pipe(SafeFd anchor, SafeFd? read, SafeFd? write)
    {
        public SafeFd Anchor { get; } = anchor;

        public SafeFd? Read { get; } = read;

        public SafeFd? Write { get; } = write;

        public bool ReadGiven { get; set; }

        public bool WriteGiven { get; set; }
    }
}
