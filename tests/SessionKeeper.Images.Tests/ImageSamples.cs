using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using SessionKeeper.Images.V1;

namespace SessionKeeper.Images.Tests;

/// <summary>
/// Realistic messages for every framed image kind, modelled on the measured screen/tmux/VNC
/// trees (INVENTORY.md). They set optional fields to zero, use negative numbers, all-ones
/// 64-bit values, bytes, nested oneofs and well-known types, because those are the values
/// that break JSON round trips.
/// </summary>
internal static class ImageSamples
{
    private const ulong AllOnes = ulong.MaxValue;

    /// <summary>Sample messages for <paramref name="kind"/>: one for single-message kinds, several otherwise.</summary>
    public static IReadOnlyList<IMessage> For(ImageKind kind) => kind switch
    {
        ImageKind.Inventory => [Inventory()],
        ImageKind.Pstree => Pstree(),
        ImageKind.Core => [Core()],
        ImageKind.Mm => [Mm()],
        ImageKind.Pagemap => Pagemap(),
        ImageKind.Fdinfo => Fdinfo(),
        ImageKind.Files => Files(),
        ImageKind.PipeData => PipeData(),
        ImageKind.TtyInfo => TtyInfo(),
        ImageKind.SysvShm => [SysvShm()],
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "no samples for this kind"),
    };

    public static Inventory Inventory() => new()
    {
        FormatMajor = 1,
        FormatMinor = 0,
        KeeperVersion = "0.1.0",
        KernelRelease = "6.18.44",
        KernelVersion = "#1 SMP PREEMPT_DYNAMIC",
        Machine = "x86_64",
        PageSize = 4096,
        Cpu = new CpuInfo
        {
            Vendor = "GenuineIntel",
            Family = 6,
            Model = 143,
            Stepping = 8,
            ModelName = "Intel(R) Xeon(R) Platinum 8481C",
            XsaveFeatures = 0x602e7,
            XsaveSize = 11008,
            CpuidFeatures = { 0x7ffefbff_bfebfbff, 0xf1bf07ab_00c1ef1b },
        },
        RootPid = 11623,
        CreatedAt = new Timestamp { Seconds = 1_795_782_000, Nanos = 123_456_789 },
        TreeLeftRunning = true,
        BootId = "5b1c2a8e-0d0f-4c51-9f3b-8e2f0a6d7c11",
        FreezeDurationNs = 41_000_000,
        Files =
        {
            new ImageFileEntry { Name = "pstree.img", Kind = ImageKind.Pstree, Size = 96 },
            new ImageFileEntry
            {
                Name = "core-11623.img",
                Kind = ImageKind.Core,
                Pid = 11623,
                Size = 14_000,
                Checksum = new Checksum { Algorithm = ChecksumAlgorithm.Sha256, Digest = ByteString.CopyFrom(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray()) },
            },
            new ImageFileEntry { Name = "pages-11623.img", Kind = ImageKind.RawPages, Pid = 11623, Size = 2_600 * 1024 },
        },
    };

    public static List<IMessage> Pstree() =>
    [
        new PstreeEntry { Pid = 11623, Ppid = 1, Pgid = 11623, Sid = 11623, Threads = { 11623 }, State = ProcessState.Alive },
        new PstreeEntry { Pid = 11826, Ppid = 11623, Pgid = 11826, Sid = 11826, Threads = { 11826, 11827 }, State = ProcessState.Alive },
        // A zombie whose status is 0: presence must survive although the value is the default.
        new PstreeEntry { Pid = 11900, Ppid = 11623, Pgid = 11623, Sid = 11623, Threads = { 11900 }, State = ProcessState.Zombie, ExitStatus = 0 },
        new PstreeEntry { Pid = 11901, Ppid = 11623, Pgid = 11623, Sid = 11623, Threads = { 11901 }, State = ProcessState.Zombie, ExitStatus = -1 },
    ];

    public static Core Core()
    {
        var core = new Core
        {
            Pid = 11826,
            Creds = new Creds
            {
                Uid = 1000,
                Euid = 1000,
                Suid = 1000,
                Fsuid = 1000,
                Gid = 1000,
                Egid = 1000,
                Sgid = 1000,
                Fsgid = 1000,
                Groups = { 24, 27, 1000 },
                CapBounding = 0x1ff_ffef_ffff,
                Securebits = 0,
            },
            Itimers = new ITimers { Real = new TimerValue { IntervalNs = 0, ValueNs = 250_000_000 } },
            PosixTimers =
            {
                new PosixTimer
                {
                    Id = 0, ClockId = 1, Notify = SigevNotify.ThreadId, Signo = 32, NotifyTid = 11827,
                    SigevValue = 0x5566_7788_99aa, Value = new TimerValue { IntervalNs = 0, ValueNs = 0 }, Overrun = 0,
                },
            },
            Personality = 0,
            Umask = 18, // 022
            Cwd = "/root",
            Root = "/",
            Exe = "/usr/bin/vim.basic",
            Dumpable = 0,
            ExitSignal = 17,
            SharedPending = { new PendingSignal { Signo = 10, Siginfo = ByteString.CopyFrom(new byte[128]) } },
        };
        for (uint signo = 1; signo <= 64; signo++)
        {
            if (signo is 9 or 19)
            {
                continue;
            }
            if (signo % 3 == 0)
            {
                core.Sigactions.Add(new SigAction { Signo = signo, Handler = 0x55d0_1234_5678UL + signo, Flags = 0x1400_0004, Restorer = 0x7f00_0001_0000, Mask = 1UL << 13 });
            }
        }
        for (uint resource = 0; resource < 16; resource++)
        {
            core.Rlimits.Add(new Rlimit { Resource = resource, Cur = resource == 7 ? 1024 : AllOnes, Max = resource == 7 ? 524_288 : AllOnes });
        }
        core.Threads.Add(Thread(11826, "vim"));
        ThreadCore helper = Thread(11827, "vim");
        helper.Blocked = AllOnes;
        helper.TimerSlackNs = 50_000;
        helper.Creds = core.Creds.Clone();
        helper.Creds.CapEffective = 0;
        core.Threads.Add(helper);
        return core;
    }

    private static ThreadCore Thread(uint tid, string comm)
    {
        byte[] xsave = new byte[11008];
        new Random((int)tid).NextBytes(xsave);
        return new ThreadCore
        {
            Tid = tid,
            State = TaskState.Running,
            Comm = comm,
            Regs = new X86Regs
            {
                R15 = 1,
                R14 = 2,
                R13 = 3,
                R12 = 4,
                Rbp = 0x7ffd_0000_1000,
                Rbx = 6,
                R11 = 0x246,
                R10 = 8,
                R9 = 9,
                R8 = 10,
                Rax = unchecked((ulong)-4),
                Rcx = 0x7f12_3456_789a,
                Rdx = 13,
                Rsi = 14,
                Rdi = 15,
                OrigRax = AllOnes,
                Rip = 0x7f12_3456_789a,
                Cs = 0x33,
                Eflags = 0x246,
                Rsp = 0x7ffd_0000_0f00,
                Ss = 0x2b,
                FsBase = 0x7f12_0000_0740,
                GsBase = 0,
                Ds = 0,
                Es = 0,
                Fs = 0,
                Gs = 0,
            },
            Xstate = new XState { Data = ByteString.CopyFrom(xsave), Size = 11008, Features = 0x602e7, XstateBv = 0x7 },
            Blocked = 0,
            Pending = { new PendingSignal { Signo = 28, Siginfo = ByteString.CopyFrom(Enumerable.Repeat((byte)0xA5, 128).ToArray()) } },
            Sigaltstack = new SigAltStack { Sp = 0, Flags = 2, Size = 0 },
            Rseq = new Rseq { Address = 0x7f12_0000_0fe0, Length = 32, Signature = 0x53053053 },
            RobustList = new RobustList { Head = 0x7f12_0000_0a20, Length = 24 },
            ClearTidAddress = 0x7f12_0000_0a10,
        };
    }

    public static Mm Mm() => new()
    {
        Pid = 11826,
        StartCode = 0x55d0_0000_0000,
        EndCode = 0x55d0_0030_0000,
        StartData = 0x55d0_0040_0000,
        EndData = 0x55d0_0041_0000,
        StartBrk = 0x55d0_0100_0000,
        Brk = 0x55d0_0140_0000,
        StartStack = 0x7ffd_0000_2000,
        ArgStart = 0x7ffd_0000_3000,
        ArgEnd = 0x7ffd_0000_3010,
        EnvStart = 0x7ffd_0000_3010,
        EnvEnd = 0x7ffd_0000_3fe0,
        Auxv = { new AuxvEntry { Type = 33, Value = 0x7fff_f7fc_1000 }, new AuxvEntry { Type = 6, Value = 4096 } },
        ExeFile = new FileRef { Path = "/usr/bin/vim.basic", Identity = new FileIdentity { Dev = 0x801, Ino = 1234, Mode = 0x81ed, Size = 3_900_000, MtimeNs = 1_700_000_000_000_000_000, MntId = 0 } },
        Vmas =
        {
            new Vma { Start = 0x55d0_0000_0000, End = 0x55d0_0030_0000, Prot = 5, Flags = 0x02, Pgoff = 0, Kind = VmaKind.FilePrivate, File = new FileRef { Path = "/usr/bin/vim.basic" } },
            new Vma { Start = 0x55d0_0100_0000, End = 0x55d0_0140_0000, Prot = 3, Flags = 0x22, Kind = VmaKind.Heap },
            new Vma { Start = 0x7f00_0000_0000, End = 0x7f00_0005_8000, Prot = 3, Flags = 0x01, Kind = VmaKind.SysvShm, Shmid = 0 },
            new Vma { Start = 0x7f00_0010_0000, End = 0x7f00_0020_0000, Prot = 3, Flags = 0x21, Kind = VmaKind.AnonShared, ShmemId = 98765, Madvise = (1UL << 10) | (1UL << 16) },
            new Vma { Start = 0x7f00_0030_0000, End = 0x7f00_0030_1000, Prot = 3, Flags = 0x01, Kind = VmaKind.Memfd, File = new FileRef { FileId = 7, Deleted = true } },
            new Vma { Start = 0x7f00_0040_0000, End = 0x7f00_0041_0000, Prot = 3, Flags = 0x22, Kind = VmaKind.AnonPrivate, AnonName = "" },
            new Vma { Start = 0x7ffd_0000_0000, End = 0x7ffd_0000_4000, Prot = 3, Flags = 0x122, Kind = VmaKind.Stack },
            new Vma { Start = 0x7fff_f7fb_d000, End = 0x7fff_f7fc_1000, Prot = 1, Flags = 0x02, Kind = VmaKind.Vvar },
            new Vma { Start = 0x7fff_f7fc_1000, End = 0x7fff_f7fc_3000, Prot = 1, Flags = 0x02, Kind = VmaKind.VvarVclock },
            new Vma { Start = 0x7fff_f7fc_3000, End = 0x7fff_f7fc_5000, Prot = 5, Flags = 0x02, Kind = VmaKind.Vdso },
            new Vma { Start = 0xffff_ffff_ff60_0000, End = 0xffff_ffff_ff60_1000, Prot = 4, Flags = 0x02, Kind = VmaKind.Vsyscall },
        },
    };

    public static List<IMessage> Pagemap() =>
    [
        new PagemapEntry { Vaddr = 0x55d0_0100_0000, NrPages = 1024, Content = new ContentRef { PagesOffset = 0 } },
        new PagemapEntry { Vaddr = 0x55d0_0140_0000, NrPages = 16, Content = new ContentRef { ChunkHash = ByteString.CopyFrom(new byte[] { 0xde, 0xad, 0xbe, 0xef, 0, 1, 2, 3 }) }, Lazy = true },
        new PagemapEntry { Vaddr = 0x7f00_0040_0000, NrPages = 4, Zero = true },
        new PagemapEntry { Vaddr = 0x7ffd_0000_3000, NrPages = 1, Content = new ContentRef { InlineData = ByteString.CopyFrom(new byte[4096]) } },
    ];

    public static List<IMessage> Fdinfo() =>
    [
        new FdEntry { Fd = 0, FileId = 1 },
        new FdEntry { Fd = 1, FileId = 1 },
        new FdEntry { Fd = 3, FileId = 2, Cloexec = true },
        new FdEntry { Fd = 251, FileId = 9 },
    ];

    public static List<IMessage> Files() =>
    [
        new FileEntry { Id = 1, Flags = 0x8002, Regular = new RegularFile { Path = "/dev/pts/5", Position = 0 } },
        new FileEntry
        {
            Id = 2, Flags = 0x8000,
            Regular = new RegularFile { Path = "/proc/stat", Position = 3172, Procfs = true },
        },
        new FileEntry
        {
            Id = 3, Flags = 0x8402, Owner = new FileOwner { Pid = 11826, PidType = 1, Signo = 0 },
            Regular = new RegularFile
            {
                Path = "/tmp/.vfileA.txt.swp", Position = 12288, Deleted = true, Volatile = true,
                Identity = new FileIdentity { Dev = 0x2e, Ino = 77, Mode = 0x8180, Size = 12288 },
                Contents = new ContentRef { InlineData = ByteString.CopyFromUtf8("b0VIM 9.0") },
            },
        },
        new FileEntry { Id = 4, Flags = 0x800, Pipe = new PipeEnd { PipeId = 55501 } },
        new FileEntry { Id = 5, Fifo = new FifoEnd { PipeId = 55502, Path = "/tmp/fifo" } },
        new FileEntry
        {
            Id = 6, Flags = 0x802,
            UnixSocket = new UnixSocket
            {
                Inode = 66001, Type = SocketType.Stream, State = UnixSocketState.Listening,
                AbstractName = ByteString.CopyFromUtf8("/tmp/.X11-unix/X5"), Backlog = 128,
                PendingConnections = { 66002 },
                Options = new SocketOptions { SendBuffer = 212_992, ReceiveBuffer = 212_992, PeekOffset = -1, LingerSeconds = 0 },
            },
        },
        new FileEntry
        {
            Id = 7, Flags = 0x2,
            UnixSocket = new UnixSocket
            {
                Inode = 66003, Type = SocketType.Dgram, State = UnixSocketState.Connected, Path = "/run/screen/S-root/11623.inv",
                PeerInode = 66004, Shutdown = 2, ReceiveQueue = { ByteString.CopyFromUtf8("one"), ByteString.Empty, ByteString.CopyFromUtf8("three") },
            },
        },
        new FileEntry { Id = 8, Flags = 0x902, Tty = new TtyFile { Kind = TtyKind.PtyMaster, Index = 3, Path = "/dev/ptmx" } },
        new FileEntry
        {
            Id = 9, Flags = 0x2,
            InetSocket = new InetSocket
            {
                Inode = 77001, Family = AddressFamily.Ipv4, Type = SocketType.Stream, Protocol = 6, State = InetSocketState.Established,
                LocalAddress = ByteString.CopyFrom(127, 0, 0, 1), LocalPort = 5905, RemoteAddress = ByteString.CopyFrom(127, 0, 0, 1), RemotePort = 52906,
                TcpNodelay = true,
                Tcp = new TcpRepairState
                {
                    SendSeq = 0xfffffff0, ReceiveSeq = 12345, SendQueue = new ContentRef { InlineData = ByteString.CopyFromUtf8("RFB") }, SendQueueLength = 3,
                    UnsentLength = 0, ReceiveQueue = new ContentRef { InlineData = ByteString.Empty }, Mss = 65483, SendWscale = 0, ReceiveWscale = 7,
                    Sack = true, Timestamps = true, Timestamp = 99, SndWl1 = 1, SndWnd = 65536, MaxWindow = 65536, RcvWnd = 65536, RcvWup = 12345,
                },
            },
        },
        new FileEntry
        {
            Id = 10,
            Epoll = new EpollFile { Targets = { new EpollTarget { Fd = 9, FileId = 9, Events = 0x80000019, Data = 0x55d0_dead_beef } } },
        },
        new FileEntry { Id = 11, Eventfd = new EventFdFile { Counter = 0, Semaphore = true } },
        new FileEntry { Id = 12, Signalfd = new SignalFdFile { Sigmask = (1UL << 16) | (1UL << 1) } },
        new FileEntry { Id = 13, Timerfd = new TimerFdFile { ClockId = 1, Ticks = 2, Value = new TimerValue { IntervalNs = 1_000_000, ValueNs = 500 } } },
        new FileEntry
        {
            Id = 14,
            Inotify = new InotifyFile { Watches = { new InotifyWatch { Wd = 1, Mask = 0x100, Target = new FileRef { Path = "/etc", Identity = new FileIdentity { Dev = 1, Ino = 2 } } } } },
        },
        new FileEntry { Id = 15, Memfd = new MemfdFile { Name = "wayland-shm", Inode = 88001, Size = 4096, Seals = 0, Contents = new ContentRef { PagesOffset = 8192 } } },
        // A description of a kind this version cannot name: no oneof member set.
        new FileEntry { Id = 16 },
    ];

    public static List<IMessage> PipeData() =>
    [
        new PipeData { PipeId = 55501, PipeSize = 65536, Length = 5, Data = new ContentRef { InlineData = ByteString.CopyFromUtf8("\u0001\u0002xyz") } },
    ];

    public static List<IMessage> TtyInfo() =>
    [
        new TtyInfo
        {
            Kind = TtyKind.PtySlave, Index = 3, PacketMode = true, Sid = 11625, ForegroundPgrp = 11625,
            Termios = new Termios { Iflag = 0x500, Oflag = 5, Cflag = 0xbf, Lflag = 0x8a3b, Line = 0, Cc = ByteString.CopyFrom(new byte[19]), Ispeed = 38400, Ospeed = 38400 },
            Winsize = new Winsize { Rows = 24, Cols = 80 },
            QueuedInput = ByteString.CopyFromUtf8("ls -l\r"),
            QueuedOutput = ByteString.CopyFrom(Enumerable.Repeat((byte)'x', 4095).ToArray()),
        },
        new TtyInfo { Kind = TtyKind.PtySlave, Index = 4, Locked = false, Sid = 0 },
    ];

    public static SysvShm SysvShm() => new()
    {
        Id = 11,
        Key = 0,
        Mode = 384 /* 0600 */,
        Uid = 0,
        Gid = 0,
        Cuid = 0,
        Cgid = 0,
        Size = 360_000,
        Removed = true,
        CreatorPid = 13783,
        LastPid = 13779,
        Contents = new ContentRef { ChunkHash = ByteString.CopyFrom(new byte[32]) },
    };
}
