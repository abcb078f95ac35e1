using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using MapEntry = SessionKeeper.Engine.ProcFs.MapEntry;
using MapPathKind = SessionKeeper.Engine.ProcFs.MapPathKind;
using ProcFsReader = SessionKeeper.Engine.ProcFs.ProcFsReader;
using SessionKeeper.Engine.Kinds.EventFiles;
using SessionKeeper.Engine.Kinds.Namespaces;
using SessionKeeper.Engine.Kinds.Tcp;
using SessionKeeper.Engine.Kinds.UnixSockets;
using SessionKeeper.Engine.Kinds.Pipes;
using SessionKeeper.Images.V1;
using SessionKeeper.Native;
using SessionKeeper.ProcessControl;

namespace SessionKeeper.Engine.Restore;

/// <summary>
/// Restores a process tree from a raw image directory with remote system calls only
/// (DESIGN.md §5): a traced host; every process cloned with its PID from its parent (the root
/// with CLONE_PARENT from the host); then each process is emptied and rebuilt — rseq
/// unregistered, fds closed, mappings replaced, vDSO moved, PR_SET_MM_MAP, memory, signal
/// handlers, fds, session — and finally given its registers. All tasks are detached together
/// only when every step succeeded; on failure everything created is killed and reaped.
/// </summary>
public sealed partial class Restorer
{
    private const int PageSize = 4096;
    private const int ScratchPages = 16;
    private const nuint CopyBufferLength = 1 << 20;
    private const ulong RseqFlagUnregister = 1;
    private const ulong AtFdCwd = unchecked((ulong)-100);

    private readonly RestoreImages _images;
    private readonly RestoreOptions _options;
    private readonly Action<string>? _progress;
    private readonly Dictionary<int, Injector> _tasks = [];
    private Injector? _host;
    private nint _copyBuffer;
    private FdDelivery? _delivery;
    private UnixSocketRestore? _unixSockets;
    private InetSocketRestore? _inetSockets;
    private PipeRestore? _pipes;

    // Open file description id → the (image pid, fd) that opened it first.
    private readonly Dictionary<uint, (int Pid, int Fd)> _fileOwners = [];

    // Masters of re-bound terminals, taken before keeper's ends of the pairs are closed.
    private List<SafeFd> _reboundTerminals = [];

    private Restorer(RestoreImages images, RestoreOptions options)
    {
        _images = images;
        _options = options;
        _progress = options.Progress;
    }

    /// <summary>
    /// Restores the tree in <paramref name="imageDir"/> and returns its root's pid (as keeper
    /// sees it: for a tree with a pid namespace of its own, not the 1 it has inside) once every
    /// task runs on its own. Any failure kills and reaps what was created and names the task
    /// and step; the images are never modified.
    /// </summary>
    public static int Restore(string imageDir, Action<string>? progress = null)
        => Restore(imageDir, new RestoreOptions { Progress = progress });

    /// <inheritdoc cref="Restore(string, Action{string})"/>
    /// <remarks>
    /// The network lock a dump left for the tree's TCP connections is removed at the end, when
    /// the restore succeeded and when it failed alike. Terminals re-bound in place of outside
    /// ones are closed here (they hang up): only a caller that serves them takes them, through
    /// the overload with <c>reboundTerminals</c>.
    /// </remarks>
    public static int Restore(string imageDir, RestoreOptions options)
    {
        int root = Restore(imageDir, options, out IReadOnlyList<SafeFd> terminals);
        foreach (SafeFd terminal in terminals)
        {
            terminal.Dispose();
        }
        return root;
    }

    /// <summary>
    /// <see cref="Restore(string, RestoreOptions)"/>, also returning the masters of the new
    /// terminals that replace terminals whose other end was outside the tree (saved with
    /// <see cref="Dump.DumpOptions.RebindOutsideTerminals"/>): the tasks sit on their slaves, and
    /// the caller owns and serves the masters (a terminal closed by everyone hangs up).
    /// </summary>
    public static int Restore(string imageDir, RestoreOptions options, out IReadOnlyList<SafeFd> reboundTerminals)
    {
        ArgumentNullException.ThrowIfNull(options);
        foreach (string line in NetworkLock.RemoveStale())
        {
            options.Progress?.Invoke(line);
        }
        try
        {
            RestoreImages images = RestoreImages.Load(imageDir, options.Pages);
            using var tracer = new TracerThread("keeper-restore");
            var restorer = new Restorer(images, options);
            int root = tracer.Invoke(() => restorer.Run(tracer));
            reboundTerminals = restorer._reboundTerminals;
            return root;
        }
        finally
        {
            if (NetworkLock.ReleaseHeld(options.LockDirectory ?? imageDir))
            {
                options.Progress?.Invoke("removed the network lock of the saved TCP connections");
            }
        }
    }

