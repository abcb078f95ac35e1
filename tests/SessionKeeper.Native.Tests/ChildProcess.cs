using System.Diagnostics;

namespace SessionKeeper.Native.Tests;

/// <summary>
/// A bash child that opens a file on a given fd and then becomes <c>sleep</c>, so tests have
/// a real foreign process holding a known open file description. Killed and reaped on Dispose.
/// </summary>
internal sealed class ChildProcess : IDisposable
{
    private readonly Process _process;

    private ChildProcess(Process process) => _process = process;

    public int Pid => _process.Id;

    /// <summary>Starts the child with <paramref name="path"/> open for reading on <paramref name="fd"/> and waits until the fd exists.</summary>
    public static ChildProcess WithOpenFile(int fd, string path)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardInput = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add($"exec {fd}<'{path}'; exec sleep 60");
        var child = new ChildProcess(Process.Start(start)!);
        var deadline = Stopwatch.StartNew();
        while (Interop.TryReadlink($"/proc/{child.Pid}/fd/{fd}") != path)
        {
            if (deadline.Elapsed > TimeSpan.FromSeconds(10))
            {
                child.Dispose();
                throw new TimeoutException($"child {child.Pid} did not open {path} on fd {fd}");
            }
            Thread.Sleep(10);
        }
        return child;
    }

    /// <summary>Kills and reaps the child now.</summary>
    public void KillAndReap()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }
        _process.WaitForExit();
    }

    public void Dispose()
    {
        KillAndReap();
        _process.Dispose();
    }
}
