using System.Diagnostics;
using System.Reflection;
using Google.Protobuf.WellKnownTypes;
using SessionKeeper.Engine.Kinds.Namespaces;
using SessionKeeper.Engine.Kinds.Tcp;
using SessionKeeper.Engine.Kinds.UnixSockets;
using SessionKeeper.Engine.Kinds.Tty;
using SessionKeeper.Engine.Memory;
using SessionKeeper.Engine.ProcFs;
using SessionKeeper.Images;
using SessionKeeper.ProcessControl;
using V1 = SessionKeeper.Images.V1;

namespace SessionKeeper.Engine.Dump;

/// <summary>
/// Writes a raw image directory for a process tree (DESIGN.md §4, §7): freeze, check that
/// every object can be saved, copy all state into memory, release the tree (leave-running
/// mode), then write the images, inventory last.
/// </summary>
/// <remarks>
/// The freeze lasts only as long as reading state and copying pages; writing happens after the
/// tree runs again. In kill mode the tree stays frozen until every image is written and
/// fsynced, and is killed only then, so a failed write never loses the session. On any failure
/// the files written so far are removed and the tree is released as it was.
/// </remarks>
public static class Dumper
{
    /// <summary>Dumps the tree rooted at <paramref name="rootPid"/> into <paramref name="imageDir"/>.</summary>
    /// <exception cref="UnsupportedObjectException">The tree holds an object that cannot be saved yet; nothing was written.</exception>
    public static DumpResult Dump(int rootPid, string imageDir, DumpOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var total = Stopwatch.StartNew();
        foreach (string line in NetworkLock.RemoveStale())
        {
            options.Progress?.Invoke(line);
        }
        // Memory for a large tree's pages is faulted in now, so the freeze does not wait for it.
        using PageMemoryReserve? reserve = PageMemoryReserve.ForTree(rootPid);
        TimeSpan reserveDuration = total.Elapsed;
        if (reserve is not null)
        {
            options.Progress?.Invoke($"faulted in {reserve.Bytes >> 20} MiB for the page contents in {reserveDuration.TotalMilliseconds:F1} ms");
        }
        options.Cancellation.ThrowIfCancellationRequested();
        using var tracer = new TracerThread("keeper-dump");
        Collected state = tracer.Invoke(() => Collect(tracer, rootPid, options, reserve));
        var directory = new ImageDirectory(imageDir);
        try
        {
            options.Cancellation.ThrowIfCancellationRequested();
            Write(state, directory, options);
            if (options.Mode == DumpMode.Kill)
            {
                options.Cancellation.ThrowIfCancellationRequested();
                tracer.Invoke(state.Tree.Kill);
                options.Progress?.Invoke($"killed the tree of pid {rootPid}");
                // The connections close in repair mode, silently; their lock stays for the restore.
                state.InetSockets.Finish(directory.Path);
            }
            return new DumpResult
            {
                RootPid = rootPid,
                ImageDirectory = directory.Path,
                Pids = state.Pids,
                FreezeDuration = state.FreezeDuration,
                StopDuration = state.StopDuration,
                ReservedBytes = reserve?.Bytes ?? 0,
                ReserveDuration = reserve is null ? TimeSpan.Zero : reserveDuration,
                TotalDuration = total.Elapsed,
                PagesSaved = state.Memory.Values.Sum(m => m.PageCount),
                Files = directory.Written.Select(f => f.Name).ToList(),
            };
        }
        catch
        {
            directory.DeleteWritten();
            state.InetSockets.Resume();
            tracer.Invoke(state.Tree.Release);
            throw;
        }
        finally
        {
            state.PageQueue?.Dispose();
            foreach (MmDumper mm in state.Memory.Values)
            {
                mm.Dispose();
            }
        }
    }

    /// <summary>Everything read from the frozen tree, held in memory until it is written.</summary>
    private sealed class Collected
    {
        public required FrozenTree Tree { get; init; }
        public NamespaceDump Namespaces { get; set; } = null!;
        public required List<int> Pids { get; init; }
        public List<V1.PstreeEntry> Pstree { get; } = [];
        public Dictionary<int, V1.Core> Cores { get; } = [];
        public Dictionary<int, MmDumper> Memory { get; } = [];
        public FilesDumper Files { get; set; } = null!;
        public TtyDump Ttys { get; set; } = null!;
        public InetSocketDump InetSockets { get; set; } = InetSocketDump.Empty;
        public TimeSpan FreezeDuration { get; set; }

        /// <summary>The page sink's feed, when there is a sink.</summary>
        public PageSinkQueue? PageQueue { get; set; }

