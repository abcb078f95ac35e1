using System.Diagnostics;
using System.Globalization;
using SessionKeeper.Cli.Demo;
using SessionKeeper.Engine.Dump;
using SessionKeeper.Engine.Restore;
using SessionKeeper.Store;

namespace SessionKeeper.Cli.Bench;

/// <summary>What <c>keeper bench</c> runs.</summary>
internal sealed record BenchOptions
{
    /// <summary>Save/restore cycles of the demo screen session.</summary>
    public int SessionRuns { get; init; } = 7;

    /// <summary>Size of the memory the throughput process touches (MiB); 0 skips it.</summary>
    public int MemoryMiB { get; init; } = 1024;

    /// <summary>Save/restore cycles of the memory process.</summary>
    public int MemoryRuns { get; init; } = 3;

    /// <summary>Where progress lines go (null: nowhere).</summary>
    public Action<string>? Progress { get; init; }
}

/// <summary>
/// Measures the engine on sessions it creates: a demo screen session (bash, top, vim) saved
/// with the tree stopped and restored, over and over, and a process holding touched anonymous
/// memory of a given size. Every figure is a median over the runs with its spread; a run that
/// fails fails the benchmark (it measures working saves only).
/// </summary>
internal static class Benchmark
{
    public static IReadOnlyList<Metric> Run(BenchOptions options)
    {
        var metrics = new List<Metric>();
        metrics.AddRange(MeasureSession(options));
        if (options.MemoryMiB > 0)
        {
            metrics.AddRange(MeasureMemory(options));
        }
        return metrics;
    }

    private static List<Metric> MeasureSession(BenchOptions options)
    {
        var commandSave = new Metric("demo session: `keeper save --stop` run end to end (keeper started and exited)", "ms", target: 90);
        var commandRestore = new Metric("demo session: `keeper restore` run end to end (keeper started and exited)", "ms", target: 90);
        var commandVersion = new Metric("`keeper --version` run the same way (what any command pays to start and exit)", "ms");
        var save = new Metric("demo session: save --stop into the store, in-process", "ms");
        var freeze = new Metric("demo session: freeze (every task stopped)", "ms", target: 20);
        var frozen = new Metric("demo session: time the tree stays stopped while saved", "ms");
        var restore = new Metric("demo session: restore (checked, to running, pids kept), in-process", "ms");
        var ratio = new Metric("demo session: snapshot on disk / resident memory", "%", target: 100);
        var first = new Metric("demo session: bytes written by the first save", "KiB");
        var again = new Metric("demo session: bytes written by a save of the unchanged session / first", "%", target: 10);
        var processes = new Metric("demo session: processes", "");
        string name = $"keeper-bench-{Environment.ProcessId}";
        options.Progress?.Invoke($"starting screen session {name} with bash, top and vim");
        DemoScreen demo = DemoScreen.Start(name);
        string storeDirectory = Directory.CreateTempSubdirectory("keeper-bench-store-").FullName;
        try
        {
            SnapshotStore store = SnapshotStore.Open(storeDirectory, create: true);
            for (int run = 1; run <= options.SessionRuns; run++)
            {
                long resident = DemoScreen.ResidentBytes(demo.Pid);
                var clock = Stopwatch.StartNew();
                SaveResult saved = SnapshotSaver.Save(store, new SaveRequest { Name = "bench", RootPid = demo.Pid, Kind = "screen", SessionName = name, Stop = true });
                double saveMs = clock.Elapsed.TotalMilliseconds;
                DumpResult dump = saved.Dump;
                long written = (long)saved.Generation.Manifest.NewStoredBytes;
                WaitGone(dump.Pids);
                clock.Restart();
                SnapshotRestorer.Restore(store, "bench", replace: false, detail: null, progress: null);
                double restoreMs = clock.Elapsed.TotalMilliseconds;

                save.Add(saveMs);
                freeze.Add(dump.StopDuration.TotalMilliseconds);
                frozen.Add(dump.FreezeDuration.TotalMilliseconds);
                restore.Add(restoreMs);
                ratio.Add(100.0 * saved.Generation.DiskBytes / resident);
                processes.Add(dump.Pids.Count);
                if (run == 1)
                {
                    first.Add(written / 1024.0);
                }
                else
                {
                    again.Add(100.0 * written / (first.Values[0] * 1024));
                }
                (double commandSaveMs, double commandRestoreMs) = SaveAndRestoreByCommand(storeDirectory, demo.Pid);
                commandSave.Add(commandSaveMs);
                commandRestore.Add(commandRestoreMs);
                var versionClock = Stopwatch.StartNew();
                RunKeeper(["--version"]);
                commandVersion.Add(versionClock.Elapsed.TotalMilliseconds);
                options.Progress?.Invoke($"session run {run}/{options.SessionRuns}: keeper save {commandSaveMs:F1} ms, keeper restore {commandRestoreMs:F1} ms; " +
                    $"in-process: save {saveMs:F1} ms (freeze {dump.StopDuration.TotalMilliseconds:F1} ms), " +
                    $"restore {restoreMs:F1} ms, {written / 1024} KiB written, {saved.Generation.DiskBytes / 1024} KiB on disk for {resident / 1024} KiB resident");
            }
        }
        finally
        {
            demo.Quit();
            Directory.Delete(storeDirectory, recursive: true);
        }
        return [commandSave, commandRestore, commandVersion, save, freeze, frozen, restore, ratio, first, again, processes];
    }

