using System.Globalization;
using Google.Protobuf;
using SessionKeeper.Engine.Dump;
using SessionKeeper.Engine.Kinds.Namespaces;
using SessionKeeper.Engine.ProcFs;
using SessionKeeper.Native;
using V1 = SessionKeeper.Images.V1;

namespace SessionKeeper.Engine.Kinds.Tty;

/// <summary>
/// The pseudo-terminals of a frozen tree, for the dump: which pairs it holds, the refusal of a
/// pair whose other end is outside the tree, and per pair its state, its session and foreground
/// group, and the data queued in both directions (DESIGN.md §6).
/// </summary>
/// <remarks>
/// <para>A pair is saved only when its master is in the tree and no process outside the tree
/// holds its slave (by fd or as controlling terminal): restore creates a new pair, and an
/// outside process would stay attached to the old one. The user's own terminal, whose master
/// belongs to a terminal emulator or sshd, is refused for that reason.</para>
/// <para>Queued data cannot be read without taking it out of the queue, so it is read and
/// written back at once while the tree is frozen (the leave-running mode needs it back, and the
/// kill mode keeps the tree intact until the images are written). Edge cases, where the bytes
/// put back differ from what was there: a pending packet-mode status byte (TIOCPKT_FLUSHREAD
/// and the like) is dropped; in canonical mode the line boundaries are
/// formed again from the newline bytes, so a line ended with VEOF comes back as its text
/// followed by a NUL byte, and literal (VLNEXT-escaped) erase or kill characters are
/// interpreted again.</para>
/// <para>A process whose controlling terminal is not a pty of the tree (it has no fd of it)
/// loses it: restore cannot give it back, and this is reported, not refused.</para>
/// </remarks>
public sealed class TtyDump
{
    private readonly Dictionary<uint, Pair> _pairs = [];
    private readonly List<V1.TtyInfo> _infos = [];

    private sealed class Pair
    {
        public ClassifiedFd? Master { get; set; }
        public ClassifiedFd? Slave { get; set; }

        /// <summary>The leader of the session whose controlling terminal this is (a master outside the tree only).</summary>
        public ProcStat? Leader { get; set; }
    }

    private TtyDump()
    {
    }

    /// <summary>One TtyInfo per pty pair, with sids and groups as keeper sees them.</summary>
    public IReadOnlyList<V1.TtyInfo> Infos => _infos;

