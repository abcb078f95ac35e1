using System.Buffers.Binary;
using SessionKeeper.Engine.Dump;
using SessionKeeper.Images;
using SessionKeeper.Images.V1;
using SessionKeeper.Native;

namespace SessionKeeper.Engine.Tests.Dump;

[TestFixture]
[NonParallelizable]
public sealed partial class DumperTests
{
    private string _imageDir = null!;

    [SetUp]
    public void SetUp() => _imageDir = Path.Combine(Path.GetTempPath(), $"keeper-dump-{Guid.NewGuid():N}");

    [TearDown]
    public void TearDown()
    {
        if (Directory.Exists(_imageDir))
        {
            Directory.Delete(_imageDir, recursive: true);
        }
    }

    private DumpResult DumpLogged(int pid, DumpMode mode = DumpMode.LeaveRunning)
    {
        var options = new DumpOptions { Mode = mode, Progress = line => TestContext.Out.WriteLine(line) };
        DumpResult result = Dumper.Dump(pid, _imageDir, options);
        TestContext.Out.WriteLine(
            $"freeze {result.FreezeDuration.TotalMilliseconds:F2} ms, total {result.TotalDuration.TotalMilliseconds:F2} ms, {result.PagesSaved} pages");
        return result;
    }

    private T ReadOne<T>(string name)
        where T : Google.Protobuf.IMessage<T>, new()
    {
        List<T> messages = ImageReader.ReadFile<T>(Path.Combine(_imageDir, name));
        Assert.That(messages, Has.Count.EqualTo(1), name);
        return messages[0];
    }

    private static bool Executable(Mm mm, ulong address)
        => mm.Vmas.Any(v => v.Start <= address && address < v.End && (v.Prot & 4) != 0);

