using System.Diagnostics;
using System.Globalization;
using SessionKeeper.Native;

namespace SessionKeeper.ProcessControl.Tests;

/// <summary>A test process started with <see cref="DetachedProcess"/>, killed on dispose.</summary>
internal sealed class Detached : IDisposable
{
    private Detached(int pid) => Pid = pid;

    public int Pid { get; }

    public static Detached Start(string shellCommand) => new(DetachedProcess.Start([shellCommand])[0]);

    /// <summary>Starts <paramref name="shellCommand"/> and waits until the process runs <paramref name="comm"/>.</summary>
    public static Detached StartAs(string comm, string shellCommand)
    {
        Detached process = Start("exec " + shellCommand);
        var clock = Stopwatch.StartNew();
        while (ProcTasks.Comm(process.Pid) != comm)
        {
            if (clock.ElapsedMilliseconds > 5000)
            {
                process.Dispose();
                throw new TimeoutException($"pid {process.Pid} did not become {comm}");
            }
            Thread.Sleep(5);
        }
        // Give it a moment to finish loading and reach its blocking call.
        Thread.Sleep(50);
        return process;
    }

    /// <summary>Waits until the process no longer exists (it was reaped by init).</summary>
    public bool WaitGone(int milliseconds)
    {
        var clock = Stopwatch.StartNew();
        while (clock.ElapsedMilliseconds < milliseconds)
        {
            if (ProcTasks.State(Pid) is null)
            {
                return true;
            }
            Thread.Sleep(10);
        }
        return false;
    }

    public void Dispose() => Interop.TryKill(Pid, Signals.SIGKILL);
}
