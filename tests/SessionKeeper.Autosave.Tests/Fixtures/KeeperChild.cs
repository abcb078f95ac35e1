using System.Diagnostics;
using SessionKeeper.Native;
using SessionKeeper.Tests.Shared;

namespace SessionKeeper.Autosave.Tests.Fixtures;

/// <summary>
/// The keeper binary under test (<see cref="KeeperProcess.Binary"/>) run with an environment of
/// the test's choosing; a long-running one (keeper watch) has its stderr collected line by line.
/// </summary>
internal sealed class KeeperChild : IDisposable
{
    private static readonly TimeSpan s_patience = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private readonly List<string> _lines = [];

    private KeeperChild(Process process) => _process = process;

    /// <summary>Every line keeper wrote to stderr so far.</summary>
    public string Log
    {
        get
        {
            lock (_lines)
            {
                return string.Join('\n', _lines);
            }
        }
    }

    public bool HasExited => _process.HasExited;

    /// <summary>The program and leading arguments that start keeper (dotnet keeper.dll, or the native binary).</summary>
    public static IReadOnlyList<string> Command =>
        KeeperProcess.Binary.EndsWith(".dll", StringComparison.Ordinal) ? ["dotnet", KeeperProcess.Binary] : [KeeperProcess.Binary];

    /// <summary>Starts keeper <paramref name="arguments"/> with <paramref name="environment"/> changes (null removes a variable).</summary>
    public static KeeperChild Start(IReadOnlyDictionary<string, string?> environment, params string[] arguments)
    {
        var child = new KeeperChild(Process.Start(CreateStartInfo(environment, arguments))!);
        child._process.ErrorDataReceived += (_, e) => child.Collect(e.Data);
        child._process.OutputDataReceived += (_, e) => child.Collect(e.Data);
        child._process.BeginErrorReadLine();
        child._process.BeginOutputReadLine();
        child._process.StandardInput.Close();
        return child;
    }

    /// <summary>Runs keeper to its end: exit code, stdout, stderr.</summary>
    public static (int ExitCode, string Stdout, string Stderr) Run(IReadOnlyDictionary<string, string?> environment, params string[] arguments)
    {
        using Process process = Process.Start(CreateStartInfo(environment, arguments))!;
        process.StandardInput.Close();
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"keeper {string.Join(' ', arguments)} did not exit within 60 s");
        }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Waits until a line containing <paramref name="text"/> was logged; returns it.</summary>
    public string WaitForLine(string text)
    {
        DateTime deadline = DateTime.UtcNow + s_patience;
        lock (_lines)
        {
            while (DateTime.UtcNow < deadline)
            {
                string? line = _lines.FirstOrDefault(l => l.Contains(text, StringComparison.Ordinal));
                if (line is not null)
                {
                    return line;
                }
                Monitor.Wait(_lines, TimeSpan.FromMilliseconds(200));
            }
            Assert.Fail($"keeper logged no line with \"{text}\" within {s_patience.TotalSeconds} s; its log:\n{string.Join('\n', _lines)}");
            return "";
        }
    }

    /// <summary>Waits for keeper to exit; returns its exit code.</summary>
    public int WaitForExit()
    {
        if (!_process.WaitForExit(s_patience))
        {
            Assert.Fail($"keeper did not exit within {s_patience.TotalSeconds} s; its log:\n{Log}");
        }
        _process.WaitForExit();
        return _process.ExitCode;
    }

    /// <summary>Sends SIGTERM, as systemd does to stop a service.</summary>
    public void Terminate() => Interop.TryKill(_process.Id, Signals.SIGTERM);

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
        _process.Dispose();
    }

    private void Collect(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_lines)
        {
            _lines.Add(line);
            Monitor.PulseAll(_lines);
        }
    }

    private static ProcessStartInfo CreateStartInfo(IReadOnlyDictionary<string, string?> environment, string[] arguments)
    {
        var start = new ProcessStartInfo(Command[0])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in Command.Skip(1).Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }
        foreach ((string name, string? value) in environment)
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }
        return start;
    }
}
