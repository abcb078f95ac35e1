using System.Diagnostics;
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
    /// Starts <paramref name="count"/> detached sleepers (<see cref="DetachedProcess"/>) and
    /// waits until each one sleeps.
    /// </summary>
    public static List<Throwaway> StartSleepers(int count)
    {
        // fds 0-2 on /dev/null: the pidfd probe compares the sleeper's fd 0 with /dev/null.
        List<int> pids = DetachedProcess.Start(Enumerable.Repeat($"exec sleep {SleepSeconds}", count).ToList());
        var sleepers = new List<Throwaway>();
        try
        {
            foreach (int pid in pids)
            {
                sleepers.Add(new Throwaway(pid, Interop.TryPidfdOpen(pid)));
            }
            foreach (Throwaway sleeper in sleepers)
            {
                DetachedProcess.WaitSleeping(sleeper.Pid, "sleep", TimeSpan.FromSeconds(5));
            }
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