    /// <summary>
    /// Finds the pty pairs of the tree and refuses, before anything is read at length, a pty
    /// end whose peer is outside the tree.
    /// </summary>
    /// <param name="tables">The classified fds of every process.</param>
    /// <param name="stats">/proc/PID/stat of every process.</param>
    /// <param name="progress">Where notes go.</param>
    /// <param name="rebindOutside">Save a slave whose master is outside the tree for re-binding (<see cref="DumpOptions.RebindOutsideTerminals"/>).</param>
    public static TtyDump Inspect(IReadOnlyList<(int Pid, List<ClassifiedFd> Fds)> tables, IReadOnlyDictionary<int, ProcStat> stats, Action<string>? progress,
        bool rebindOutside = false)
    {
        var dump = new TtyDump();
        foreach ((int _, List<ClassifiedFd> fds) in tables)
        {
            foreach (ClassifiedFd fd in fds.Where(f => f.Kind is FdKind.PtyMaster or FdKind.PtySlave))
            {
                uint index = IndexOf(fd);
                if (!dump._pairs.TryGetValue(index, out Pair? pair))
                {
                    pair = new Pair();
                    dump._pairs[index] = pair;
                }
                if (fd.Kind == FdKind.PtyMaster)
                {
                    pair.Master ??= fd;
                }
                else
                {
                    pair.Slave ??= fd;
                }
            }
        }
        var inTree = new HashSet<int>(stats.Keys);
        // One scan of /proc answers for every pair whose master is in the tree.
        Dictionary<uint, string> outsideHolders = FindOutsideHolders(
            dump._pairs.Where(p => p.Value.Master is not null).Select(p => p.Key).ToHashSet(), inTree);
        foreach ((uint index, Pair pair) in dump._pairs)
        {
            if (pair.Master is null)
            {
                ClassifiedFd slave = pair.Slave!;
                if (!rebindOutside)
                {
                    throw new UnsupportedObjectException(slave.Pid, slave.Fd, "pty slave",
                        $"/dev/pts/{index}: its master (the peer, e.g. the terminal the program was started in) is outside the tree; "
                        + "save it with --rebind-tty to restore it on a new terminal, or run the program inside screen or tmux");
                }
                pair.Leader = stats.Values.FirstOrDefault(s => s.Pid == s.Session && PtyDevice.IndexOfTtyNr(s.TtyNr) == index);
                progress?.Invoke($"/dev/pts/{index}: its master is outside the tree; saved to be re-bound to a new terminal");
                continue;
            }
            if (outsideHolders.TryGetValue(index, out string? holder))
            {
                throw new UnsupportedObjectException(pair.Master.Pid, pair.Master.Fd, "pty master",
                    $"/dev/pts/{index}: its slave (the peer) is also held outside the tree, by {holder}");
            }
        }
        RefuseOutsideControllingTerminal(tables, stats, dump);
        foreach ((int pid, ProcStat stat) in stats)
        {
            if (PtyDevice.IndexOfTtyNr(stat.TtyNr) is uint index && dump._pairs.ContainsKey(index))
            {
                if (!stats.TryGetValue(stat.Session, out ProcStat? leader) || leader.State == 'Z')
                {
                    throw new UnsupportedObjectException(pid, null, "controlling terminal",
                        $"/dev/pts/{index} is the terminal of session {stat.Session}, whose leader is {(leader is null ? "outside the tree" : "a zombie")}");
                }
            }
            else if (stat.TtyNr != 0)
            {
                progress?.Invoke($"pid {pid}: its controlling terminal (tty_nr 0x{stat.TtyNr:x}) is outside the tree and is not restored");
            }
        }
        return dump;
    }

    /// <summary>
    /// /dev/tty is reopened in the restored process, where it names the session's terminal
    /// again: only a terminal restored with the tree can be named so.
    /// </summary>
    private static void RefuseOutsideControllingTerminal(IReadOnlyList<(int Pid, List<ClassifiedFd> Fds)> tables, IReadOnlyDictionary<int, ProcStat> stats, TtyDump dump)
    {
        foreach (ClassifiedFd fd in tables.SelectMany(table => table.Fds).Where(f => f.Kind == FdKind.ControllingTerminal))
        {
            int ttyNr = stats.TryGetValue(fd.Pid, out ProcStat? stat) ? stat.TtyNr : 0;
            if (PtyDevice.IndexOfTtyNr(ttyNr) is not uint index || !dump._pairs.ContainsKey(index))
            {
                throw new UnsupportedObjectException(fd.Pid, fd.Fd, "/dev/tty",
                    ttyNr == 0 ? "the process has no controlling terminal to reopen it on"
                        : $"it names the process's controlling terminal (tty_nr 0x{ttyNr:x}), which is outside the tree");
            }
        }
    }

