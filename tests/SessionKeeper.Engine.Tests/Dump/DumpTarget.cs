using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using SessionKeeper.Engine.ProcFs;
using SessionKeeper.Native;

namespace SessionKeeper.Engine.Tests.Dump;

/// <summary>
/// A process tree to dump, started through a shell that exits at once: a tracee must not be a
/// child of the test host, whose runtime waits on its own children and would steal ptrace stops.
/// Killed (with its children) on dispose.
/// </summary>
internal sealed class DumpTarget : IDisposable
{
    private DumpTarget(int pid, string directory)
    {
        Pid = pid;
        Directory = directory;
    }

    public int Pid { get; }

    /// <summary>A private work directory for the target's files (removed on dispose).</summary>
    public string Directory { get; }

    /// <summary>"key=value" lines the pattern program wrote to its ready file.</summary>
    public Dictionary<string, string> Values { get; } = [];

    public ulong ULongValue(string key) => ulong.Parse(Values[key], CultureInfo.InvariantCulture);

    public int IntValue(string key) => int.Parse(Values[key], CultureInfo.InvariantCulture);

    /// <summary>Starts <paramref name="shellCommand"/> (with $DIR set to a work directory) and waits until pid's comm is <paramref name="comm"/>.</summary>
    public static DumpTarget Start(string comm, string shellCommand)
    {
        string directory = System.IO.Directory.CreateTempSubdirectory("keeper-dump-target-").FullName;
        int pid = SpawnDetached($"DIR='{directory}'; exec {shellCommand}");
        var target = new DumpTarget(pid, directory);
        target.WaitUntil(() => ProcFsReader.TryReadComm(pid, out string c) && c == comm);
        return target;
    }

    /// <summary>Compiles pattern.c (once per test run) and starts it; waits for its ready file.</summary>
    public static DumpTarget StartPattern(string? extra = null)
    {
        string binary = PatternBinary.Value;
        DumpTarget target = Start("pattern", $"'{binary}' \"$DIR\" {extra}");
        string ready = Path.Combine(target.Directory, "ready");
        target.WaitUntil(() => File.Exists(ready));
        foreach (string line in File.ReadAllLines(ready))
        {
            int eq = line.IndexOf('=');
            target.Values[line[..eq]] = line[(eq + 1)..];
        }
        return target;
    }

    private static readonly Lazy<string> PatternBinary = new(() =>
    {
        string source = Path.Combine(SourceDirectory(), "pattern.c");
        // Named "pattern" so that its comm is predictable.
        string output = Path.Combine(System.IO.Directory.CreateTempSubdirectory("keeper-pattern-").FullName, "pattern");
        using Process cc = Process.Start("cc", ["-O1", "-pthread", "-o", output, source])!;
        cc.WaitForExit();
        Assert.That(cc.ExitCode, Is.Zero, "cc pattern.c");
        return output;
    });

    // The C source sits next to this file; the test project does not copy it to the output.
    private static string SourceDirectory([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;

    /// <summary>The single-letter state from /proc/PID/stat.</summary>
    public static char State(int pid) => ProcFsReader.TryReadStat(pid, out ProcStat stat) ? stat.State : '?';

    /// <summary>TracerPid from /proc/PID/status (0 when nobody traces it).</summary>
    public static int TracerPid(int pid) => ProcFsReader.TryReadStatus(pid, out ProcStatus status) ? status.TracerPid : -1;

    /// <summary>Waits until <paramref name="pid"/> has <paramref name="count"/> children, all of them `sleep`, and returns them.</summary>
    public static int[] WaitForChildren(int pid, int count)
    {
        for (int i = 0; i < 500; i++)
        {
            if (ProcFsReader.TryReadChildren(pid, pid, out List<int> children) && children.Count == count
                && children.All(c => ProcFsReader.TryReadComm(c, out string comm) && comm == "sleep"))
            {
                Thread.Sleep(50);
                return [.. children];
            }
            Thread.Sleep(10);
        }
        Assert.Fail($"{pid} did not start {count} sleep children");
        return [];
    }

    /// <summary>Waits until a process no longer exists.</summary>
    public static bool WaitGone(int pid, int milliseconds)
    {
        var clock = Stopwatch.StartNew();
        while (clock.ElapsedMilliseconds < milliseconds)
        {
            if (!ProcFsReader.TryReadStat(pid, out ProcStat stat) || stat.State == 'Z')
            {
                return true;
            }
            Thread.Sleep(10);
        }
        return false;
    }

    public void Dispose()
    {
        if (ProcFsReader.TryReadChildren(Pid, Pid, out List<int> children))
        {
            foreach (int child in children)
            {
                Interop.TryKill(child, Signals.SIGKILL);
            }
        }
        Interop.TryKill(Pid, Signals.SIGKILL);
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static int SpawnDetached(string shellCommand)
    {
        // bash, not sh: the test host leaks descriptors without FD_CLOEXEC (a pipe at fd 251 or
        // so) into its children, and only bash can close descriptors above 9 by number. A target
        // holding such a pipe would be refused by the dumper.
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(
            "for f in /proc/$$/fd/*; do n=${f##*/}; if [ \"$n\" -gt 2 ]; then eval \"exec $n>&-\"; fi; done 2>/dev/null; " +
            $"{{ {shellCommand}; }} </dev/null >/dev/null 2>&1 & echo $!");
        using Process shell = Process.Start(info)!;
        int pid = int.Parse(shell.StandardOutput.ReadLine()!, CultureInfo.InvariantCulture);
        shell.WaitForExit();
        return pid;
    }

    private void WaitUntil(Func<bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.ElapsedMilliseconds > 10000)
            {
                Dispose();
                Assert.Fail($"pid {Pid} did not get ready");
            }
            Thread.Sleep(5);
        }
        // Let it reach its blocking call.
        Thread.Sleep(50);
    }
}