    private int Run(TracerThread tracer)
    {
        var clock = Stopwatch.StartNew();
        // The pids of a tree with a pid namespace of its own are taken only inside the new one.
        if (_images.Namespaces is not { Pid: true })
        {
            WaitForFreePids();
        }
        try
        {
            _host = RestoreTasks.StartHost(tracer, ChooseStubAddress(), ScratchPages, _options.Host);
            ulong[]? ownAffinity = ShareOneCpu(_host.Thread.Pid);
            _progress?.Invoke($"started the process the tree is cloned from (pid {_host.Thread.Pid}) at {clock.Elapsed.TotalMilliseconds:F1} ms");
            foreach (PstreeEntry entry in _images.Tree)
            {
                int pid = (int)entry.Pid;
                bool parentInTree = _tasks.ContainsKey((int)entry.Ppid);
                Injector parent = parentInTree ? _tasks[(int)entry.Ppid] : _host;
                CloneFlags namespaces = parentInTree ? CloneFlags.None : NamespaceRestore.CloneFlags(_images.Namespaces);
                _tasks[pid] = RestoreTasks.CloneProcess(tracer, parent, pid, parentOutsideTree: !parentInTree, namespaces);
                if (namespaces != CloneFlags.None)
                {
                    NamespaceRestore.SetUp(_tasks[pid], _images.Namespaces!);
                }
                // Sessions and groups right away, before the children are cloned: a child
                // inherits its parent's session and cannot join another one later.
                RestoreSession(entry);
                AcquireControllingTerminal(pid);
            }
            _progress?.Invoke($"created {_tasks.Count} processes in {clock.Elapsed.TotalMilliseconds:F1} ms; the root is pid {_tasks[(int)_images.Tree[0].Pid].Thread.Pid} for keeper");
            List<PstreeEntry> alive = _images.Tree.Where(e => _images.Cores.ContainsKey((int)e.Pid)).ToList();
            // Zombies first: the SIGCHLD each sends its parent is taken back before the parent's
            // own saved signals are queued.
            foreach (PstreeEntry entry in _images.Tree.Where(e => !_images.Cores.ContainsKey((int)e.Pid)))
            {
                RestoreZombie(entry);
            }
            foreach (PstreeEntry entry in alive)
            {
                RestoreProcess((int)entry.Pid);
            }
            foreach (PstreeEntry entry in alive)
            {
                RestoreThreads(tracer, (int)entry.Pid);
            }
            foreach (PstreeEntry entry in alive)
            {
                RestoreTimersAndSignals((int)entry.Pid);
            }
            foreach (PstreeEntry entry in alive)
            {
                Finish((int)entry.Pid);
            }
            _reboundTerminals = _ttys?.TakeReboundMasters() ?? [];
            if (ownAffinity is not null)
            {
                // The tree gets the CPUs it would have had without the pinning: keeper's.
                foreach (Injector task in _threads.Values)
                {
                    Interop.TrySetAffinity(task.Thread.Tid, ownAffinity);
                }
                Interop.TrySetAffinity(0, ownAffinity);
            }
            KillHost();
            // Processes that were in a job-control stop go first, and stop again before anything
            // else of the tree runs; only then do they get their queued signals.
            var stoppedHostPids = new HashSet<int>();
            foreach (PstreeEntry entry in alive.Where(e => IsStopped((int)e.Pid)))
            {
                StopAgain(tracer, (int)entry.Pid);
                stoppedHostPids.Add(_tasks[(int)entry.Pid].Thread.Pid);
            }
            foreach (Injector task in _threads.Values.Where(t => !stoppedHostPids.Contains(t.Thread.Pid)))
            {
                Interop.PtraceDetach(task.Thread.Tid);
            }
            _progress?.Invoke($"restored {_tasks.Count} processes in {clock.Elapsed.TotalMilliseconds:F1} ms");
            return _tasks[(int)_images.Tree[0].Pid].Thread.Pid;
        }
        catch
        {
            _reboundTerminals.ForEach(terminal => terminal.Dispose());
            KillEverything();
            throw;
        }
        finally
        {
            if (_copyBuffer != 0)
            {
                Interop.Unmap(_copyBuffer, CopyBufferLength);
                _copyBuffer = 0;
            }
        }
    }

    /// <summary>
    /// Checks every PID of the tree before anything is created. A PID held by a zombie is
    /// waited for: after a save that ended the tree, init reaps late (1–2 s here) and the
    /// zombie's PID makes clone3 fail with EEXIST. A live owner fails the restore at once.
    /// </summary>
    private void WaitForFreePids()
    {
        var clock = Stopwatch.StartNew();
        foreach (int pid in _images.Tree.SelectMany(e => e.Threads.Append(e.Pid)).Distinct().Select(id => (int)id))
        {
            while (ProcTasks.State(pid) is char state)
            {
                // Z waits for its parent; X is being reaped this very moment.
                if (state is not ('Z' or 'X'))
                {
                    // Read again after a moment: a process being reaped can be caught mid-way.
                    Thread.Sleep(20);
                    if (ProcTasks.State(pid) is char again && again is not ('Z' or 'X'))
                    {
                        throw PidTaken(pid, "a running process");
                    }
                    continue;
                }
                if (clock.ElapsedMilliseconds > 10_000)
                {
                    throw PidTaken(pid, "a zombie");
                }
                Thread.Sleep(5);
            }
        }
    }

    private static RestoreException PidTaken(int pid, string what) =>
        new(pid, "pid check", $"PID {pid} is taken by {what}, {ProcTasks.Comm(pid)}; end it first (or restore after it exits)");

