using System.Globalization;
using SessionKeeper.Images;
using SessionKeeper.Native;
using V1 = SessionKeeper.Images.V1;

namespace SessionKeeper.Engine.Kinds.Tty;

/// <summary>
/// The pseudo-terminals of a tree being restored, created by keeper: one new pair per saved
/// pair, at the saved index when it is free, set up as it was (termios, window size, packet
/// mode, queued data both ways, lock, exclusive mode) before either end reaches a task. Keeper
/// keeps its own master and a slave of every pair open until the restore ends, so that no
/// side sees the other closed while the tasks receive their ends.
/// </summary>
public sealed class TtyRestore : IDisposable
{
    /// <summary>How many times /dev/ptmx is opened at most to reach a saved index.</summary>
    private const int MaxOpensForIndex = 1024;

    private readonly Dictionary<uint, V1.TtyInfo> _infos;
    private readonly Dictionary<uint, Pair> _pairs = [];
    private readonly Action<string>? _progress;

    private sealed class Pair(SafeFd master, SafeFd slave, uint index)
    {
        public SafeFd Master { get; } = master;
        public SafeFd Slave { get; } = slave;
        public uint Index { get; } = index;
        public bool MasterDelivered { get; set; }
    }

    private TtyRestore(Dictionary<uint, V1.TtyInfo> infos, Action<string>? progress)
    {
        _infos = infos;
        _progress = progress;
    }

    /// <summary>Reads tty-info.img of <paramref name="imageDirectory"/> (none: no terminals).</summary>
    public static TtyRestore Load(string imageDirectory, Action<string>? progress)
    {
        string path = Path.Combine(imageDirectory, "tty-info.img");
        var infos = new Dictionary<uint, V1.TtyInfo>();
        if (File.Exists(path))
        {
            foreach (V1.TtyInfo info in ImageReader.ReadFile<V1.TtyInfo>(path))
            {
                infos[info.Index] = info;
            }
        }
        return new TtyRestore(infos, progress);
    }

    /// <summary>The saved pairs whose terminal is the controlling terminal of session <paramref name="sid"/>.</summary>
    public IEnumerable<V1.TtyInfo> ControlledBy(int sid) => _infos.Values.Where(i => i.HasSid && i.Sid == (uint)sid);

    /// <summary>
    /// A new open file description for the saved pty end <paramref name="file"/> (keeper's
    /// descriptor, for the caller to hand over and dispose).
    /// </summary>
    public SafeFd Open(V1.FileEntry file)
    {
        V1.TtyFile tty = file.Tty;
        Pair pair = PairOf(tty.Index);
        var flags = (OpenFlags)file.Flags;
        if (tty.Kind == V1.TtyKind.PtyMaster)
        {
            // Opening /dev/ptmx always makes a new pair, so a pair has exactly one master
            // description; every fd of it shares that one.
            if (pair.MasterDelivered)
            {
                throw new InvalidDataException($"files.img: pty {tty.Index} has a second master description (file {file.Id})");
            }
            pair.MasterDelivered = true;
            const OpenFlags settable = OpenFlags.O_NONBLOCK | OpenFlags.O_APPEND;
            Interop.SetStatusFlags(pair.Master, (Interop.GetStatusFlags(pair.Master) & ~settable) | (flags & settable));
            return Interop.DupAtLeast(pair.Master);
        }
        if (tty.Kind == V1.TtyKind.PtySlave)
        {
            return OpenSlave(tty.Index, flags);
        }
        throw new InvalidDataException($"files.img: file {file.Id} is a terminal of kind {tty.Kind}, which cannot be restored yet");
    }

    /// <summary>A new description of the slave of the saved pair <paramref name="index"/>, with the saved status flags.</summary>
    public SafeFd OpenSlave(uint index, OpenFlags flags = OpenFlags.O_RDWR)
    {
        const OpenFlags kept = OpenFlags.O_ACCMODE | OpenFlags.O_NONBLOCK | OpenFlags.O_APPEND;
        return Interop.OpenPtyPeer(PairOf(index).Master, (flags & kept) | OpenFlags.O_NOCTTY);
    }

