using System.Diagnostics;
using System.Globalization;
using SessionKeeper.Native;

namespace SessionKeeper.Engine.Tests.ProcFsTests;

/// <summary>
/// A process for the /proc readers to look at, started through a shell that exits at once
/// (so the test host never waits on it), and killed on dispose. Python children write a
/// "ready" file with the values the test compares against, then sleep.
/// </summary>
internal sealed class ProcFsChild : IDisposable
{
    private readonly string? _directory;

    private ProcFsChild(int pid, string? directory)
    {
        Pid = pid;
        _directory = directory;
    }

    public int Pid { get; }

    /// <summary>Prepended to every script: <c>ready(key=value, …)</c> publishes values atomically.</summary>
    private const string ReadyFunction = """
        import os as _os, sys as _sys
        def ready(**values):
            tmp = _os.path.join(_sys.argv[1], "ready.tmp")
            with open(tmp, "w") as f:
                for k, v in values.items():
                    f.write(f"{k}={v}\n")
            _os.rename(tmp, _os.path.join(_sys.argv[1], "ready"))

        """;

    /// <summary>The lines the python script wrote to its ready file ("key=value").</summary>
    public Dictionary<string, string> Values { get; } = [];

    public string Directory => _directory ?? throw new InvalidOperationException("not a python child");

    public static ProcFsChild Start(string shellCommand)
    {
        int pid = SpawnDetached(shellCommand);
        var child = new ProcFsChild(pid, null);
        // Wait until the shell's exec has happened, so the child's files describe the program.
        child.WaitUntil(() => Comm(pid) is string c && c != "sh");
        return child;
    }

    /// <summary>Runs a python3 script with its work directory as argv[1]; waits for argv[1]/ready.</summary>
    public static ProcFsChild StartPython(string script)
    {
        string directory = Path.Combine(Path.GetTempPath(), $"keeper-procfs-{Guid.NewGuid():N}");
        System.IO.Directory.CreateDirectory(directory);
        string scriptPath = Path.Combine(directory, "child.py");
        File.WriteAllText(scriptPath, ReadyFunction + script);
        int pid = SpawnDetached($"exec python3 '{scriptPath}' '{directory}'");
        var child = new ProcFsChild(pid, directory);
        string ready = Path.Combine(directory, "ready");
        child.WaitUntil(() => File.Exists(ready));
        foreach (string line in File.ReadAllLines(ready))
        {
            int eq = line.IndexOf('=');
            if (eq > 0)
            {
                child.Values[line[..eq]] = line[(eq + 1)..];
            }
        }
        return child;
    }

    /// <summary>Waits until the child is blocked (state S), past the startup of the program it ran.</summary>
    public void WaitUntilSleeping() => WaitUntil(() => File.ReadAllText($"/proc/{Pid}/stat") is string s && s[(s.LastIndexOf(')') + 2)..].StartsWith('S'));

    public int IntValue(string key) => int.Parse(Values[key], CultureInfo.InvariantCulture);

    public ulong HexValue(string key) => ulong.Parse(Values[key], NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    /// <summary>A pid that existed a moment ago and is gone now.</summary>
    public static int GonePid()
    {
        int pid = SpawnDetached("exec true");
        var clock = Stopwatch.StartNew();
        while (System.IO.Directory.Exists($"/proc/{pid}"))
        {
            if (clock.ElapsedMilliseconds > 5000)
            {
                Assert.Fail($"pid {pid} did not go away");
            }
            Thread.Sleep(5);
        }
        return pid;
    }

    public void Dispose()
    {
        Interop.TryKill(Pid, Signals.SIGKILL);
        if (_directory is not null)
        {
            try
            {
                System.IO.Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static int SpawnDetached(string shellCommand)
    {
        var info = new ProcessStartInfo("sh") { RedirectStandardOutput = true };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add($"{{ {shellCommand}; }} </dev/null >/dev/null 2>&1 & echo $!");
        using Process shell = Process.Start(info)!;
        int pid = int.Parse(shell.StandardOutput.ReadLine()!, CultureInfo.InvariantCulture);
        shell.WaitForExit();
        return pid;
    }

    private static string? Comm(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/comm").TrimEnd('\n');
        }
        catch (IOException)
        {
            return null;
        }
    }

    private void WaitUntil(Func<bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.ElapsedMilliseconds > 10000)
            {
                Dispose();
                Assert.Fail($"child {Pid} did not get ready");
            }
            Thread.Sleep(5);
        }
    }
}
