using System.Diagnostics;
using System.Runtime.InteropServices;

namespace SessionKeeper.Native.Tests;

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class SigchldTests
{
    [Test]
    public void QuietChildStops_AStoppedChildSendsNoSigchld_ItsExitStillDoes()
    {
        int signals = 0;
        using var registration = PosixSignalRegistration.Create(PosixSignal.SIGCHLD, _ => Interlocked.Increment(ref signals));
        Interop.QuietChildStops();
        Assert.That(Interop.QuietChildStops(), Is.False, "SA_NOCLDSTOP is set now, so a second call changes nothing");

        using var child = Process.Start("sh", ["-c", "kill -STOP $$; exit 7"]);
        var clock = Stopwatch.StartNew();
        while (File.ReadAllText($"/proc/{child.Id}/stat").Split(") ")[1][0] != 'T')
        {
            Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)), "the child did not stop");
            Thread.Sleep(5);
        }
        // A SIGCHLD for the stop would have reached the handler by now.
        Thread.Sleep(300);
        int whileStopped = Volatile.Read(ref signals);

        Interop.Kill(child.Id, 18); // SIGCONT
        Assert.That(child.WaitForExit(10_000), Is.True, "the runtime still learns of the exit");
        Assert.That(child.ExitCode, Is.EqualTo(7));
        Assert.That(whileStopped, Is.Zero, "the stop sent a SIGCHLD");
    }
}