    /// <summary>
    /// An address for the stub and scratch pages that no saved mapping uses: the stub is
    /// inherited by every clone and must survive until each process is rebuilt.
    /// </summary>
    private ulong ChooseStubAddress()
    {
        var used = _images.Mms.Values.SelectMany(m => m.Vmas).Select(v => (v.Start, v.End)).OrderBy(r => r.Start).ToList();
        ulong size = (ulong)(PageSize * (1 + ScratchPages));
        // Below the usual mmap base region and above typical executables; move down on collision.
        for (ulong candidate = 0x6f0000000000; candidate > 0x100000000; candidate -= 0x10000000)
        {
            if (!used.Any(r => r.Start < candidate + size && candidate < r.End))
            {
                return candidate;
            }
        }
        throw new InvalidOperationException("no free address for the restore stub in the saved layouts");
    }

    private void RestoreSession(PstreeEntry entry)
    {
        Injector task = _tasks[(int)entry.Pid];
        if (entry.Sid == entry.Pid)
        {
            Step(task, "setsid", () => task.CallChecked(SyscallNumber.Setsid));
        }
        else if (entry.Pgid == entry.Pid)
        {
            Step(task, "setpgid", () => task.CallChecked(SyscallNumber.Setpgid, 0, 0));
        }
        else if (_tasks.ContainsKey((int)entry.Pgid) && entry.Pgid != _images.Tree.First(e => e.Pid == entry.Ppid).Pgid)
        {
            Step(task, "setpgid", () => task.CallChecked(SyscallNumber.Setpgid, 0, entry.Pgid));
        }
    }

    private void RestoreProcess(int pid)
    {
        Injector task = _tasks[pid];
        Core core = _images.Cores[pid];
        Mm mm = _images.Mms[pid];

        PtraceRseqConfiguration rseq = Interop.PtraceGetRseqConfiguration(task.Thread.Tid);
        if (rseq.RseqAbiPointer != 0)
        {
            // A registered rseq area in memory about to be unmapped gets the task SIGSEGV on return to user space.
            Step(task, "rseq unregister", () => task.CallChecked(SyscallNumber.Rseq, rseq.RseqAbiPointer, rseq.RseqAbiSize, RseqFlagUnregister, rseq.Signature));
        }
        Step(task, "close_range", () => task.CallChecked(SyscallNumber.CloseRange, 0, uint.MaxValue, 0));
        List<MapEntry> hostLayout = ReadMaps(task.Thread.Pid);
        UnmapHostLayout(task, hostLayout);
        MoveVdso(task, mm, hostLayout);
        SetMmMap(task, mm, core);
        MapVmas(task, mm);
        WritePages(task, pid);
        RestoreSignalHandlers(task, core);
        RestoreFds(task, pid);
        RestoreControllingTerminal(task, pid);
        if (!string.IsNullOrEmpty(core.Cwd))
        {
            Step(task, $"chdir({core.Cwd})", () => task.CallChecked(SyscallNumber.Chdir, WriteString(task, core.Cwd)));
        }
        Step(task, "umask", () => task.Call(SyscallNumber.Umask, core.Umask));
        RestoreLimits(task, core);
        string comm = core.Threads.Count > 0 ? core.Threads[0].Comm : "";
        if (comm.Length > 0)
        {
            Step(task, "prctl(PR_SET_NAME)", () => task.CallChecked(SyscallNumber.Prctl, (ulong)PrctlOption.PR_SET_NAME, WriteString(task, comm)));
        }
    }

    /// <summary>
    /// Pins the tracer thread (the caller) and the host, whose clones inherit it, to the CPU the
    /// tracer runs on, and returns the tracer's affinity from before (null when none was changed).
    /// Every injected call is a round trip between tracer and task; on one CPU each hand-over is
    /// a plain switch, where across two it is a cross-CPU wake-up, which virtual machines make
    /// dear. The tasks get the old affinity back before they are let go.
    /// </summary>
    private static ulong[]? ShareOneCpu(int hostPid)
    {
        int cpu = Interop.CurrentCpu();
        ulong[]? own = Interop.TryGetAffinity(0);
        if (cpu < 0 || own is null)
        {
            return null;
        }
        ulong[] one = Interop.SingleCpuMask(cpu);
        if (!Interop.TrySetAffinity(0, one))
        {
            return null;
        }
        if (!Interop.TrySetAffinity(hostPid, one))
        {
            Interop.TrySetAffinity(0, own);
            return null;
        }
        return own;
    }

    private static bool IsVdsoBlock(MapEntry map) => map.Kind is MapPathKind.Vdso or MapPathKind.Vvar or MapPathKind.VvarVclock;

    private void UnmapHostLayout(Injector task, List<MapEntry> hostLayout)
    {
        (ulong stub, int stubLength) = task.StubMapping;
        var calls = new List<SyscallRequest>();
        var steps = new List<string>();
        foreach (MapEntry map in hostLayout)
        {
            if (IsVdsoBlock(map) || map.Kind == MapPathKind.Vsyscall || (map.Start >= stub && map.End <= stub + (ulong)stubLength))
            {
                continue;
            }
            calls.Add(new SyscallRequest(SyscallNumber.Munmap, map.Start, map.Size));
            steps.Add($"munmap 0x{map.Start:x}");
        }
        // One stop for all of them: the loop runs in the stub page, which stays.
        RunBatch(task, calls, steps);
    }

