using System.Diagnostics;
using System.Text;
using SessionKeeper.Engine.Dump;
using SessionKeeper.Engine.Restore;
using SessionKeeper.ProcessControl;

namespace SessionKeeper.CR.Tests.Harness;

/// <summary>
/// An ordinary program (sleep, bash, python3) run as the leader of a session of its own, with
/// everything it starts in that session: the tree to checkpoint. It is started detached
/// (<see cref="DetachedProcess"/>), so it is no child of the harness, with stdin on /dev/null
/// and stdout and stderr in the file <c>out</c> of its directory, because the engine saves no
/// pipes or terminals yet.
/// </summary>
/// <remarks>
/// The directory lies under <see cref="ZdtmRunner.RunsDirectory"/> and the command line must
/// name a path in it: a test run that was itself killed leaves the tree running, and the next
/// run ends it (<see cref="ZdtmRunner.KillLeftoversOfEarlierRuns"/>).
/// </remarks>
internal sealed class RealProgram
{
    private static readonly TimeSpan s_poll = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan s_killGrace = TimeSpan.FromSeconds(5);
    private static int s_runNumber;

    private readonly List<string> _log = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    // Every pid ever seen in the tree, so that a process reparented out of it is still found.
    private readonly HashSet<int> _known = [];
    private int _dumps;

    private RealProgram(string directory) => Directory = directory;

    /// <summary>The program's own directory: its scripts, its output, its images.</summary>
    public string Directory { get; }

    /// <summary>The root of the tree, its session leader (0 until started).</summary>
    public int Pid { get; private set; }

    /// <summary>Makes an empty directory for a program.</summary>
    public static RealProgram Create(string name)
    {
        int number = Interlocked.Increment(ref s_runNumber);
        string directory = Path.Combine(ZdtmRunner.RunsDirectory, $"real-{name}-{number}");
        if (System.IO.Directory.Exists(directory))
        {
            System.IO.Directory.Delete(directory, recursive: true);
        }
        System.IO.Directory.CreateDirectory(directory);
        return new RealProgram(directory);
    }

    /// <summary>The full path of a file in the program's directory.</summary>
    public string PathOf(string name) => Path.Combine(Directory, name);

