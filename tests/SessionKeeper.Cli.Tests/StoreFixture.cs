using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using SessionKeeper.Engine.Tests.Dump;
using SessionKeeper.Tests.Shared;

namespace SessionKeeper.Cli.Tests;

/// <summary>
/// A private snapshot store per test (passed with --store) and helpers to run keeper on it.
/// </summary>
public abstract class StoreFixture
{
    private readonly List<DumpTarget> _targets = [];
    private readonly List<int> _restored = [];

    /// <summary>Parent of the test's store; the store itself is created by the first save.</summary>
    protected string Scratch { get; private set; } = null!;

    /// <summary>The store directory.</summary>
    protected string Store => Path.Combine(Scratch, "store");

    [SetUp]
    public void CreateScratch() => Scratch = Directory.CreateTempSubdirectory("keeper-store-cli-").FullName;

    [TearDown]
    public void RemoveScratch()
    {
        foreach (DumpTarget target in _targets)
        {
            target.Dispose();
        }
        foreach (int pid in _restored)
        {
            Native.Interop.TryKill(pid, Native.Signals.SIGKILL);
        }
        Directory.Delete(Scratch, recursive: true);
    }

    /// <summary>Runs keeper on the test's store.</summary>
    protected (int Code, string Stdout, string Stderr) Keeper(params string[] arguments) =>
        KeeperProcess.Run(null, [.. arguments, "--store", Store]);

    /// <summary>Runs keeper and asserts success.</summary>
    protected string KeeperOk(params string[] arguments)
    {
        (int code, string stdout, string stderr) = Keeper(arguments);
        Assert.That(code, Is.Zero, $"keeper {string.Join(' ', arguments)}: {stderr}");
        return stdout;
    }

    /// <summary>Starts a tree (killed at teardown).</summary>
    internal DumpTarget Start(string comm, string shellCommand)
    {
        DumpTarget target = DumpTarget.Start(comm, shellCommand);
        _targets.Add(target);
        return target;
    }

    /// <summary>
    /// Starts the system's python3 holding <paramref name="mebibytes"/> MiB of random bytes
    /// (nothing to compress) and waits until they are allocated.
    /// </summary>
    internal DumpTarget StartHolding(int mebibytes, int sleep)
    {
        DumpTarget python = Start("python3",
            $"/usr/bin/python3 -c 'import os, sys, time; b = os.urandom({mebibytes} << 20); open(sys.argv[1] + \"/ready\", \"w\").close(); time.sleep({sleep})' \"$DIR\"");
        var clock = Stopwatch.StartNew();
        while (!File.Exists(Path.Combine(python.Directory, "ready")))
        {
            Assert.That(clock.ElapsedMilliseconds, Is.LessThan(10_000), "python3 did not get ready");
            Thread.Sleep(10);
        }
        return python;
    }

    /// <summary>Kills <paramref name="pid"/> at teardown (a restored process is no DumpTarget).</summary>
    protected void KillLater(int pid) => _restored.Add(pid);

    /// <summary>The pid as keeper takes it on the command line.</summary>
    protected static string Text(int pid) => pid.ToString(CultureInfo.InvariantCulture);

    /// <summary>`keeper snapshots --json`, parsed.</summary>
    protected List<JsonElement> Snapshots()
    {
        using JsonDocument document = JsonDocument.Parse(KeeperOk("snapshots", "--json"));
        return document.RootElement.EnumerateArray().Select(e => e.Clone()).ToList();
    }

    /// <summary>One generation's row of `keeper snapshots --json`.</summary>
    protected JsonElement Snapshot(string name, string generation) =>
        Snapshots().Single(s => s.GetProperty("name").GetString() == name && s.GetProperty("generation").GetString() == generation);

    /// <summary>Waits until the process is gone (or a zombie), then until its pid is free (init reaps late).</summary>
    protected static void WaitFree(int pid)
    {
        Assert.That(DumpTarget.WaitGone(pid, 10_000), Is.True, $"pid {pid} did not end");
        var clock = Stopwatch.StartNew();
        while (File.Exists($"/proc/{pid}/stat") && clock.ElapsedMilliseconds < 10_000)
        {
            Thread.Sleep(10);
        }
    }

    /// <summary>The keeper command as a shell word list, for pipelines.</summary>
    protected static string ShellKeeper => KeeperProcess.Binary.EndsWith(".dll", StringComparison.Ordinal)
        ? $"dotnet '{KeeperProcess.Binary}'"
        : $"'{KeeperProcess.Binary}'";

    /// <summary>Runs a shell pipeline and returns its exit code and stderr.</summary>
    protected static (int Code, string Stderr) Shell(string command)
    {
        var info = new ProcessStartInfo("bash") { RedirectStandardError = true, RedirectStandardOutput = true };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("set -o pipefail; " + command);
        using Process shell = Process.Start(info)!;
        Task<string> stdout = shell.StandardOutput.ReadToEndAsync();
        string stderr = shell.StandardError.ReadToEnd();
        shell.WaitForExit();
        _ = stdout.Result;
        return (shell.ExitCode, stderr);
    }

    /// <summary>Flips one byte of <paramref name="path"/> at <paramref name="offset"/>.</summary>
    protected static void FlipByte(string path, long offset)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        file.Position = offset;
        int b = file.ReadByte();
        file.Position = offset;
        file.WriteByte((byte)(b ^ 0x5a));
    }
}
