using System.Diagnostics;
using System.Globalization;
using SessionKeeper.Native;
using SessionKeeper.ProcessControl;

namespace SessionKeeper.Engine;

/// <summary>
/// A <c>sleep</c> process the probes may seize, inject into, mutilate and kill. Held through a
/// pidfd, so killing it can never hit an unrelated process that reused the pid.
/// </summary>
internal sealed class Throwaway : IDisposable
{
    /// <summary>Long enough for any probe run; short enough that a keeper killed before seizing leaves nothing for long.</summary>
    private const int SleepSeconds = 30;

    private readonly SafeFd? _pidfd;

    private Throwaway(int pid, SafeFd? pidfd)
    {
        Pid = pid;
        _pidfd = pidfd;
    }

    /// <summary>The process id.</summary>
    public int Pid { get; }

    /// <summary>
    /// Starts <paramref name="count"/> sleepers with one shell and waits until each one sleeps.
    /// They must not be children of this process: the .NET runtime calls waitpid on the
    /// children it started, and a waitpid on a traced child swallows its ptrace stops. The
    /// shell exits at once, so init (or the nearest subreaper) adopts them.
    /// </summary>
    public static List<Throwaway> StartSleepers(int count)
    {
        var info = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, UseShellExecute = false };
        info.ArgumentList.Add("-c");
        // fds 0-2 on /dev/null: the pidfd probe compares the sleeper's fd 0 with /dev/null.
        info.ArgumentList.Add(string.Join("; ", Enumerable.Repeat(
            $"{{ exec sleep {SleepSeconds}; }} </dev/null >/dev/null 2>&1 & echo $!", count)));
        string output;
        using (Process shell = Process.Start(info) ?? throw new InvalidOperationException("/bin/sh did not start"))
        {
            output = shell.StandardOutput.ReadToEnd();
            shell.WaitForExit();
        }
        var sleepers = new List<Throwaway>();
        try
        {
            foreach (string line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                int pid = int.Parse(line, NumberStyles.None, CultureInfo.InvariantCulture);
                sleepers.Add(new Throwaway(pid, Interop.TryPidfdOpen(pid)));
            }
            if (sleepers.Count != count)
            {
                throw new InvalidOperationException($"/bin/sh started {sleepers.Count} sleep processes instead of {count}");
            }
            WaitAsleep(sleepers);
            return sleepers;
        }
        catch
        {
            foreach (Throwaway sleeper in sleepers)
            {
                sleeper.Dispose();
            }
            throw;
        }
    }

    /// <summary>
    /// Waits until every sleeper has exec'd sleep and blocks in nanosleep, so probes find a
    /// settled process (mappings, brk and auxv final) rather than one inside the loader.
    /// </summary>
    private static void WaitAsleep(List<Throwaway> sleepers)
    {
        var clock = Stopwatch.StartNew();
        foreach (Throwaway sleeper in sleepers)
        {
            while (ProcTasks.Comm(sleeper.Pid) != "sleep" || ProcTasks.State(sleeper.Pid) != 'S')
            {
                if (ProcTasks.State(sleeper.Pid) is null or 'Z')
                {
                    throw new InvalidOperationException($"throwaway pid {sleeper.Pid} exited before it reached sleep");
                }
                if (clock.ElapsedMilliseconds > 5000)
                {
                    throw new TimeoutException($"throwaway pid {sleeper.Pid} did not reach sleep within 5 s");
                }
                Thread.Sleep(1);
            }
        }
    }

    /// <summary>Sends SIGKILL (through the pidfd; without one the process is not ours to signal).</summary>
    public void Kill()
    {
        if (_pidfd is not null && !_pidfd.IsClosed)
        {
            Interop.TryPidfdSendSignal(_pidfd, Signals.SIGKILL);
        }
    }

    /// <summary>
    /// Waits until the process is dead: gone, or a zombie that init will reap (init may take a
    /// second or two here). Returns false on timeout.
    /// </summary>
    public bool WaitDead(TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (ProcTasks.State(Pid) is { } state && state != 'Z' && state != 'X')
        {
            if (clock.Elapsed > timeout)
            {
                return false;
            }
            Thread.Sleep(1);
        }
        return true;
    }

    /// <summary>Kills the process and closes the pidfd.</summary>
    public void Dispose()
    {
        Kill();
        _pidfd?.Dispose();
    }
}