    /// <summary>Writes a file (a script) into the program's directory; returns its full path.</summary>
    public string WriteFile(string name, string text)
    {
        string path = PathOf(name);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>
    /// Starts <paramref name="command"/> (shell words) in the program's directory as a session
    /// leader and waits until it runs <paramref name="comm"/>.
    /// </summary>
    public void Start(string command, string comm)
    {
        if (!command.Contains(Directory + "/", StringComparison.Ordinal))
        {
            throw new ArgumentException($"the command must name a path under {Directory}", nameof(command));
        }
        // The test host leaks descriptors without FD_CLOEXEC (a pipe at fd 251 or so) into its
        // children, and the dumper refuses pipes: bash closes them, as only bash can close
        // descriptors above 9 by number. setsid(1) forks only when its caller leads a process
        // group, which a background job of a shell without job control never does: the pid of
        // the job stays the session's.
        string start = WriteFile("start.sh", $$"""
            for f in /proc/$$/fd/*; do n=${f##*/}; if [ "$n" -gt 2 ]; then eval "exec $n>&-"; fi; done 2>/dev/null
            exec setsid {{command}} >out 2>&1

            """);
        Pid = DetachedProcess.Start([$"cd '{Directory}' && exec bash '{start}'"])[0];
        _known.Add(Pid);
        Log($"started {Pid}: {command}");
        bool started = Poll(() => ProcFs.TryReadStat(Pid) is { } stat && stat.Session == Pid && ProcTasks.Comm(Pid) == comm,
            TimeSpan.FromSeconds(10));
        if (!started)
        {
            throw new InvalidOperationException($"pid {Pid} did not become {comm} leading a session of its own\n{Describe()}");
        }
    }

    /// <summary>Dumps the tree with the engine into a new images directory.</summary>
    public DumpResult Dump(DumpMode mode)
    {
        string images = PathOf($"images-{++_dumps}");
        Log($"dump ({mode}) into {images}");
        DumpResult dump = Dumper.Dump(Pid, images, new DumpOptions { Mode = mode, Progress = Log });
        _known.UnionWith(dump.Pids);
        Log($"dumped [{string.Join(' ', dump.Pids)}], frozen {dump.FreezeDuration.TotalMilliseconds:F1} ms");
        return dump;
    }

    /// <summary>Restores the tree from a dump's images; returns the restored root.</summary>
    public int Restore(DumpResult dump)
    {
        Log($"restore from {dump.ImageDirectory}");
        int root = Restorer.Restore(dump.ImageDirectory, Log);
        _known.Add(root);
        Log($"restored, root {root}");
        return root;
    }

    /// <summary>
    /// The text of a file in the program's directory if it is one or more complete lines (the
    /// programs write a line with one write call), else null.
    /// </summary>
    public string? ReadLines(string name) => ProcFs.TryReadText(PathOf(name)) is { Length: > 0 } text && text.EndsWith('\n') ? text : null;

    /// <summary>Asks <paramref name="condition"/> until it holds or <paramref name="timeout"/> passes.</summary>
    public static bool Poll(Func<bool> condition, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > timeout)
            {
                return false;
            }
            Thread.Sleep(s_poll);
        }
        return true;
    }

    /// <summary>The live processes of the tree: its session, and whatever descends from a pid it ever had.</summary>
    public List<int> LiveTree()
    {
        foreach (int pid in _known.Where(ProcFs.IsAlive).ToList())
        {
            _known.UnionWith(ProcFs.Descendants(pid));
        }
        if (Pid != 0)
        {
            _known.UnionWith(ProcFs.AllPids().Where(pid => ProcFs.TryReadStat(pid) is { } stat && stat.Session == Pid));
        }
        return _known.Where(ProcFs.IsAlive).Order().ToList();
    }

    /// <summary>SIGKILLs the tree until nothing of it runs; returns what would not die.</summary>
    public List<int> KillTree()
    {
        var clock = Stopwatch.StartNew();
        List<int> alive = LiveTree();
        while (alive.Count > 0 && clock.Elapsed < s_killGrace)
        {
            Log($"killing {string.Join(' ', alive)}");
            alive.ForEach(pid => Signal.Kill(pid));
            Thread.Sleep(s_poll);
            alive = LiveTree();
        }
        return alive;
    }

    /// <summary>Appends a line to the program's log (shown by <see cref="Describe"/>).</summary>
    public void Log(string line)
    {
        lock (_log)
        {
            _log.Add($"{_clock.Elapsed.TotalMilliseconds,8:F1} ms  {line}");
        }
    }

    /// <summary>The harness's log and what the program printed: the story of a failure.</summary>
    public string Describe()
    {
        var text = new StringBuilder();
        text.AppendLine($"[{Directory}]");
        lock (_log)
        {
            _log.ForEach(line => text.AppendLine(line));
        }
        text.AppendLine("[live processes: pid ppid comm state, wchan, /proc/PID/syscall, pending and blocked signals]");
        foreach (int pid in LiveTree())
        {
            string? status = ProcFs.TryReadText($"/proc/{pid}/status");
            string signals = string.Join(' ', (status ?? "").Split('\n')
                .Where(line => line.StartsWith("SigPnd:", StringComparison.Ordinal) || line.StartsWith("ShdPnd:", StringComparison.Ordinal)
                    || line.StartsWith("SigBlk:", StringComparison.Ordinal))
                .Select(line => line.Replace('\t', ' ')));
            text.AppendLine($"{pid} {ProcFs.TryReadStat(pid)?.ParentPid} {ProcTasks.Comm(pid)} {ProcTasks.State(pid)}, " +
                $"{ProcFs.TryReadText($"/proc/{pid}/wchan")}, {ProcFs.TryReadText($"/proc/{pid}/syscall")?.TrimEnd()}, {signals}");
        }
        text.AppendLine("[out]");
        text.Append(ProcFs.TryReadText(PathOf("out")) ?? "(none)\n");
        return text.ToString();
    }
}