    /// <summary>
    /// The same save and restore as a user runs them: the keeper binary started for each, from
    /// its start to its exit, as the wall clock sees it. Returns both times in ms.
    /// </summary>
    private static (double Save, double Restore) SaveAndRestoreByCommand(string storeDirectory, int root)
    {
        List<int> pids = DemoScreen.TreeOf(root);
        var clock = Stopwatch.StartNew();
        RunKeeper(["save", "--pid", root.ToString(CultureInfo.InvariantCulture), "bench-command", "--stop", "--store", storeDirectory]);
        double saveMs = clock.Elapsed.TotalMilliseconds;
        WaitGone(pids);
        clock.Restart();
        RunKeeper(["restore", "bench-command", "--store", storeDirectory]);
        return (saveMs, clock.Elapsed.TotalMilliseconds);
    }

    /// <summary>Runs this keeper binary (through dotnet when keeper itself runs that way).</summary>
    private static void RunKeeper(IEnumerable<string> arguments)
    {
        string self = Environment.ProcessPath ?? throw new KeeperException("cannot tell where the keeper binary is");
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            ExternalCommand.Run(self, [Path.Combine(AppContext.BaseDirectory, "keeper.dll"), .. arguments]);
        }
        else
        {
            ExternalCommand.Run(self, arguments);
        }
    }

    private static List<Metric> MeasureMemory(BenchOptions options)
    {
        string size = $"{options.MemoryMiB} MiB process";
        var reserveRate = new Metric($"{size}: memory for the pages faulted in before the freeze", "GB/s");
        var copyRate = new Metric($"{size}: pages copied out of the frozen process", "GB/s", target: 1, higherIsBetter: true);
        var pageRate = new Metric($"{size}: pages copied per second", "k pages/s");
        var saveRate = new Metric($"{size}: keeper save --stop (hashed, compressed, written, fsynced)", "GB/s", target: 1, higherIsBetter: true);
        var restoreRate = new Metric($"{size}: keeper restore (checked, pages written back)", "GB/s", target: 1, higherIsBetter: true);
        var freshMemory = new Metric($"this machine: first write to {MachineProbeMiB} MiB of new memory (bounds the save)", "GB/s");
        var fileWrite = new Metric($"this machine: {MachineProbeMiB} MiB written to a file and fsynced (bounds the save)", "GB/s");
        string work = Directory.CreateTempSubdirectory("keeper-bench-memory-").FullName;
        options.Progress?.Invoke($"starting a python3 process that fills {options.MemoryMiB} MiB with random bytes");
        int pid = StartMemoryProcess(work, options.MemoryMiB);
        try
        {
            SnapshotStore store = SnapshotStore.Open(Path.Combine(work, "store"), create: true);
            for (int run = 1; run <= options.MemoryRuns; run++)
            {
                var clock = Stopwatch.StartNew();
                SaveResult saved = SnapshotSaver.Save(store, new SaveRequest { Name = "memory", RootPid = pid, Stop = true });
                double saveSeconds = clock.Elapsed.TotalSeconds;
                DumpResult dump = saved.Dump;
                long bytes = dump.PagesSaved * Environment.SystemPageSize;
                WaitGone(dump.Pids);
                clock.Restart();
                SnapshotRestorer.Restore(store, "memory", replace: false, detail: null, progress: null);
                double restoreSeconds = clock.Elapsed.TotalSeconds;

                if (dump.ReservedBytes > 0)
                {
                    reserveRate.Add(dump.ReservedBytes / dump.ReserveDuration.TotalSeconds / 1e9);
                }
                copyRate.Add(bytes / dump.FreezeDuration.TotalSeconds / 1e9);
                pageRate.Add(dump.PagesSaved / dump.FreezeDuration.TotalSeconds / 1e3);
                saveRate.Add(bytes / saveSeconds / 1e9);
                restoreRate.Add(bytes / restoreSeconds / 1e9);
                (double memoryRate, double fileRate) = ProbeMachine(store.TempDirectory);
                freshMemory.Add(memoryRate);
                fileWrite.Add(fileRate);
                options.Progress?.Invoke($"memory run {run}/{options.MemoryRuns}: {dump.PagesSaved} pages, frozen {dump.FreezeDuration.TotalMilliseconds:F0} ms, " +
                    $"saved in {saveSeconds * 1000:F0} ms, restored in {restoreSeconds * 1000:F0} ms");
            }
        }
        finally
        {
            foreach (int left in DemoScreen.TreeOf(pid))
            {
                SessionKeeper.Native.Interop.TryKill(left, SessionKeeper.Native.Signals.SIGKILL);
            }
            Directory.Delete(work, recursive: true);
        }
        // A process below the reserve's minimum gets no reserve, and so no such figure.
        List<Metric> reserved = reserveRate.Values.Count > 0 ? [reserveRate] : [];
        return [.. reserved, copyRate, pageRate, saveRate, restoreRate, freshMemory, fileWrite];
    }

    private const int MachineProbeMiB = 256;

    /// <summary>
    /// What this machine allows, measured the plainest way: filling newly mapped memory (every
    /// copy out of a process lands in new memory), and writing a file with fsync (every save
    /// ends so). In GB/s, for the memory figures to be read against.
    /// </summary>
    private static unsafe (double Memory, double File) ProbeMachine(string directory)
    {
        const nuint Length = (nuint)MachineProbeMiB << 20;
        var clock = Stopwatch.StartNew();
        nint memory = SessionKeeper.Native.Interop.MapAnonymous(Length, populate: false);
        try
        {
            new Span<byte>((void*)memory, (int)Length).Fill(0x5a);
        }
        finally
        {
            SessionKeeper.Native.Interop.Unmap(memory, Length);
        }
        double memoryRate = Length / clock.Elapsed.TotalSeconds / 1e9;

        string path = Path.Combine(directory, $"bench-probe-{Environment.ProcessId}");
        byte[] block = new byte[1 << 16];
        Random.Shared.NextBytes(block);
        clock.Restart();
        try
        {
            using (FileStream file = new(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0))
            {
                for (long done = 0; done < (long)Length; done += block.Length)
                {
                    file.Write(block);
                }
                file.Flush(flushToDisk: true);
            }
            return (memoryRate, Length / clock.Elapsed.TotalSeconds / 1e9);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>
    /// A python3 process, not a child of keeper (setsid -f), holding <paramref name="mib"/> MiB of
    /// random bytes: incompressible, so nothing but copying can make saving it fast.
    /// </summary>
    private static int StartMemoryProcess(string work, int mib)
    {
        string pidFile = Path.Combine(work, "pid");
        string script = $"""
            import os, time
            os.closerange(3, 1 << 16)  # nothing inherited: the tree is this process alone
            data = bytearray({mib} << 20)
            for i in range({mib}):
                data[i << 20:(i + 1) << 20] = os.urandom(1 << 20)
            with open("{pidFile}.tmp", "w") as f:
                f.write(str(os.getpid()))
            os.rename("{pidFile}.tmp", "{pidFile}")
            while True:
                time.sleep(3600)
            """;
        string scriptFile = Path.Combine(work, "memory.py");
        File.WriteAllText(scriptFile, script);
        // Its output goes nowhere: a daemon holding keeper's pipes would keep the call waiting.
        ExternalCommand.Run("sh", ["-c", $"setsid -f python3 '{scriptFile}' </dev/null >/dev/null 2>&1"]);
        if (!ExternalCommand.Poll(() => File.Exists(pidFile), TimeSpan.FromSeconds(120)))
        {
            throw new KeeperException($"the memory process (python3 {scriptFile}) did not get ready");
        }
        return int.Parse(File.ReadAllText(pidFile), CultureInfo.InvariantCulture);
    }

    private static void WaitGone(IEnumerable<int> pids)
    {
        if (!ExternalCommand.Poll(() => !pids.Any(pid => File.Exists($"/proc/{pid}/stat")), TimeSpan.FromSeconds(10)))
        {
            throw new KeeperException("the saved processes did not end after the save");
        }
    }

    private static long DirectorySize(string directory) =>
        new DirectoryInfo(directory).EnumerateFiles("*", SearchOption.AllDirectories).Sum(file => file.Length);
}