        public TimeSpan StopDuration { get; init; }
        public DateTime FrozenAt { get; init; }
        public int XsaveSize { get; set; }
        public ulong XsaveFeatures { get; set; }
    }

    private static Collected Collect(TracerThread tracer, int rootPid, DumpOptions options, PageMemoryReserve? reserve)
    {
        DateTime frozenAt = DateTime.UtcNow;
        var clock = Stopwatch.StartNew();
        FrozenTree tree = FrozenTree.Freeze(tracer, rootPid);
        var state = new Collected { Tree = tree, Pids = tree.Processes.Select(p => p.Pid).ToList(), FrozenAt = frozenAt, StopDuration = clock.Elapsed };
        try
        {
            options.Progress?.Invoke($"froze {tree.Processes.Count} process(es) in {clock.Elapsed.TotalMilliseconds:F1} ms");

            // 1. Refuse up front what cannot be saved, before anything is read at length or written.
            state.Namespaces = NamespaceDump.Inspect(tree);
            var stats = new Dictionary<int, ProcStat>();
            var statuses = new Dictionary<int, ProcStatus>();
            var fdTables = new List<(int Pid, List<ClassifiedFd> Fds)>();
            var smaps = new Dictionary<int, List<SmapsEntry>>();
            foreach (FrozenProcess process in tree.Processes)
            {
                int pid = process.Pid;
                if (!ProcFsReader.TryReadStat(pid, out ProcStat stat))
                {
                    throw new TaskVanishedException(pid, pid, "exited while frozen");
                }
                stats[pid] = stat;
                if (process.IsZombie)
                {
                    continue;
                }
                if (!ProcFsReader.TryReadStatus(pid, out ProcStatus status))
                {
                    throw new TaskVanishedException(pid, pid, "exited while frozen");
                }
                if (status.Seccomp is int seccomp and not 0)
                {
                    // Filters cannot be read back without PTRACE_SECCOMP_GET_FILTER support in restore.
                    throw new UnsupportedObjectException(pid, null, $"seccomp mode {seccomp}");
                }
                if (ProcFsReader.TryReadRoot(pid, out string root) && root != "/")
                {
                    // Restore does not chroot yet; a chrooted process would come back unconfined.
                    throw new UnsupportedObjectException(pid, null, $"root directory {root} (chroot)");
                }
                statuses[pid] = status;
                fdTables.Add((pid, FdClassifier.Classify(pid)));
                smaps[pid] = MmDumper.CheckMappings(pid);
            }
            UnixSocketDump unixSockets = UnixSocketDump.Inspect(fdTables);
            state.InetSockets = InetSocketDump.Inspect(fdTables, options.Progress);
            state.Ttys = TtyDump.Inspect(fdTables, stats, options.Progress, options.RebindOutsideTerminals);
            options.Progress?.Invoke($"checked fds and mappings at {clock.Elapsed.TotalMilliseconds:F1} ms");
            state.PageQueue = options.PageSink is { } sink ? new PageSinkQueue(sink) : null;

            // 2. Read everything into memory.
            var sharedSeen = new HashSet<(ulong, ulong, ulong)>();
            foreach (FrozenProcess process in tree.Processes)
            {
                options.Cancellation.ThrowIfCancellationRequested();
                int pid = process.Pid;
                ProcStat stat = stats[pid];
                var entry = new V1.PstreeEntry
                {
                    Pid = (uint)pid,
                    Ppid = (uint)stat.Ppid,
                    Pgid = (uint)stat.Pgrp,
                    Sid = (uint)stat.Session,
                    State = process.IsZombie ? V1.ProcessState.Zombie : V1.ProcessState.Alive,
                };
                if (process.IsZombie)
                {
                    entry.Threads.Add((uint)pid);
                    entry.ExitStatus = stat.ExitCode;
                    state.Pstree.Add(entry);
                    state.Cores[pid] = ProcessDumper.ZombieCore(pid, stat.ExitCode);
                    continue;
                }
                entry.Threads.AddRange(process.Threads.Select(t => (uint)t.Tid));
                state.Pstree.Add(entry);

                var core = new ProcessDumper(tracer, process);
                state.Cores[pid] = core.Dump(stat, statuses[pid]);
                if (state.XsaveSize == 0)
                {
                    state.XsaveSize = core.XsaveSize;
                    state.XsaveFeatures = core.XsaveFeatures;
                }
                // Memory after the injected calls: the injector's stub page is gone again by now,
                // so it cannot show up among the VMAs.
                MmDumper mm = MmDumper.Collect(pid, smaps[pid], stat, core.Brk, sharedSeen, reserve);
                state.Memory[pid] = mm;
                int image = state.Namespaces.Pids.ToImage(pid);
                state.PageQueue?.Add($"pages-{image}.img", image, mm.Pages, mm.Pagemap);
                options.Progress?.Invoke(
                    $"pid {pid}: {process.Threads.Count} thread(s), {core.InjectedCalls} injected calls, " +
                    $"{mm.PageCount} pages in {mm.VectoredCalls} process_vm_readv calls, at {clock.Elapsed.TotalMilliseconds:F1} ms");
            }
            state.Namespaces.CollectFromInit(tracer, tree);
            state.Files = FilesDumper.Build(fdTables, unixSockets, state.InetSockets);
            state.Ttys.Collect();

            state.FreezeDuration = clock.Elapsed;
            if (options.Mode == DumpMode.LeaveRunning)
            {
                // Out of repair mode and unlocked before the tree runs: it goes on with them.
                state.InetSockets.Resume();
                tree.Release();
                state.FreezeDuration = clock.Elapsed;
                options.Progress?.Invoke($"released the tree after {state.FreezeDuration.TotalMilliseconds:F1} ms frozen");
            }
            return state;
        }
        catch
        {
            state.InetSockets.Resume();
            tree.Release();
            state.PageQueue?.Dispose();
            foreach (MmDumper mm in state.Memory.Values)
            {
                mm.Dispose();
            }
            throw;
        }
    }

