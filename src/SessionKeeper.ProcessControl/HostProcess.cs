using SessionKeeper.Native;

namespace SessionKeeper.ProcessControl;

/// <summary>
/// The host of a restore (<c>sleep infinity</c>, detached), started ahead: a restore by name
/// starts it before it checks the snapshot, so the few milliseconds of starting a shell and a
/// program and waiting until it sleeps pass while the snapshot is read. Disposing a host that
/// no restore took kills it.
/// </summary>
public sealed class HostProcess : IDisposable
{
    private readonly Task<int> _started;
    private bool _taken;

    private HostProcess(Task<int> started) => _started = started;

    /// <summary>Starts a host in the background.</summary>
    public static HostProcess Start() => new(Task.Run(StartNow));

    /// <summary>Starts a host and returns its pid once it sleeps.</summary>
    internal static int StartNow()
    {
        int pid = DetachedProcess.Start(["exec sleep infinity"])[0];
        try
        {
            // Seizing the shell mid-exec would trace the shell, not sleep.
            DetachedProcess.WaitSleeping(pid, "sleep", TimeSpan.FromSeconds(5));
            return pid;
        }
        catch
        {
            Interop.TryKill(pid, Signals.SIGKILL);
            throw;
        }
    }

    /// <summary>The host's pid, once it sleeps; from then on the caller owns it (and kills it on failure).</summary>
    internal int Take()
    {
        ObjectDisposedException.ThrowIf(_taken, this);
        _taken = true;
        return _started.GetAwaiter().GetResult();
    }

    /// <summary>Kills the host unless a restore took it.</summary>
    public void Dispose()
    {
        if (_taken)
        {
            return;
        }
        _taken = true;
        try
        {
            Interop.TryKill(_started.GetAwaiter().GetResult(), Signals.SIGKILL);
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException or FormatException or System.ComponentModel.Win32Exception)
        {
            // It never started; nothing to end.
        }
    }
}