    /// <summary>
    /// Reads the state of every pair, and its queued data, which goes back at once; the tree
    /// must be frozen.
    /// </summary>
    public void Collect()
    {
        foreach ((uint index, Pair pair) in _pairs.OrderBy(p => p.Key))
        {
            if (pair.Master is null)
            {
                _infos.Add(CollectOutside(index, pair));
                continue;
            }
            ClassifiedFd masterFd = pair.Master;
            using SafeFd pidfd = Interop.PidfdOpen(masterFd.Pid);
            using SafeFd master = Interop.PidfdGetfd(pidfd, masterFd.Fd);
            var info = new V1.TtyInfo
            {
                Kind = V1.TtyKind.PtySlave,
                Index = index,
                PacketMode = PtyDevice.GetInt(master, IoctlRequest.TIOCGPKT) != 0,
                Locked = PtyDevice.GetInt(master, IoctlRequest.TIOCGPTLCK) != 0,
            };
            WinSize size = Interop.GetWinSize(master);
            info.Winsize = new V1.Winsize { Rows = size.Rows, Cols = size.Columns, Xpixel = size.XPixels, Ypixel = size.YPixels };
            if (TryGetInt(master, IoctlRequest.TIOCGSID) is int sid and > 0)
            {
                info.Sid = (uint)sid;
                info.ForegroundPgrp = (uint)PtyDevice.GetInt(master, IoctlRequest.TIOCGPGRP);
            }
            if (info.Locked)
            {
                // Nobody has opened the slave yet (unlockpt not called), so nothing can be queued;
                // the termios is read through the master, which reports its peer's.
                info.Termios = ToImage(Interop.GetTermios(master));
                _infos.Add(info);
                continue;
            }
            using SafeFd slave = Interop.OpenPtyPeer(master, OpenFlags.O_RDWR | OpenFlags.O_NOCTTY | OpenFlags.O_NONBLOCK);
            Termios termios = Interop.GetTermios(slave);
            info.Termios = ToImage(termios);
            info.Exclusive = PtyDevice.GetInt(slave, IoctlRequest.TIOCGEXCL) != 0;
            // Packet mode off for the whole exchange: reads of the master would carry packet
            // headers, and each termios change on the slave (IXON off while input goes back)
            // would queue a status byte for the master's reader. Switching it on again clears
            // the status byte; one that was pending before is lost with it.
            if (info.PacketMode)
            {
                PtyDevice.SetInt(master, IoctlRequest.TIOCPKT, 0);
            }
            byte[] input, output;
            try
            {
                input = PtyDevice.TakeInput(slave, termios);
                output = PtyDevice.TakeOutput(master);
                PtyDevice.PutInput(master, slave, termios, input);
                PtyDevice.PutOutput(master, slave, termios, output);
            }
            finally
            {
                if (info.PacketMode)
                {
                    PtyDevice.SetInt(master, IoctlRequest.TIOCPKT, 1);
                }
            }
            info.QueuedInput = ByteString.CopyFrom(input);
            info.QueuedOutput = ByteString.CopyFrom(output);
            _infos.Add(info);
        }
    }

    /// <summary>
    /// A terminal whose master is outside the tree: its settings, read through the slave; the
    /// session and foreground group from the leader's /proc/PID/stat (TIOCGSID on a slave
    /// answers only its own session). Its queues belong to the outside and are not taken.
    /// </summary>
    private static V1.TtyInfo CollectOutside(uint index, Pair pair)
    {
        ClassifiedFd slaveFd = pair.Slave!;
        using SafeFd pidfd = Interop.PidfdOpen(slaveFd.Pid);
        using SafeFd slave = Interop.PidfdGetfd(pidfd, slaveFd.Fd);
        WinSize size = Interop.GetWinSize(slave);
        var info = new V1.TtyInfo
        {
            Kind = V1.TtyKind.PtySlave,
            Index = index,
            OutsideMaster = true,
            Termios = ToImage(Interop.GetTermios(slave)),
            Winsize = new V1.Winsize { Rows = size.Rows, Cols = size.Columns, Xpixel = size.XPixels, Ypixel = size.YPixels },
            Exclusive = PtyDevice.GetInt(slave, IoctlRequest.TIOCGEXCL) != 0,
        };
        if (pair.Leader is { } leader)
        {
            info.Sid = (uint)leader.Session;
            if (leader.Tpgid > 0)
            {
                info.ForegroundPgrp = (uint)leader.Tpgid;
            }
        }
        return info;
    }