    private static void Write(Collected state, ImageDirectory directory, DumpOptions options)
    {
        // Collected by the pids keeper sees; written by the pids the images record.
        PidView pids = state.Namespaces.Pids;
        directory.WriteImage("pstree.img", state.Pstree.Select(pids.Translate).ToList());
        foreach (V1.PstreeEntry entry in state.Pstree)
        {
            int pid = (int)entry.Pid;
            int image = pids.ToImage(pid);
            directory.WriteImage($"core-{image}.img", [pids.Translate(state.Cores[pid])], image);
            if (state.Memory.TryGetValue(pid, out MmDumper? mm))
            {
                directory.WriteImage($"mm-{image}.img", [pids.Translate(mm.Mm)], image);
                directory.WriteImage($"pagemap-{image}.img", mm.Pagemap, image);
                if (state.PageQueue is null)
                {
                    directory.WriteRaw($"pages-{image}.img", V1.ImageKind.RawPages, image, mm.Pages.WriteTo);
                }
                directory.WriteImage($"fdinfo-{image}.img", state.Files.FdsOf(pid), image);
                options.Progress?.Invoke($"wrote the images of pid {pid} ({mm.PageCount} pages)");
            }
        }
        directory.WriteImage("files.img", state.Files.Files);
        directory.WriteImage("tty-info.img", state.Ttys.ToImage(pids, state.Pids.ToHashSet()));
        // The sink has had the pages since each process was read (PageSinkQueue).
        state.PageQueue?.Complete();
        options.PageSink?.Flush();
        options.Progress?.Invoke("made the page contents durable");

        var inventory = new V1.Inventory
        {
            FormatMajor = ImageFormat.CurrentMajor,
            FormatMinor = ImageFormat.CurrentMinor,
            KeeperVersion = typeof(Dumper).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "",
            KernelRelease = ReadTrimmed("/proc/sys/kernel/osrelease"),
            KernelVersion = ReadTrimmed("/proc/sys/kernel/version"),
            Machine = "x86_64",
            PageSize = (uint)PageBuffer.PageSize,
            Cpu = CpuInfoReader.Read(state.XsaveFeatures, state.XsaveSize),
            RootPid = (uint)pids.ToImage(state.Tree.RootPid),
            CreatedAt = Timestamp.FromDateTime(state.FrozenAt),
            TreeLeftRunning = options.Mode == DumpMode.LeaveRunning,
            BootId = ReadTrimmed("/proc/sys/kernel/random/boot_id"),
            FreezeDurationNs = (ulong)(state.FreezeDuration.Ticks * 100),
            Namespaces = state.Namespaces.Image,
        };
        inventory.Files.AddRange(directory.Written.Select(f => f.Clone()));
        // Everything else durable first, the inventory last: a directory without an inventory
        // is recognisably incomplete.
        if (options.InventoryLast)
        {
            directory.Sync();
        }
        directory.WriteImage("inventory.img", [inventory]);
        directory.Sync();
        options.Progress?.Invoke($"wrote {directory.Written.Count} files to {directory.Path}");
    }

    private static string ReadTrimmed(string path) => ProcTasks.TryReadAll(path)?.Trim() ?? "";
}