    private void MoveVdso(Injector task, Mm mm, List<MapEntry> hostLayout)
    {
        Vma? savedVvar = mm.Vmas.FirstOrDefault(v => v.Kind == VmaKind.Vvar);
        Vma? savedVdso = mm.Vmas.FirstOrDefault(v => v.Kind == VmaKind.Vdso);
        if (savedVdso is null)
        {
            return;
        }
        List<MapEntry> current = hostLayout.Where(IsVdsoBlock).ToList();
        if (current.Single(m => m.Kind == MapPathKind.Vdso).Start == savedVdso.Start)
        {
            return;
        }
        foreach (MapEntry map in current)
        {
            Step(task, "munmap vdso", () => task.CallChecked(SyscallNumber.Munmap, map.Start, map.Size));
        }
        ulong target = savedVvar?.Start ?? savedVdso.Start;
        Step(task, "arch_prctl(ARCH_MAP_VDSO_64)", () => task.CallChecked(SyscallNumber.ArchPrctl, (ulong)ArchPrctlCode.ARCH_MAP_VDSO_64, target));
        // The kernel silently picks another address when the range is busy: check where it went.
        ulong moved = ReadMaps(task.Thread.Pid).Single(m => m.Kind == MapPathKind.Vdso).Start;
        if (moved != savedVdso.Start)
        {
            throw new RestoreException(task.Thread.Pid, "vdso", $"the vDSO landed at 0x{moved:x} instead of 0x{savedVdso.Start:x} (the range is busy, or the saved vDSO came from another kernel)");
        }
        task.VdsoMoved(moved);
    }

    private unsafe void SetMmMap(Injector task, Mm mm, Core core)
    {
        string exe = mm.ExeFile?.Path is { Length: > 0 } path ? path : core.Exe;
        long exeFd = Step(task, $"open exe {exe}", () => task.CallChecked(SyscallNumber.Openat, AtFdCwd, WriteString(task, exe), (ulong)(OpenFlags.O_RDONLY | OpenFlags.O_CLOEXEC)));
        var auxv = new ulong[(mm.Auxv.Count + 1) * 2];
        for (int i = 0; i < mm.Auxv.Count; i++)
        {
            auxv[2 * i] = mm.Auxv[i].Type;
            auxv[(2 * i) + 1] = mm.Auxv[i].Value;
        }
        var map = new PrctlMmMap
        {
            StartCode = mm.StartCode,
            EndCode = mm.EndCode,
            StartData = mm.StartData,
            EndData = mm.EndData,
            StartBrk = mm.StartBrk,
            Brk = mm.Brk,
            StartStack = mm.StartStack,
            ArgStart = mm.ArgStart,
            ArgEnd = mm.ArgEnd,
            EnvStart = mm.EnvStart,
            EnvEnd = mm.EnvEnd,
            AuxvSize = (uint)(auxv.Length * sizeof(ulong)),
            ExeFd = (int)exeFd,
        };
        map.Auxv = task.WriteScratch(MemoryMarshal.AsBytes(auxv.AsSpan()), PrctlMmMap.Size);
        ulong mapAddress = task.WriteScratch(MemoryMarshal.AsBytes(new ReadOnlySpan<PrctlMmMap>(in map)));
        Step(task, "prctl(PR_SET_MM_MAP)", () => task.CallChecked(SyscallNumber.Prctl, (ulong)PrctlOption.PR_SET_MM, (ulong)PrSetMmOption.PR_SET_MM_MAP, mapAddress, PrctlMmMap.Size));
        task.CallChecked(SyscallNumber.Close, (ulong)exeFd);
    }

    /// <summary>
    /// Maps every saved VMA at its address. Each backing file is opened once for all of its
    /// VMAs (a library has four or five), since every injected call is a round trip.
    /// </summary>
    private void MapVmas(Injector task, Mm mm)
    {
        var open = new Dictionary<(string Path, bool Write), long>();
        try
        {
            OpenMappedFiles(task, mm, open);
            // The mappings go in batches, in order; a shared anonymous one (made through a
            // memfd of keeper's own) ends the batch before it.
            var calls = new List<SyscallRequest>();
            var steps = new List<string>();
            foreach (Vma vma in mm.Vmas)
            {
                if (vma.Kind is VmaKind.Vdso or VmaKind.Vvar or VmaKind.VvarVclock or VmaKind.Vsyscall)
                {
                    continue;
                }
                ulong length = vma.End - vma.Start;
                var flags = (MmapFlags)vma.Flags | MmapFlags.MAP_FIXED_NOREPLACE;
                if (vma.Kind == VmaKind.AnonShared && vma.HasShmemId)
                {
                    RunBatch(task, calls, steps);
                    MapSharedAnonymous(task, vma);
                }
                else if (MappedFile(vma) is (string path, bool write))
                {
                    calls.Add(new SyscallRequest(SyscallNumber.Mmap, vma.Start, length, vma.Prot, (ulong)(flags & ~MmapFlags.MAP_ANONYMOUS), (ulong)open[(path, write)], vma.Pgoff));
                    steps.Add($"mmap {path} at 0x{vma.Start:x}");
                }
                else
                {
                    calls.Add(new SyscallRequest(SyscallNumber.Mmap, vma.Start, length, vma.Prot, (ulong)(flags | MmapFlags.MAP_ANONYMOUS), ulong.MaxValue, 0));
                    steps.Add($"mmap anonymous 0x{vma.Start:x}");
                }
            }
            RunBatch(task, calls, steps);
        }
        finally
        {
            SyscallRequest[] closes = open.Values.Select(fd => new SyscallRequest(SyscallNumber.Close, (ulong)fd)).ToArray();
            task.CallBatch(closes, new long[closes.Length]);
        }
    }