    private Pair PairOf(uint index)
    {
        if (_pairs.TryGetValue(index, out Pair? pair))
        {
            return pair;
        }
        if (!_infos.TryGetValue(index, out V1.TtyInfo? info))
        {
            throw new InvalidDataException($"tty-info.img: no state saved for pty {index}");
        }
        // A terminal that was outside the tree is likely still in use: any free index does.
        SafeFd master = info.OutsideMaster ? Interop.Open("/dev/ptmx", OpenFlags.O_RDWR | OpenFlags.O_NOCTTY | OpenFlags.O_CLOEXEC) : OpenMaster(index);
        try
        {
            uint got = (uint)Interop.GetPtyIndex(master);
            if (info.OutsideMaster)
            {
                _progress?.Invoke($"/dev/pts/{index}, whose other end was outside the tree, is re-bound to the new terminal /dev/pts/{got}");
            }
            else if (got != index)
            {
                _progress?.Invoke($"pty {index}: the index is taken; restored as /dev/pts/{got}");
            }
            Interop.UnlockPty(master);
            SafeFd slave = Interop.OpenPtyPeer(master, OpenFlags.O_RDWR | OpenFlags.O_NOCTTY | OpenFlags.O_NONBLOCK);
            pair = new Pair(master, slave, got);
            _pairs[index] = pair;
        }
        catch
        {
            master.Dispose();
            throw;
        }
        SetUp(pair, info);
        return pair;
    }

    /// <summary>
    /// /dev/ptmx opened until it yields <paramref name="index"/> (devpts hands out the lowest
    /// free index, so the lower ones are held meanwhile), or once when that index is taken.
    /// </summary>
    private static SafeFd OpenMaster(uint index)
    {
        const OpenFlags flags = OpenFlags.O_RDWR | OpenFlags.O_NOCTTY | OpenFlags.O_CLOEXEC;
        if (File.Exists("/dev/pts/" + index.ToString(CultureInfo.InvariantCulture)))
        {
            return Interop.Open("/dev/ptmx", flags);
        }
        var held = new List<SafeFd>();
        try
        {
            for (int i = 0; i < MaxOpensForIndex; i++)
            {
                SafeFd master = Interop.Open("/dev/ptmx", flags);
                if (Interop.GetPtyIndex(master) >= index)
                {
                    // Past it only when another process took the index meanwhile: use this one.
                    return master;
                }
                held.Add(master);
            }
            return Interop.Open("/dev/ptmx", flags);
        }
        finally
        {
            held.ForEach(m => m.Dispose());
        }
    }

    private static void SetUp(Pair pair, V1.TtyInfo info)
    {
        Termios termios = ToKernel(info.Termios);
        Interop.SetTermios(pair.Slave, termios);
        if (info.Winsize is { } size)
        {
            var winsize = new WinSize { Rows = (ushort)size.Rows, Columns = (ushort)size.Cols, XPixels = (ushort)size.Xpixel, YPixels = (ushort)size.Ypixel };
            Interop.SetWinSize(pair.Slave, winsize);
        }
        PtyDevice.PutInput(pair.Master, pair.Slave, termios, info.QueuedInput.Span);
        PtyDevice.PutOutput(pair.Master, pair.Slave, termios, info.QueuedOutput.Span);
        // Packet mode after the output is back: switching it on clears the pending status byte,
        // and the data itself carries no packet headers in the queue.
        if (info.PacketMode)
        {
            PtyDevice.SetInt(pair.Master, IoctlRequest.TIOCPKT, 1);
        }
        if (info.Exclusive)
        {
            Interop.Ioctl(pair.Slave, IoctlRequest.TIOCEXCL, 0);
        }
        if (info.Locked)
        {
            PtyDevice.SetInt(pair.Master, IoctlRequest.TIOCSPTLCK, 1);
        }
    }

    private static unsafe Termios ToKernel(V1.Termios? image)
    {
        var termios = default(Termios);
        if (image is null)
        {
            return termios;
        }
        termios.InputFlags = image.Iflag;
        termios.OutputFlags = image.Oflag;
        termios.ControlFlags = image.Cflag;
        termios.LocalFlags = image.Lflag;
        termios.Line = (byte)image.Line;
        for (int i = 0; i < Termios.Nccs && i < image.Cc.Length; i++)
        {
            termios.ControlChars[i] = image.Cc[i];
        }
        return termios;
    }

    /// <summary>
    /// Masters of the terminals re-bound in place of ones that were outside the tree, for the
    /// caller to serve (it owns and disposes them).
    /// </summary>
    public List<SafeFd> TakeReboundMasters() =>
        _pairs.Where(p => _infos[p.Key].OutsideMaster).Select(p => Interop.DupAtLeast(p.Value.Master)).ToList();

    /// <summary>Closes keeper's ends of every pair; the tasks hold their own.</summary>
    public void Dispose()
    {
        foreach (Pair pair in _pairs.Values)
        {
            pair.Slave.Dispose();
            pair.Master.Dispose();
        }
        _pairs.Clear();
    }
}