    [Test]
    public void Dump_Sleep_WritesPlausibleImagesAndLeavesItRunning()
    {
        using DumpTarget sleeper = DumpTarget.Start("sleep", "sleep 1000");
        DumpResult result = DumpLogged(sleeper.Pid);

        Assert.That(result.Pids, Is.EqualTo(new[] { sleeper.Pid }));
        PstreeEntry entry = ReadOne<PstreeEntry>("pstree.img");
        Assert.That(entry.Pid, Is.EqualTo((uint)sleeper.Pid));
        Assert.That(entry.Threads, Is.EqualTo(new[] { (uint)sleeper.Pid }));
        Assert.That(entry.State, Is.EqualTo(ProcessState.Alive));

        Core core = ReadOne<Core>($"core-{sleeper.Pid}.img");
        Mm mm = ReadOne<Mm>($"mm-{sleeper.Pid}.img");
        ThreadCore thread = core.Threads.Single();
        Assert.Multiple(() =>
        {
            Assert.That(Executable(mm, thread.Regs.Rip), Is.True, $"rip 0x{thread.Regs.Rip:x} lies in an executable mapping");
            Assert.That(thread.Regs.OrigRax, Is.EqualTo(ulong.MaxValue), "orig_rax saved as -1");
            // sleep is in clock_nanosleep: ERESTART_RESTARTBLOCK becomes EINTR in the saved copy.
            Assert.That((long)thread.Regs.Rax, Is.EqualTo(-(long)Errno.EINTR).Or.GreaterThanOrEqualTo(0));
            Assert.That(thread.Regs.FsBase, Is.Not.Zero, "glibc's thread pointer");
            Assert.That(thread.Xstate.Size, Is.GreaterThanOrEqualTo(576u), "legacy area + XSAVE header at least");
            Assert.That(thread.Xstate.Data.Length, Is.EqualTo((int)thread.Xstate.Size));
            Assert.That(thread.Rseq, Is.Not.Null, "glibc registers rseq");
            Assert.That(thread.RobustList, Is.Not.Null, "glibc registers a robust list");
            Assert.That(thread.ClearTidAddress, Is.Not.Zero, "glibc sets a clear-tid address");
            Assert.That(core.Exe, Does.EndWith("sleep"));
            Assert.That(core.Rlimits, Has.Count.EqualTo(16));
            Assert.That(core.Creds.Uid, Is.EqualTo(0u));
            Assert.That(mm.Vmas.Any(v => v.Kind == VmaKind.Stack), Is.True);
            Assert.That(mm.Vmas.Any(v => v.Kind == VmaKind.Vdso), Is.True);
            Assert.That(mm.Auxv, Is.Not.Empty);
            Assert.That(mm.ExeFile.Identity?.Ino, Is.EqualTo(Inode(mm.ExeFile.Path)));
            Assert.That(mm.Brk, Is.GreaterThanOrEqualTo(mm.StartBrk));
        });

        List<FdEntry> fds = ImageReader.ReadFile<FdEntry>(Path.Combine(_imageDir, $"fdinfo-{sleeper.Pid}.img"));
        List<FileEntry> files = ImageReader.ReadFile<FileEntry>(Path.Combine(_imageDir, "files.img"));
        Assert.That(fds.Select(f => f.Fd), Is.EqualTo(new uint[] { 0, 1, 2 }));
        Assert.That(files, Has.Count.EqualTo(2), "/dev/null opened twice by the shell: once for reading, once for 1 and 2 (shared)");
        Assert.That(fds[1].FileId, Is.EqualTo(fds[2].FileId), "2>&1 shares one open file description");

        Inventory inventory = ReadOne<Inventory>("inventory.img");
        Assert.Multiple(() =>
        {
            Assert.That(inventory.RootPid, Is.EqualTo((uint)sleeper.Pid));
            Assert.That(inventory.KernelRelease, Is.EqualTo(File.ReadAllText("/proc/sys/kernel/osrelease").Trim()));
            Assert.That(inventory.Cpu.XsaveSize, Is.EqualTo(thread.Xstate.Size));
            Assert.That(inventory.Files.Select(f => f.Name), Is.SupersetOf(new[] { "pstree.img", $"core-{sleeper.Pid}.img", $"pages-{sleeper.Pid}.img", "files.img" }));
            Assert.That(inventory.TreeLeftRunning, Is.True);
            Assert.That(inventory.FreezeDurationNs, Is.Not.Zero);
        });

        Assert.That(DumpTarget.TracerPid(sleeper.Pid), Is.Zero, "detached");
        Assert.That(() => DumpTarget.State(sleeper.Pid), Is.EqualTo('S').After(2000, 10), "still sleeping");
        Assume.That(OperatingSystem.IsLinux());
        Assert.That(OperatingSystem.IsLinux() ? File.GetUnixFileMode(_imageDir) : 0, Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute));
    }

    [Test]
    public void Dump_PatternProgram_SavesMemorySignalsAndFilePosition()
    {
        using DumpTarget target = DumpTarget.StartPattern();
        int pid = target.Pid;
        ulong area = target.ULongValue("area");
        DumpResult result = DumpLogged(pid);

        Core core = ReadOne<Core>($"core-{pid}.img");
        Mm mm = ReadOne<Mm>($"mm-{pid}.img");
        List<PagemapEntry> pagemap = ImageReader.ReadFile<PagemapEntry>(Path.Combine(_imageDir, $"pagemap-{pid}.img"));
        byte[] pages = File.ReadAllBytes(Path.Combine(_imageDir, $"pages-{pid}.img"));
        ThreadCore thread = core.Threads.Single();

        Assert.Multiple(() =>
        {
            Assert.That(Executable(mm, thread.Regs.Rip), Is.True, $"rip 0x{thread.Regs.Rip:x} lies in an executable mapping");
            Assert.That(thread.Blocked & (1UL << (Signals.SIGUSR2 - 1)), Is.Not.Zero, "SIGUSR2 blocked");
            SigAction? usr1 = core.Sigactions.SingleOrDefault(s => s.Signo == Signals.SIGUSR1);
            SigAction? pipe = core.Sigactions.SingleOrDefault(s => s.Signo == Signals.SIGPIPE);
            Assert.That(usr1?.Handler, Is.GreaterThan(1UL), "SIGUSR1 has a handler");
            Assert.That(Executable(mm, usr1?.Handler ?? 0), Is.True, "the handler is code");
            Assert.That(pipe?.Handler, Is.EqualTo(1UL), "SIGPIPE is SIG_IGN");
            Assert.That(core.Sigactions.Any(s => s.Signo == Signals.SIGKILL || s.Signo == Signals.SIGSTOP), Is.False);
        });

        // Every page of the 16 MiB area is saved, and holds its index at the right address.
        const int pageSize = 4096;
        int checkedPages = 0;
        for (ulong page = 0; page < 4096; page += 97)
        {
            ulong address = area + (page * pageSize) + 8;
            PagemapEntry run = pagemap.Single(e => e.Vaddr <= address && address < e.Vaddr + ((ulong)e.NrPages * pageSize));
            long offset = (long)(run.Content.PagesOffset + (address - run.Vaddr));
            ulong word = BinaryPrimitives.ReadUInt64LittleEndian(pages.AsSpan((int)offset));
            Assert.That(word, Is.EqualTo(0x4b45455000000000UL | page), $"word at 0x{address:x}");
            checkedPages++;
        }
        Assert.That(checkedPages, Is.GreaterThan(40));
        Assert.That(result.PagesSaved, Is.GreaterThanOrEqualTo(4096));
        Assert.That(pages.Length % pageSize, Is.Zero);

        int fd = target.IntValue("fd");
        FdEntry fdEntry = ImageReader.ReadFile<FdEntry>(Path.Combine(_imageDir, $"fdinfo-{pid}.img")).Single(f => f.Fd == fd);
        FileEntry file = ImageReader.ReadFile<FileEntry>(Path.Combine(_imageDir, "files.img")).Single(f => f.Id == fdEntry.FileId);
        Assert.Multiple(() =>
        {
            Assert.That(file.Regular.Path, Is.EqualTo(Path.Combine(target.Directory, "data")));
            Assert.That(file.Regular.Position, Is.EqualTo(123UL));
            Assert.That(file.Flags & 3, Is.EqualTo(2u), "O_RDWR");
            Assert.That(file.Regular.Identity.Size, Is.EqualTo(200UL));
            Assert.That(file.Regular.Identity.Ino, Is.EqualTo(Inode(file.Regular.Path)));
        });

        Assert.That(DumpTarget.TracerPid(pid), Is.Zero);
        Assert.That(() => DumpTarget.State(pid), Is.EqualTo('S').After(2000, 10), "pause() goes on");
    }

    [Test]
    public void Dump_TwoThreads_SavesPerThreadStateThroughEachThread()
    {
        using DumpTarget target = DumpTarget.StartPattern("thread");
        int pid = target.Pid;
        DumpLogged(pid);

        PstreeEntry entry = ReadOne<PstreeEntry>("pstree.img");
        Core core = ReadOne<Core>($"core-{pid}.img");
        Mm mm = ReadOne<Mm>($"mm-{pid}.img");
        Assert.That(entry.Threads, Has.Count.EqualTo(2));
        Assert.That(entry.Threads[0], Is.EqualTo((uint)pid), "main thread first");
        Assert.That(core.Threads.Select(t => t.Tid), Is.EqualTo(entry.Threads));
        ThreadCore main = core.Threads[0];
        ThreadCore second = core.Threads[1];
        Assert.Multiple(() =>
        {
            Assert.That(main.Sigaltstack, Is.Null, "the main thread has no alternate stack");
            Assert.That(second.Sigaltstack?.Sp, Is.EqualTo(target.ULongValue("altstack")));
            Assert.That(second.Sigaltstack?.Size, Is.EqualTo(65536UL));
            Assert.That(second.ClearTidAddress, Is.Not.Zero.And.Not.EqualTo(main.ClearTidAddress), "pthread's own clear-tid futex");
            Assert.That(second.RobustList?.Head, Is.Not.Zero.And.Not.EqualTo(main.RobustList?.Head));
            Assert.That(second.Regs.FsBase, Is.Not.EqualTo(main.Regs.FsBase), "each thread its own TLS");
            Assert.That(Executable(mm, second.Regs.Rip), Is.True);
        });
        Assert.That(DumpTarget.TracerPid(pid), Is.Zero);
        Assert.That(() => DumpTarget.State(pid), Is.EqualTo('S').After(2000, 10));
    }

    [Test]
    public void Dump_BashWithTwoChildren_SavesTheTreeParentsFirst()
    {
        using DumpTarget bash = DumpTarget.Start("bash", "bash -c 'sleep 1001 & sleep 1002 & wait'");
        int[] children = DumpTarget.WaitForChildren(bash.Pid, 2);
        DumpResult result = DumpLogged(bash.Pid);

        List<PstreeEntry> tree = ImageReader.ReadFile<PstreeEntry>(Path.Combine(_imageDir, "pstree.img"));
        Assert.That(tree.Select(e => (int)e.Pid), Is.EqualTo(new[] { bash.Pid }.Concat(children.Order())));
        Assert.That(tree.Skip(1).Select(e => e.Ppid), Is.All.EqualTo((uint)bash.Pid));
        Assert.That(tree.Select(e => e.Sid).Distinct().Count(), Is.EqualTo(1), "one session");
        foreach (PstreeEntry entry in tree)
        {
            Assert.That(File.Exists(Path.Combine(_imageDir, $"core-{entry.Pid}.img")), Is.True);
            Assert.That(File.Exists(Path.Combine(_imageDir, $"mm-{entry.Pid}.img")), Is.True);
            Assert.That(() => DumpTarget.State((int)entry.Pid), Is.EqualTo('S').After(2000, 10), $"pid {entry.Pid} runs on");
            Assert.That(DumpTarget.TracerPid((int)entry.Pid), Is.Zero);
        }
        Core bashCore = ReadOne<Core>($"core-{bash.Pid}.img");
        Assert.That(bashCore.Sigactions.Any(s => s.Signo == Signals.SIGCHLD && s.Handler > 1), Is.True, "bash catches SIGCHLD");
        // fds 1 and 2 of all three processes come from one `>/dev/null 2>&1`: one description.
        List<FileEntry> files = ImageReader.ReadFile<FileEntry>(Path.Combine(_imageDir, "files.img"));
        uint stdoutId = ImageReader.ReadFile<FdEntry>(Path.Combine(_imageDir, $"fdinfo-{bash.Pid}.img")).Single(f => f.Fd == 1).FileId;
        foreach (int child in children)
        {
            Assert.That(ImageReader.ReadFile<FdEntry>(Path.Combine(_imageDir, $"fdinfo-{child}.img")).Single(f => f.Fd == 1).FileId, Is.EqualTo(stdoutId));
        }
        Assert.That(files.Select(f => f.Id), Is.Unique);
        Assert.That(result.Files, Does.Contain("inventory.img"));
    }

    [Test]
    public void Dump_SocketConnectedOutsideTheTree_FailsUpFrontWritesNothingAndReleasesTheTree()
    {
        using DumpTarget target = DumpTarget.StartPattern("outsidepeer");
        int socketFd = target.IntValue("socket");
        int outside = target.IntValue("outside");
        try
        {
            var error = Assert.Throws<UnsupportedObjectException>(() => Dumper.Dump(target.Pid, _imageDir, new DumpOptions()));
            TestContext.Out.WriteLine(error!.Message);
            Assert.Multiple(() =>
            {
                Assert.That(error.Pid, Is.EqualTo(target.Pid));
                Assert.That(error.Fd, Is.EqualTo(socketFd));
                Assert.That(error.Kind, Is.EqualTo("unix socket"));
                Assert.That(error.Message, Does.Contain("outside the tree").And.Contain($"pid {outside}"), "names the peer's holder");
                Assert.That(Directory.Exists(_imageDir) && Directory.EnumerateFileSystemEntries(_imageDir).Any(), Is.False, "nothing written");
                Assert.That(DumpTarget.TracerPid(target.Pid), Is.Zero, "not traced any more");
                Assert.That(() => DumpTarget.State(target.Pid), Is.EqualTo('S').After(2000, 10));
            });
            // Still answers: the SIGUSR1 handler runs and pause() returns into the loop.
            Interop.Kill(target.Pid, Signals.SIGUSR1);
            Thread.Sleep(50);
            Assert.That(() => DumpTarget.State(target.Pid), Is.EqualTo('S').After(2000, 10));
        }
        finally
        {
            Interop.TryKill(outside, Signals.SIGKILL);
        }
    }

    [Test]
    public void Dump_Socketpair_SavesBothEndsAsPeersWithTheQueuedData()
    {
        using DumpTarget target = DumpTarget.StartPattern("socketpair");
        DumpLogged(target.Pid, DumpMode.LeaveRunning);

        List<FileEntry> files = ImageReader.ReadFile<FileEntry>(Path.Combine(_imageDir, "files.img"));
        List<FdEntry> fds = ImageReader.ReadFile<FdEntry>(Path.Combine(_imageDir, $"fdinfo-{target.Pid}.img"));
        UnixSocket Socket(string key) => files.Single(f => f.Id == fds.Single(d => d.Fd == (uint)target.IntValue(key)).FileId).UnixSocket;
        UnixSocket first = Socket("socket");
        UnixSocket second = Socket("peersocket");
        Assert.Multiple(() =>
        {
            Assert.That(first.State, Is.EqualTo(UnixSocketState.Connected));
            Assert.That(first.Type, Is.EqualTo(SocketType.Stream));
            Assert.That(first.PeerInode, Is.EqualTo(second.Inode));
            Assert.That(second.PeerInode, Is.EqualTo(first.Inode));
            Assert.That(first.ReceiveQueue.Select(q => q.ToStringUtf8()), Is.EqualTo(new[] { "hello" }));
            Assert.That(second.ReceiveQueue, Is.Empty);
            Assert.That(first.Options.PeekOffset, Is.EqualTo(-1), "SO_PEEK_OFF put back");
        });
        // The queue was only peeked at: the data is still there for the process.
        using SafeFd pidfd = Interop.PidfdOpen(target.Pid);
        using SafeFd copy = Interop.PidfdGetfd(pidfd, target.IntValue("socket"));
        byte[] buffer = new byte[16];
        Assert.That(Interop.Receive(copy, buffer, MsgFlags.MSG_DONTWAIT), Is.EqualTo(5));
        Assert.That(Interop.GetSockOpt(copy, SocketOption.SO_PEEK_OFF), Is.EqualTo(-1));
    }

    [Test]
    public void Dump_KillMode_EndsTheTreeAfterTheImagesAreComplete()
    {
        using DumpTarget sleeper = DumpTarget.Start("sleep", "sleep 1003");
        DumpResult result = DumpLogged(sleeper.Pid, DumpMode.Kill);
        Assert.That(DumpTarget.WaitGone(sleeper.Pid, 5000), Is.True, "killed");
        Inventory inventory = ReadOne<Inventory>("inventory.img");
        Assert.That(inventory.TreeLeftRunning, Is.False);
        Assert.That(result.Files, Does.Contain($"core-{sleeper.Pid}.img"));
    }

    private static ulong Inode(string path)
    {
        using SafeFd fd = Interop.Open(path, OpenFlags.O_RDONLY);
        return Interop.Fstat(fd).Ino;
    }
}