    /// <summary>The file a VMA maps and whether it is mapped for shared writing; null for anonymous memory.</summary>
    private static (string Path, bool Write)? MappedFile(Vma vma)
        => vma.Kind is VmaKind.FilePrivate or VmaKind.FileShared && vma.File?.Path is { Length: > 0 } path
            ? (path, vma.Kind == VmaKind.FileShared && (vma.Prot & (uint)MmapProt.PROT_WRITE) != 0)
            : null;

    /// <summary>
    /// Opens every file the VMAs map, once per file and access mode, in batches: the paths go
    /// side by side into the scratch area, then one openat each.
    /// </summary>
    private static void OpenMappedFiles(Injector task, Mm mm, Dictionary<(string Path, bool Write), long> open)
    {
        const int PathsStart = 8192;
        var calls = new List<SyscallRequest>();
        var steps = new List<string>();
        var files = new List<(string Path, bool Write)>();
        int offset = PathsStart;
        void Run()
        {
            // Every file opened is recorded before a failure is reported, so the caller closes it.
            RunBatch(task, calls, steps, results =>
            {
                for (int i = 0; i < results.Length; i++)
                {
                    if (results[i] >= 0)
                    {
                        open[files[i]] = results[i];
                    }
                }
            });
            files.Clear();
            offset = PathsStart;
        }
        foreach (Vma vma in mm.Vmas)
        {
            if (MappedFile(vma) is not { } file || open.ContainsKey(file) || files.Contains(file))
            {
                continue;
            }
            byte[] bytes = Encoding.UTF8.GetBytes(file.Path + "\0");
            if (offset + bytes.Length > task.ScratchLength || calls.Count == Injector.MaxBatch)
            {
                Run();
            }
            OpenFlags mode = (file.Write ? OpenFlags.O_RDWR : OpenFlags.O_RDONLY) | OpenFlags.O_CLOEXEC;
            calls.Add(new SyscallRequest(SyscallNumber.Openat, AtFdCwd, task.WriteScratch(bytes, offset), (ulong)mode));
            steps.Add($"open {file.Path}");
            files.Add(file);
            offset += bytes.Length;
        }
        Run();
    }

    /// <summary>
    /// Runs <paramref name="calls"/> as one injected batch and fails with the step of the first
    /// that failed (<paramref name="steps"/> names each); both lists are emptied.
    /// <paramref name="ran"/> sees the raw results first.
    /// </summary>
    private static void RunBatch(Injector task, List<SyscallRequest> calls, List<string> steps, Action<long[]>? ran = null)
    {
        if (calls.Count == 0)
        {
            return;
        }
        var results = new long[calls.Count];
        Step(task, steps[0], () => { task.CallBatch(CollectionsMarshal.AsSpan(calls), results); return 0; });
        ran?.Invoke(results);
        for (int i = 0; i < calls.Count; i++)
        {
            Check(task, results[i], steps[i]);
        }
        calls.Clear();
        steps.Clear();
    }

