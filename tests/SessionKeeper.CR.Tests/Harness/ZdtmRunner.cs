using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace SessionKeeper.CR.Tests.Harness;

/// <summary>
/// Runs one zdtm program through the protocol of <c>tests/zdtm/lib/zdtm.h</c>: start it, wait
/// for its pidfile, run the checkpoint/restore step, send SIGTERM to the tree root, read the
/// verdict. Whatever happens, nothing of the tree is left running afterwards.
/// </summary>
public static class ZdtmRunner
{
    private static int s_runNumber;

    /// <summary>Where run directories go.</summary>
    public static string RunsDirectory { get; } = Path.Combine(AppContext.BaseDirectory, "zdtm", "runs");

    /// <summary>
    /// Test trees are detached from the harness on purpose (a checkpoint must not see the
    /// harness), so a test run that was itself killed leaves them running, holding pids and
    /// confusing the leftover checks of the next run. Every process of a run carries a path
    /// under <see cref="RunsDirectory"/> in its arguments; this kills those processes and removes
    /// the directories of earlier runs.
    /// </summary>
    /// <returns>The command lines of the processes killed.</returns>
    public static IReadOnlyList<string> KillLeftoversOfEarlierRuns()
    {
        var killed = new List<string>();
        foreach (int pid in ProcFs.AllPids())
        {
            string commandLine = ProcFs.TryReadText($"/proc/{pid}/cmdline") ?? "";
            if (commandLine.Contains(RunsDirectory + "/", StringComparison.Ordinal) && Signal.Kill(pid))
            {
                killed.Add($"{pid}: {commandLine.Replace('\0', ' ').TrimEnd()}");
            }
        }
        // Their directories go too, so the runs directory shows this run only.
        if (Directory.Exists(RunsDirectory))
        {
            Directory.Delete(RunsDirectory, recursive: true);
        }
        return killed;
    }

    /// <summary>Compiles (if needed) and runs a program.</summary>
    /// <exception cref="ZdtmBuildException">The program or ns_init did not compile.</exception>
    public static ZdtmResult Run(ZdtmProgram program, ZdtmRunOptions options)
    {
        string executable = ZdtmBuild.Executable(program);
        string? nsInit = options.Mode == NamespaceMode.Namespaces ? ZdtmBuild.NsInit : null;
        int number = Interlocked.Increment(ref s_runNumber);
        string directory = Path.Combine(RunsDirectory, $"{program.Group}-{program.Name}-{options.Mode}-{number}".ToLowerInvariant());
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
        Directory.CreateDirectory(directory);
        using var run = new ZdtmRun(program, options, executable, nsInit, directory);
        return run.Execute();
    }
}

/// <summary>The state of one run; see <see cref="ZdtmRunner"/>.</summary>
internal sealed class ZdtmRun : IDisposable
{
    private static readonly TimeSpan s_poll = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan s_exitGrace = TimeSpan.FromSeconds(5);

    private readonly ZdtmProgram _program;
    private readonly ZdtmRunOptions _options;
    private readonly string _directory;
    private readonly string _pidfile;
    private readonly string _outfile;
    private readonly string _logfile;
    private readonly string _images;
    private readonly Process _started;
    private readonly StringBuilder _output = new();
    private readonly List<string> _harnessLog = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    // Every pid that was ever a root of the tree; their descendants and (in host mode) their
    // sessions are the tree.
    private readonly HashSet<int> _roots = [];

    // Every pid ever seen in the tree: a process whose parent was killed first is reparented
    // out of it, and must still be found.
    private readonly HashSet<int> _known = [];

    // Namespaces mode: the pid namespaces of the roots; every process in them is of the tree.
    private readonly HashSet<string> _namespaces = [];

