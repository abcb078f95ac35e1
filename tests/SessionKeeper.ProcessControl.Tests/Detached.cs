using System.Diagnostics;
using System.Globalization;
using SessionKeeper.Native;

namespace SessionKeeper.ProcessControl.Tests;

/// <summary>
/// Starts a test process that is not a child of the test host. The .NET runtime calls
/// waitpid on the children it started, and a waitpid on a traced child consumes its ptrace
/// stops; so tracees are started through a shell that exits at once, leaving them to init.
/// </summary>
internal sealed class Detached : IDisposable
{
    private Detached(int pid) => Pid = pid;

    public int Pid { get; }

    public static Detached Start(string shellCommand)
    {
        var info = new ProcessStartInfo("sh") { RedirectStandardOutput = true };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add($"{{ {shellCommand}; }} </dev/null >/dev/null 2>&1 & echo $!");
        using Process shell = Process.Start(info)!;
        int pid = int.Parse(shell.StandardOutput.ReadLine()!, CultureInfo.InvariantCulture);
        shell.WaitForExit();
        return new Detached(pid);
    }

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