    private unsafe void WritePages(Injector task, int pid)
    {
        List<PagemapEntry> runs = _images.Pagemaps[pid];
        if (runs.Count == 0)
        {
            return;
        }
        // /proc/PID/mem writes with FOLL_FORCE, so read-only private mappings (relro, text COW'd
        // by a debugger) take their pages too; process_vm_writev would fail with EFAULT there.
        using SafeFd mem = Interop.Open($"/proc/{task.Thread.Pid}/mem", OpenFlags.O_RDWR | OpenFlags.O_CLOEXEC);
        Memory.IPageSource? source = _options.Pages;
        string pagesName = Path.GetFileName(_images.PagesPath(pid));
        using SafeFd? pages = source is null ? Interop.Open(_images.PagesPath(pid), OpenFlags.O_RDONLY) : null;
        // One buffer for every process of the restore, populated when mapped: a new one per
        // process was a fault per page and garbage for the GC.
        if (_copyBuffer == 0)
        {
            _copyBuffer = Interop.MapAnonymous(CopyBufferLength, populate: true);
        }
        var buffer = new Span<byte>((void*)_copyBuffer, (int)CopyBufferLength);
        foreach (PagemapEntry run in runs)
        {
            if (run.Content is null || run.Content.LocationCase != ContentRef.LocationOneofCase.PagesOffset)
            {
                continue;
            }
            long remaining = (long)run.NrPages * PageSize;
            long offset = (long)run.Content.PagesOffset;
            long target = (long)run.Vaddr;
            SafeFd destination = mem;
            // Shared anonymous memory goes into its object at the mapping's offset: a read-only
            // shared mapping takes no forced writes, and every mapping of it sees the bytes.
            if (_images.Mms[pid].Vmas.FirstOrDefault(v => v.Start <= run.Vaddr && run.Vaddr < v.End) is { Kind: VmaKind.AnonShared, HasShmemId: true } shared
                && _sharedMemory.TryGetValue(shared.ShmemId, out SafeFd? shmem))
            {
                destination = shmem;
                target = (long)(shared.Pgoff + (run.Vaddr - shared.Start));
            }
            while (remaining > 0)
            {
                int chunk = (int)Math.Min(remaining, buffer.Length);
                if (source is not null)
                {
                    source.Read(pagesName, offset, buffer[..chunk]);
                }
                if (pages is not null && Interop.PreadAll(pages, buffer[..chunk], offset) is int read && read < chunk)
                {
                    throw new RestoreException(pid, "read pages", $"{_images.PagesPath(pid)} ends at {offset + read}, inside the run at 0x{run.Vaddr:x}");
                }
                for (int done = 0; done < chunk;)
                {
                    int written = Interop.Pwrite(destination, buffer[done..chunk], target + done);
                    if (written <= 0)
                    {
                        throw new RestoreException(pid, "write pages", $"no bytes written at 0x{target + done:x}");
                    }
                    done += written;
                }
                remaining -= chunk;
                offset += chunk;
                target += chunk;
            }
        }
    }

    /// <summary>
    /// Signal dispositions: the saved ones, and the default for every other signal the clone
    /// inherited a non-default one for (the host runs as a background job of a shell, which
    /// ignores SIGINT and SIGQUIT).
    /// </summary>
    private static void RestoreSignalHandlers(Injector task, Core core)
    {
        ulong inherited = ProcFsReader.TryReadStatus(task.Thread.Pid, out ProcFs.ProcStatus status) ? status.SigIgn | status.SigCgt : ulong.MaxValue;
        var saved = core.Sigactions.ToDictionary(a => (int)a.Signo);
        // Every action in its own slot of the scratch area, then one batch of rt_sigaction calls.
        var actions = new KernelSigaction[Signals.SIGRTMAX];
        var calls = new List<SyscallRequest>(Signals.SIGRTMAX);
        int size = Marshal.SizeOf<KernelSigaction>();
        for (int signo = 1; signo <= Signals.SIGRTMAX; signo++)
        {
            if (signo is Signals.SIGKILL or Signals.SIGSTOP)
            {
                continue;
            }
            bool hasSaved = saved.TryGetValue(signo, out SigAction? action);
            if (!hasSaved && (inherited & (1UL << (signo - 1))) == 0)
            {
                continue;
            }
            actions[signo - 1] = action is null
                ? new KernelSigaction()
                : new KernelSigaction { Handler = action.Handler, Flags = action.Flags, Restorer = action.Restorer, Mask = action.Mask };
            calls.Add(new SyscallRequest(SyscallNumber.RtSigaction, (ulong)signo, task.Scratch + (ulong)((signo - 1) * size), 0, 8));
        }
        task.WriteScratch(MemoryMarshal.AsBytes(actions.AsSpan()));
        RunBatch(task, calls, calls.Select(c => $"rt_sigaction({c.A0})").ToList());
    }

    /// <summary>
    /// Rebuilds the fd table. Each open file description is opened once, by the first process
    /// (in tree order) that holds it; further fds of that process get a dup, and other
    /// processes get the same description handed over (<see cref="FdDelivery"/>), so file
    /// positions and flags stay shared as they were.
    /// </summary>
    private void RestoreFds(Injector task, int pid)
    {
        List<FdEntry> fds = _images.Fds[pid];
        if (fds.Count == 0)
        {
            return;
        }
        int above = (int)fds.Max(f => f.Fd) + 1;
        var placed = new Dictionary<uint, int>();
        List<uint> foreign = fds.Select(f => f.FileId).Distinct().Where(_fileOwners.ContainsKey).ToList();
        if (foreign.Count > 0)
        {
            var copies = new List<SafeFd>();
            try
            {
                // One pidfd per owning process, however many of its files are shared.
                var pidfds = new Dictionary<int, SafeFd>();
                try
                {
                    foreach (uint id in foreign)
                    {
                        (int ownerPid, int ownerFd) = _fileOwners[id];
                        if (!pidfds.TryGetValue(ownerPid, out SafeFd? pidfd))
                        {
                            pidfd = Interop.PidfdOpen(_tasks[ownerPid].Thread.Pid);
                            pidfds[ownerPid] = pidfd;
                        }
                        copies.Add(Interop.PidfdGetfd(pidfd, ownerFd));
                    }
                }
                finally
                {
                    foreach (SafeFd pidfd in pidfds.Values)
                    {
                        pidfd.Dispose();
                    }
                }
                _delivery ??= new FdDelivery();
                int[] numbers = Step(task, "receive shared files", () => _delivery.Deliver(task, copies, above));
                for (int i = 0; i < foreign.Count; i++)
                {
                    placed[foreign[i]] = numbers[i];
                }
            }
            finally
            {
                copies.ForEach(c => c.Dispose());
            }
        }
        List<int> received = placed.Values.ToList();
        foreach (FdEntry fd in fds.OrderBy(f => EventFileRestore.RestoreOrder(_images.Files[f.FileId])))
        {
            ulong cloexec = fd.Cloexec ? (ulong)OpenFlags.O_CLOEXEC : 0;
            if (placed.TryGetValue(fd.FileId, out int source))
            {
                Step(task, $"dup3 fd {fd.Fd}", () => task.CallChecked(SyscallNumber.Dup3, (ulong)source, fd.Fd, cloexec));
            }
            else
            {
                // Opened at the lowest free number, which is never one already placed.
                long opened = Step(task, $"open fd {fd.Fd}", () => OpenFile(task, pid, _images.Files[fd.FileId]));
                _fileOwners[fd.FileId] = (pid, (int)fd.Fd);
                if (opened != fd.Fd)
                {
                    Step(task, $"dup3 fd {fd.Fd}", () => task.CallChecked(SyscallNumber.Dup3, (ulong)opened, fd.Fd, cloexec));
                    task.CallChecked(SyscallNumber.Close, (ulong)opened);
                }
                else if (cloexec == 0)
                {
                    const int fSetFd = 2;
                    task.CallChecked(SyscallNumber.Fcntl, (ulong)opened, fSetFd, 0);
                }
            }
            placed[fd.FileId] = (int)fd.Fd;
        }
        foreach (int temporary in received)
        {
            task.Call(SyscallNumber.Close, (ulong)temporary);
        }
    }