    public ZdtmRun(ZdtmProgram program, ZdtmRunOptions options, string executable, string? nsInit, string directory)
    {
        _program = program;
        _options = options;
        _directory = directory;
        _pidfile = Path.Combine(directory, "pid");
        _outfile = Path.Combine(directory, "out");
        _logfile = Path.Combine(directory, "log");
        _images = Path.Combine(directory, "images");
        Directory.CreateDirectory(_images);

        var start = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = directory,
        };
        if (nsInit is null)
        {
            start.FileName = executable;
        }
        else
        {
            start.FileName = "unshare";
            foreach (string argument in (string[])["--pid", "--mount", "--net", "--ipc", "--fork", "--mount-proc",
                         nsInit, "--log", _logfile, "--", executable])
            {
                start.ArgumentList.Add(argument);
            }
        }
        foreach (string argument in (string[])["--pidfile", _pidfile, "--outfile", _outfile, "--logfile", _logfile, "--workdir", directory])
        {
            start.ArgumentList.Add(argument);
        }
        Log($"start: {start.FileName} {string.Join(' ', start.ArgumentList)}");
        _started = new Process { StartInfo = start };
        _started.OutputDataReceived += (_, e) => AppendOutput(e.Data);
        _started.ErrorDataReceived += (_, e) => AppendOutput(e.Data);
        _started.Start();
        _started.StandardInput.Close();
        _started.BeginOutputReadLine();
        _started.BeginErrorReadLine();
        _known.Add(_started.Id);
    }

    public ZdtmResult Execute()
    {
        try
        {
            return RunProtocol();
        }
        catch (Exception e)
        {
            return Finish(ZdtmVerdict.HarnessError, $"harness: {e}");
        }
    }

    public void Dispose() => _started.Dispose();

    private ZdtmResult RunProtocol()
    {
        if (WaitForFile(_pidfile, _options.ReadyTimeout, () => _started.HasExited) is not { } pidText)
        {
            return Finish(ZdtmVerdict.NotReady, _started.HasExited
                ? $"the program exited with status {_started.ExitCode} before it was ready"
                : $"no pidfile within {_options.ReadyTimeout.TotalSeconds} s");
        }
        int pidInside = int.Parse(pidText.Trim(), CultureInfo.InvariantCulture);
        (int root, int testPid) = _options.Mode == NamespaceMode.Host ? HostTree(pidInside) : NamespaceTree(pidInside);
        Log($"ready after {_clock.ElapsedMilliseconds} ms: root {root}, test {testPid} ({pidInside} inside)");

        Thread.Sleep(_options.RunBeforeStep);
        var context = new CheckpointRestoreContext(root, testPid, _options.Mode, _options.KeepRunning, _directory, _images, Log);
        using (var timeout = new CancellationTokenSource(_options.StepTimeout))
        {
            try
            {
                root = _options.Step.Run(context, timeout.Token);
            }
            catch (Exception e)
            {
                return Finish(ZdtmVerdict.HarnessError, $"step {_options.Step.Name} failed: {e}");
            }
        }
        AddRoot(root);
        if (!ProcFs.IsAlive(root))
        {
            return Finish(ZdtmVerdict.HarnessError, $"step {_options.Step.Name} returned root {root}, which is not running");
        }
        Log($"step {_options.Step.Name} done; root is {root}; SIGTERM");

        if (!Signal.Terminate(root))
        {
            return Finish(ZdtmVerdict.NoVerdict, $"the tree root {root} ended before SIGTERM");
        }
        if (WaitForFile(_outfile, _options.VerdictTimeout, () => !ProcFs.IsAlive(root)) is not { } verdict)
        {
            return Finish(ZdtmVerdict.NoVerdict, ProcFs.IsAlive(root)
                ? $"no verdict within {_options.VerdictTimeout.TotalSeconds} s after SIGTERM"
                : $"the tree root {root} ended without a verdict (crashed?)");
        }
        verdict = verdict.TrimEnd('\n');
        return verdict switch
        {
            "PASS" => Finish(ZdtmVerdict.Pass, ""),
            _ when verdict.StartsWith("FAIL: ", StringComparison.Ordinal) => Finish(ZdtmVerdict.Fail, verdict["FAIL: ".Length..]),
            _ => Finish(ZdtmVerdict.HarnessError, $"the outfile does not hold a verdict: '{verdict}'"),
        };
    }

    // The root is the test's daemon, which leads a session of its own (test_daemon's setsid).
    private (int Root, int Test) HostTree(int pid)
    {
        if (ProcFs.TryReadStat(pid) is not { } stat || stat.Session != pid)
        {
            throw new InvalidOperationException($"pid {pid} from the pidfile is not a running session leader");
        }
        AddRoot(pid);
        return (pid, pid);
    }

    // unshare's only child is ns_init, pid 1 inside. The test's daemon is found by its pid
    // inside (the last NSpid entry) among the processes of ns_init's pid namespace: a flat scan,
    // because a walk down the children files can miss the daemon while its parent, the start
    // process, exits and it is reparented to ns_init.
    private (int Root, int Test) NamespaceTree(int pidInside)
    {
        int[] children = ProcFs.Children(_started.Id).ToArray();
        if (children.Length != 1)
        {
            throw new InvalidOperationException($"unshare ({_started.Id}) has children [{string.Join(' ', children)}], expected only ns_init");
        }
        int nsInit = children[0];
        AddRoot(nsInit);
        foreach (int pid in ProcFs.AllPids())
        {
            int[] nsPids = ProcFs.NamespacePids(pid);
            if (nsPids.Length >= 2 && nsPids[^1] == pidInside && _namespaces.Contains(ProcFs.Namespace(pid, "pid") ?? ""))
            {
                _known.Add(pid);
                return (nsInit, pid);
            }
        }
        throw new InvalidOperationException($"no process with pid {pidInside} inside the namespaces of ns_init {nsInit}");
    }

    private void AddRoot(int pid)
    {
        _roots.Add(pid);
        _known.Add(pid);
        if (_options.Mode == NamespaceMode.Namespaces && ProcFs.Namespace(pid, "pid") is { } pidNamespace)
        {
            _namespaces.Add(pidNamespace);
        }
    }

    // Waits until the file exists, the timeout passes, or hopeless() says the writer is gone.
    private static string? WaitForFile(string path, TimeSpan timeout, Func<bool> hopeless)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            // Asked before the file is read, so a writer that wrote and ended is not missed.
            bool gone = hopeless();
            // Writers rename a complete file into place, so existing means complete.
            if (ProcFs.TryReadText(path) is { } text)
            {
                return text;
            }
            if (gone || deadline.Elapsed > timeout)
            {
                return null;
            }
            Thread.Sleep(s_poll);
        }
    }

    private ZdtmResult Finish(ZdtmVerdict verdict, string reason)
    {
        Log($"{verdict} {reason}".TrimEnd());
        IReadOnlyList<int> killedAfterVerdict = [];
        if (verdict is ZdtmVerdict.Pass or ZdtmVerdict.Fail)
        {
            // The program exits right after its verdict; give its children a moment too.
            killedAfterVerdict = WaitForTreeToEnd(s_exitGrace);
            if (killedAfterVerdict.Count > 0)
            {
                Log($"still running after the verdict: {string.Join(' ', killedAfterVerdict)}");
            }
        }
        IReadOnlyList<int> survivors = KillTree();
        if (!_started.WaitForExit(s_exitGrace))
        {
            Log($"the started process {_started.Id} did not exit");
        }
        Log("nothing of the tree runs any more");
        string log = ComposeLog();
        File.WriteAllText(Path.Combine(_directory, "harness.log"), log);
        return new ZdtmResult(_program, _options.Mode, verdict, reason, log, _directory, killedAfterVerdict, survivors);
    }

    /// <summary>The live processes of the tree now; remembers them for later scans.</summary>
    private List<int> LiveTree()
    {
        var anchors = _known.Where(ProcFs.IsAlive).ToList();
        foreach (int pid in anchors)
        {
            _known.UnionWith(ProcFs.Descendants(pid));
        }
        if (_roots.Count > 0)
        {
            // A walk down the children files misses processes that are being reparented, and
            // a test process that double-forked away from its parent is no descendant at all;
            // it is still in the root's session (host mode) or pid namespace.
            foreach (int pid in ProcFs.AllPids())
            {
                bool inTree = _options.Mode == NamespaceMode.Host
                    ? ProcFs.TryReadStat(pid) is { } stat && _roots.Contains(stat.Session)
                    : _namespaces.Contains(ProcFs.Namespace(pid, "pid") ?? "");
                if (inTree)
                {
                    _known.Add(pid);
                }
            }
        }
        return _known.Where(ProcFs.IsAlive).ToList();
    }

    private List<int> WaitForTreeToEnd(TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        List<int> alive;
        while ((alive = LiveTree()).Count > 0 && deadline.Elapsed < timeout)
        {
            Thread.Sleep(s_poll);
        }
        return alive;
    }

    /// <summary>SIGKILLs the tree until nothing of it runs; returns what would not die.</summary>
    private List<int> KillTree()
    {
        var deadline = Stopwatch.StartNew();
        List<int> alive;
        while ((alive = LiveTree()).Count > 0 && deadline.Elapsed < s_exitGrace)
        {
            // The whole set is known before the first kill, so no process escapes by being
            // reparented; killing a pid namespace's init takes the rest of it along.
            Log($"killing {string.Join(' ', alive)}");
            foreach (int pid in alive)
            {
                Signal.Kill(pid);
            }
            Thread.Sleep(s_poll);
        }
        if (alive.Count > 0)
        {
            Log($"could not kill {string.Join(' ', alive)}");
        }
        return alive;
    }

    private void Log(string line)
    {
        lock (_harnessLog)
        {
            _harnessLog.Add($"{_clock.Elapsed.TotalMilliseconds,8:F1} ms  {line}");
        }
    }

    private void AppendOutput(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }

    private string ComposeLog()
    {
        var log = new StringBuilder();
        lock (_harnessLog)
        {
            log.AppendLine("[harness]");
            _harnessLog.ForEach(line => log.AppendLine(line));
        }
        log.AppendLine($"[program log {_logfile}]");
        log.Append(ProcFs.TryReadText(_logfile) ?? "(none)\n");
        lock (_output)
        {
            if (_output.Length > 0)
            {
                log.AppendLine("[stdout/stderr of the started process]");
                log.Append(_output);
            }
        }
        return log.ToString();
    }
}