    /// <summary>The infos with sid and foreground group as the images record them.</summary>
    public List<V1.TtyInfo> ToImage(PidView pids, IReadOnlySet<int> pidsInTree)
    {
        var result = new List<V1.TtyInfo>(_infos.Count);
        foreach (V1.TtyInfo info in _infos)
        {
            V1.TtyInfo copy = info.Clone();
            if (info.HasSid)
            {
                copy.Sid = (uint)pids.ToImage((int)info.Sid);
                // A foreground group whose leader has gone has no number inside a namespace of
                // the tree's; restore then leaves the foreground to the session leader's group.
                if (info.HasForegroundPgrp && pidsInTree.Contains((int)info.ForegroundPgrp))
                {
                    copy.ForegroundPgrp = (uint)pids.ToImage((int)info.ForegroundPgrp);
                }
                else
                {
                    copy.ClearForegroundPgrp();
                }
            }
            result.Add(copy);
        }
        return result;
    }

    /// <summary>The file part of a pty end's entry in files.img.</summary>
    public static V1.TtyFile Describe(ClassifiedFd fd) => new()
    {
        Kind = fd.Kind == FdKind.PtyMaster ? V1.TtyKind.PtyMaster : V1.TtyKind.PtySlave,
        Index = IndexOf(fd),
        Path = fd.Path,
    };

    private static uint IndexOf(ClassifiedFd fd)
    {
        if (fd.Kind == FdKind.PtySlave)
        {
            return PtyDevice.SlaveIndex(fd.Stat.Rdev);
        }
        using SafeFd pidfd = Interop.PidfdOpen(fd.Pid);
        using SafeFd master = Interop.PidfdGetfd(pidfd, fd.Fd);
        return (uint)Interop.GetPtyIndex(master);
    }

    /// <summary>The fds of a process outside the tree; one whose fds keeper may not read (EACCES here for pid 1) is skipped.</summary>
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

    private static int? TryGetInt(SafeFd fd, IoctlRequest request)
    {
        try
        {
            return PtyDevice.GetInt(fd, request);
        }
        catch (ErrnoException)
        {
            return null;
        }
    }

    private static V1.Termios ToImage(in Termios termios)
    {
        var image = new V1.Termios
        {
            Iflag = termios.InputFlags,
            Oflag = termios.OutputFlags,
            Cflag = termios.ControlFlags,
            Lflag = termios.LocalFlags,
            Line = termios.Line,
        };
        byte[] cc = new byte[Termios.Nccs];
        for (int i = 0; i < cc.Length; i++)
        {
            cc[i] = ControlChar(termios, i);
        }
        image.Cc = ByteString.CopyFrom(cc);
        // Speeds stay in the CBAUD bits of cflag (TCGETS); ispeed/ospeed are left 0. A pty has
        // no line speed of its own.
        return image;
    }

    private static unsafe byte ControlChar(Termios termios, int i) => termios.ControlChars[i];

    /// <summary>
    /// For each of <paramref name="indices"/>, a process outside the tree that holds
    /// /dev/pts/INDEX open or as its controlling terminal ("pid N (comm) ..."); indices no
    /// outside process holds are left out.
    /// </summary>
    private static Dictionary<uint, string> FindOutsideHolders(HashSet<uint> indices, HashSet<int> inTree)
    {
        var holders = new Dictionary<uint, string>();
        if (indices.Count == 0)
        {
            return holders;
        }
        var pids = new List<int>();
        Interop.TryListNumericEntries("/proc", pids);
        foreach (int pid in pids)
        {
            if (inTree.Contains(pid) || !ProcFsReader.TryReadStat(pid, out ProcStat stat))
            {
                continue;
            }
            if (PtyDevice.IndexOfTtyNr(stat.TtyNr) is uint terminal && indices.Contains(terminal))
            {
                holders.TryAdd(terminal, $"pid {pid} ({stat.Comm}) as its controlling terminal");
            }
            if (!TryReadFds(pid, out List<FdEntry> fds))
            {
                continue;
            }
            foreach (FdEntry fd in fds.Where(f => f.Kind == FdTargetKind.PtySlave))
            {
                if (uint.TryParse(fd.Target.AsSpan("/dev/pts/".Length), NumberStyles.None, CultureInfo.InvariantCulture, out uint index) && indices.Contains(index))
                {
                    holders.TryAdd(index, $"pid {pid} ({stat.Comm}) fd {fd.Fd}");
                }
            }
        }
        return holders;
    }
}