    /// <summary>
    /// Creates the open file description <paramref name="file"/> in the task and returns its
    /// number there (any free number: the caller moves it). One method per kind of file; a
    /// kind the engine does not restore fails here, but the dump refuses such kinds first.
    /// </summary>
    private long OpenFile(Injector task, int pid, FileEntry file) => file.KindCase switch
    {
        FileEntry.KindOneofCase.Regular => OpenRegularFile(task, file),
        FileEntry.KindOneofCase.Eventfd => EventFileRestore.OpenEventfd(task, file),
        FileEntry.KindOneofCase.Signalfd => EventFileRestore.OpenSignalfd(task, file),
        FileEntry.KindOneofCase.Timerfd => EventFileRestore.OpenTimerfd(task, file, _progress),
        FileEntry.KindOneofCase.Inotify => EventFileRestore.OpenInotify(task, file),
        FileEntry.KindOneofCase.Epoll => EventFileRestore.OpenEpoll(task, file, _images.Fds[pid]),
        FileEntry.KindOneofCase.UnixSocket => OpenUnixSocket(task, file),
        FileEntry.KindOneofCase.InetSocket => OpenInetSocket(task, file),
        FileEntry.KindOneofCase.Pipe or FileEntry.KindOneofCase.Fifo => DeliverFile(task, (_pipes ??= new(_images.Files.Values)).End(file, task.Thread.Pid), $"pipe end {file.Id}"),
        FileEntry.KindOneofCase.Tty => OpenTty(task, file),
        _ => throw new RestoreException(pid, $"file {file.Id}", $"file kind {file.KindCase} cannot be restored yet"),
    };

    /// <summary>
    /// Hands a descriptor keeper created (a pipe end, a socket, a pty) to the task and returns
    /// its number there.
    /// </summary>
    private long DeliverFile(Injector task, SafeFd fd, string what)
    {
        _delivery ??= new FdDelivery();
        return Step(task, $"receive {what}", () => _delivery.Deliver(task, [fd], 0)[0]);
    }

    /// <summary>A unix socket made by keeper in the task's network namespace (Kinds/UnixSockets), handed over.</summary>
    private long OpenUnixSocket(Injector task, FileEntry file)
    {
        _unixSockets ??= new UnixSocketRestore(_images.Files.Values);
        using SafeFd socket = _unixSockets.Create(task.Thread.Pid, file);
        return DeliverFile(task, socket, UnixSocketDump.Describe(file.UnixSocket));
    }

    /// <summary>A TCP or UDP socket made by keeper in the task's network namespace (Kinds/Tcp), handed over.</summary>
    private long OpenInetSocket(Injector task, FileEntry file)
    {
        _inetSockets ??= new InetSocketRestore(_images.Files.Values, _options.TcpClose ? TcpRestoreMode.Close : TcpRestoreMode.Repair,
            TcpSnapshot.StaleReason(_images.Directory, _images.Namespaces is { Net: true }, _options.LockDirectory), _options.Warning, _images.Namespaces is { Net: true });
        using SafeFd socket = _inetSockets.Create(task.Thread.Pid, file);
        return DeliverFile(task, socket, InetSocketDump.Describe(file.InetSocket));
    }

