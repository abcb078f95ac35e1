using System.Diagnostics;
using System.Globalization;

namespace SessionKeeper.ProcessControl;

/// <summary>
/// Starts processes that the engine will trace. They must not be children of this process: the
/// .NET runtime calls waitpid on the children it started, and a waitpid on a traced child
/// consumes its ptrace stops. One shell starts them in the background and exits at once, so
/// init (or the nearest subreaper) adopts them; their fds 0-2 are on /dev/null.
/// </summary>
public static class DetachedProcess
{
    /// <summary>Starts every shell command in <paramref name="commands"/>; returns their pids in order.</summary>
    public static List<int> Start(IReadOnlyList<string> commands)
    {
        var info = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(string.Join("; ", commands.Select(c => $"{{ {c}; }} </dev/null >/dev/null 2>&1 & echo $!")));
        string output;
        using (Process shell = Process.Start(info) ?? throw new InvalidOperationException("/bin/sh did not start"))
        {
            output = shell.StandardOutput.ReadToEnd();
            shell.WaitForExit();
        }
        List<int> pids = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => int.Parse(line, NumberStyles.None, CultureInfo.InvariantCulture))
            .ToList();
        return pids.Count == commands.Count
            ? pids
            : throw new InvalidOperationException($"/bin/sh started {pids.Count} processes instead of {commands.Count}");
    }

    /// <summary>
    /// Waits until <paramref name="pid"/> runs <paramref name="comm"/> and sleeps (state S), so
    /// that a tracer finds a settled process (mappings, brk and auxv final) rather than a shell
    /// in exec or a program inside the loader.
    /// </summary>
    public static void WaitSleeping(int pid, string comm, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (ProcTasks.Comm(pid) != comm || ProcTasks.State(pid) != 'S')
        {
            if (ProcTasks.State(pid) is null or 'Z')
            {
                throw new InvalidOperationException($"pid {pid} exited before it became {comm}");
            }
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"pid {pid} did not become a sleeping {comm} within {timeout.TotalSeconds:F0} s");
            }
            Thread.Sleep(1);
        }
    }
}
