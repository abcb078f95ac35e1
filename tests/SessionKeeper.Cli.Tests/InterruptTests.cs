using System.Diagnostics;
using SessionKeeper.Engine.Tests.Dump;
using SessionKeeper.Tests.Shared;

namespace SessionKeeper.Cli.Tests;

/// <summary>
/// Ctrl-C (SIGINT) or SIGTERM in the middle of `keeper save`: keeper stops at its next safe
/// point, exits 130, and the session runs on as it was, with no snapshot and nothing left in
/// the store; with --stop the session is not ended.
/// </summary>
[TestFixture]
public sealed class InterruptTests : StoreFixture
{
    [TestCase(false, "INT")]
    [TestCase(true, "INT")]
    [TestCase(true, "TERM")]
    public void SignalWhileTheTreeIsFrozen_LeavesTheSessionRunning_AndNoSnapshot(bool stop, string signal)
    {
        // 160 MiB: large enough for the memory reserve and for a save that takes a while.
        DumpTarget python = StartHolding(160, 1205);
        string[] arguments = ["save", "--pid", Text(python.Pid), "cut", "--verbose", "--store", Store, .. stop ? new[] { "--stop" } : []];

        (int code, string stderr) = RunAndSignal(arguments, "froze ", signal == "INT" ? Native.Signals.SIGINT : Native.Signals.SIGTERM);

        Assert.That(code, Is.EqualTo(130), stderr);
        Assert.That(stderr, Does.Contain($"SIG{signal}: stopping at the next safe point").And.Contain("error: interrupted"));
        Assert.That(DumpTarget.State(python.Pid), Is.AnyOf('S', 'R'), "the session runs on");
        Assert.That(DumpTarget.TracerPid(python.Pid), Is.Zero, "and nobody traces it");
        Assert.That(KeeperOk("snapshots", "--names"), Is.Empty, "no snapshot");
        string temporary = Path.Combine(Store, "tmp");
        Assert.That(Directory.Exists(temporary) ? Directory.GetFileSystemEntries(temporary) : [], Is.Empty, "no staging directory left");

        // And the session saves as usual afterwards.
        Assert.That(KeeperOk("save", "--pid", Text(python.Pid), "cut"), Does.Contain("saved cut@1"));
    }

    [Test]
    public void SignalWhileTheSnapshotIsChecked_CreatesNothing_AndTheSnapshotStillRestores()
    {
        DumpTarget python = StartHolding(160, 1206);
        KeeperOk("save", "--pid", Text(python.Pid), "cut", "--stop");
        WaitFree(python.Pid);

        (int code, string stderr) = RunAndSignal(["restore", "cut", "--verbose", "--store", Store], "and where its", Native.Signals.SIGTERM);

        Assert.That(code, Is.EqualTo(130), stderr);
        Assert.That(stderr, Does.Contain("error: interrupted"));
        Assert.That(File.Exists($"/proc/{python.Pid}/stat"), Is.False, "no process was created");
        string restored = KeeperOk("restore", "cut");
        KillLater(python.Pid);
        Assert.That(restored, Does.Contain("restored cut@1"));
        Assert.That(File.ReadAllText($"/proc/{python.Pid}/cmdline"), Does.StartWith("/usr/bin/python3"));
    }

    // Runs keeper, sends `signal` as soon as a stderr line contains `trigger`, and returns its
    // exit code and stderr.
    private static (int Code, string Stderr) RunAndSignal(string[] arguments, string trigger, int signal)
    {
        // Through python3, which puts SIGINT back to its default before it execs keeper: a test
        // run started in the background (nohup, `&` in a script) inherits SIGINT ignored, and
        // keeper, like any program, leaves a signal alone that it was started ignoring.
        var start = new ProcessStartInfo("python3")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execvp(sys.argv[1], sys.argv[1:])");
        if (KeeperProcess.Binary.EndsWith(".dll", StringComparison.Ordinal))
        {
            start.ArgumentList.Add("dotnet");
        }
        start.ArgumentList.Add(KeeperProcess.Binary);
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using Process keeper = Process.Start(start)!;
        Task<string> stdout = keeper.StandardOutput.ReadToEndAsync();
        var stderr = new System.Text.StringBuilder();
        bool sent = false;
        while (keeper.StandardError.ReadLine() is string line)
        {
            stderr.AppendLine(line);
            if (!sent && line.Contains(trigger, StringComparison.Ordinal))
            {
                Native.Interop.TryKill(keeper.Id, signal);
                sent = true;
            }
        }
        if (!keeper.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            keeper.Kill();
            Assert.Fail("keeper did not exit after the signal");
        }
        _ = stdout.Result;
        Assert.That(sent, Is.True, $"keeper never printed \"{trigger}\": {stderr}");
        return (keeper.ExitCode, stderr.ToString());
    }
}