    /// <summary>
    /// Opens a saved file in the task (injected openat) and seeks to its position. An unlinked
    /// file is first recreated from its saved contents under its old name (or a free name
    /// beside it), opened, and unlinked again; a tmpfs file that is gone (after a reboot) is
    /// recreated from its contents and stays.
    /// </summary>
    private static long OpenRegularFile(Injector task, FileEntry file)
    {
        RegularFile regular = file.Regular;
        ulong flags = (file.Flags & ~(ulong)(OpenFlags.O_CREAT | OpenFlags.O_TRUNC | OpenFlags.O_EXCL)) | (ulong)OpenFlags.O_CLOEXEC;
        using SavedContents.Ghost? ghost = regular.Deleted ? SavedContents.CreateGhost(regular) : null;
        if (ghost is null && regular.Volatile && regular.Contents is not null && !File.Exists(regular.Path))
        {
            SavedContents.Recreate(regular, regular.Path);
        }
        long fd = task.CallChecked(SyscallNumber.Openat, AtFdCwd, WriteString(task, ghost?.Path ?? regular.Path), flags);
        if (regular.Position != 0)
        {
            task.CallChecked(SyscallNumber.Lseek, (ulong)fd, regular.Position, 0);
        }
        return fd;
    }


    /// <summary>
    /// Last per-process steps: per thread rseq and credentials, dumpable, the stub gone, then
    /// every thread's registers, xstate and signal mask.
    /// </summary>
    private void Finish(int pid)
    {
        Injector main = _tasks[pid];
        Core core = _images.Cores[pid];
        foreach (ThreadCore thread in core.Threads)
        {
            Injector task = _threads[(int)thread.Tid];
            if (thread.Rseq is { Address: not 0 } rseq)
            {
                Step(task, $"rseq register (tid {thread.Tid})", () => task.CallChecked(SyscallNumber.Rseq, rseq.Address, rseq.Length, 0, rseq.Signature));
            }
            RestoreCreds(task, thread.Creds ?? core.Creds);
        }
        // After the credentials: changing them resets the dumpable flag.
        if (core.HasDumpable && core.Dumpable is 0 or 1)
        {
            Step(main, "prctl(PR_SET_DUMPABLE)", () => main.CallChecked(SyscallNumber.Prctl, (ulong)PrctlOption.PR_SET_DUMPABLE, core.Dumpable));
        }
        main.UnmapStub();
        foreach (ThreadCore thread in core.Threads)
        {
            int tid = _threads[(int)thread.Tid].Thread.Tid;
            Interop.PtraceSetRegs(tid, RegisterImages.ToKernel(thread.Regs));
            if (thread.Xstate is { Data.Length: > 0 } xstate)
            {
                Interop.PtraceSetRegSet(tid, NoteType.X86Xstate, xstate.Data.Span);
            }
            Interop.PtraceSetSigMask(tid, thread.Blocked);
        }
    }

    private static T Step<T>(Injector task, string what, Func<T> step)
    {
        try
        {
            return step();
        }
        catch (Exception e) when (e is not RestoreException)
        {
            throw new RestoreException(task.Thread.Pid, what, e.Message, e);
        }
    }

    private static ulong WriteString(Injector task, string value, int offset = 8192)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(value + "\0");
        return task.WriteScratch(bytes, offset);
    }

    private static List<MapEntry> ReadMaps(int pid)
        => ProcFsReader.TryReadMaps(pid, out List<MapEntry> maps) ? maps : throw new RestoreException(pid, "read maps", "the task vanished");

    private void KillHost()
    {
        _delivery?.Dispose();
        _delivery = null;
        _unixSockets?.Dispose();
        _unixSockets = null;
        _inetSockets?.Dispose();
        _inetSockets = null;
        _pipes?.Dispose();
        _ttys?.Dispose();
        CloseSharedMemory();
        if (_host is null)
        {
            return;
        }
        int pid = _host.Thread.Pid;
        _host = null;
        Interop.TryKill(pid, Signals.SIGKILL);
        Interop.TryWaitPid(pid, WaitOptions.All);
    }

    private void KillEverything()
    {
        foreach (Injector task in _tasks.Values)
        {
            Interop.TryKill(task.Thread.Pid, Signals.SIGKILL);
        }
        // Children before parents: a dying init waits until the rest of its pid namespace is
        // reaped, and a traced child can be reaped only after our wait. Within a process, other
        // threads before the leader, whose exit is reported only after theirs.
        foreach (PstreeEntry entry in Enumerable.Reverse(_images.Tree))
        {
            if (!_tasks.TryGetValue((int)entry.Pid, out Injector? task))
            {
                continue;
            }
            foreach (Injector thread in _threads.Values.Where(t => t.Thread.Pid == task.Thread.Pid && t != task))
            {
                Interop.TryWaitPid(thread.Thread.Tid, WaitOptions.All);
            }
            // Our exit notification first, then the real parent (host, init or the tree's init)
            // reaps; the PID stays taken until then.
            Interop.TryWaitPid(task.Thread.Tid, WaitOptions.All);
        }
        KillHost();
    }
}

/// <summary>A restore step failed; names the process and the step.</summary>
public sealed class RestoreException(int pid, string step, string message, Exception? inner = null)
    : Exception($"restore of pid {pid} failed at {step}: {message}", inner)
{
    /// <summary>The process being restored.</summary>
    public int Pid { get; } = pid;

    /// <summary>The step that failed.</summary>
    public string Step { get; } = step;
}
