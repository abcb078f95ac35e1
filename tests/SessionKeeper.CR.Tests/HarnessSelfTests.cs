using System.Diagnostics;
using System.Globalization;
using SessionKeeper.CR.Tests.Harness;

namespace SessionKeeper.CR.Tests;

/// <summary>The harness reports what goes wrong, and cleans up after it.</summary>
[TestFixture]
public sealed class HarnessSelfTests
{
    private static readonly NamespaceMode[] s_modes = Enum.GetValues<NamespaceMode>();

    [TestCaseSource(nameof(s_modes))]
    public void Run_ProgramReportsFailure_VerdictIsFailWithItsReason(NamespaceMode mode)
    {
        ZdtmResult result = ZdtmRunner.Run(ZdtmProgram.Get("selftest", "always_fail"), new ZdtmRunOptions { Mode = mode });

        Assert.Multiple(() =>
        {
            Assert.That(result.Verdict, Is.EqualTo(ZdtmVerdict.Fail), result.Describe);
            Assert.That(result.Reason, Is.EqualTo("deliberate failure: the harness must report this reason"), result.Describe);
            Assert.That(result.Log, Does.Contain("FAIL: deliberate failure"), "the program's log is part of the result");
            Assert.That(result.Survivors, Is.Empty, result.Describe);
        });
    }

    // A program that stalls before it is ready, and one that stalls after SIGTERM; both have a
    // child, so more than the process the harness started has to be killed.
    private static IEnumerable<TestCaseData> StallingPrograms() =>
        from mode in s_modes
        from stall in (object[][])[
            ["no_pidfile", ZdtmVerdict.NotReady, "no pidfile within", "prepare"],
            ["no_verdict", ZdtmVerdict.NoVerdict, "no verdict within", "ignoring SIGTERM from now on"]]
        select new TestCaseData([.. stall, mode]).SetArgDisplayNames((string)stall[0], mode.ToString());

    [TestCaseSource(nameof(StallingPrograms))]
    public void Run_ProgramStalls_TimesOutWithItsLogAndKillsTheTree(string fixture, ZdtmVerdict expected, string reason, string logLine, NamespaceMode mode)
    {
        var options = new ZdtmRunOptions { Mode = mode, ReadyTimeout = TimeSpan.FromSeconds(1), VerdictTimeout = TimeSpan.FromSeconds(1) };

        ZdtmResult result = ZdtmRunner.Run(ZdtmProgram.Get("selftest", fixture), options);

        Assert.Multiple(() =>
        {
            Assert.That(result.Verdict, Is.EqualTo(expected), result.Describe);
            Assert.That(result.Reason, Does.Contain(reason), result.Describe);
            Assert.That(result.Log, Does.Contain(logLine), "the program's log is part of the result");
            Assert.That(result.Survivors, Is.Empty, result.Describe);
            Assert.That(ProgramsStillRunning(result.WorkDirectory), Is.Empty, "processes of the run are left");
        });
    }

    [TestCaseSource(nameof(s_modes))]
    public void Run_ProgramCrashesAfterSignal_NoVerdictWithoutWaitingForTheTimeout(NamespaceMode mode)
    {
        var options = new ZdtmRunOptions { Mode = mode, VerdictTimeout = TimeSpan.FromSeconds(30) };
        var clock = System.Diagnostics.Stopwatch.StartNew();

        ZdtmResult result = ZdtmRunner.Run(ZdtmProgram.Get("selftest", "crash"), options);

        Assert.Multiple(() =>
        {
            Assert.That(result.Verdict, Is.EqualTo(ZdtmVerdict.NoVerdict), result.Describe);
            Assert.That(result.Reason, Does.Contain("ended without a verdict"), result.Describe);
            Assert.That(result.Log, Does.Contain("aborting instead of checking"), result.Describe);
            Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)), result.Describe);
            Assert.That(ProgramsStillRunning(result.WorkDirectory), Is.Empty, "processes of the run are left");
        });
    }

    [Test]
    public void Executable_SourceDoesNotCompile_ThrowsWithCompilerMessage()
    {
        string source = Path.Combine(ZdtmRunner.RunsDirectory, "broken.c");
        Directory.CreateDirectory(ZdtmRunner.RunsDirectory);
        File.WriteAllText(source, "int main(void) { return undeclared_name; }\n");

        var error = Assert.Throws<ZdtmBuildException>(() => ZdtmBuild.Executable(new ZdtmProgram("selftest", "broken", source)));

        Assert.That(error.Message, Does.Contain("undeclared_name").And.Contain("error"));
    }

    [Test]
    public void Run_StepThrows_HarnessErrorAndTreeKilled()
    {
        var options = new ZdtmRunOptions { Step = new ThrowingStep() };

        ZdtmResult result = ZdtmRunner.Run(ZdtmProgram.Get("static", "pid_ppid"), options);

        Assert.Multiple(() =>
        {
            Assert.That(result.Verdict, Is.EqualTo(ZdtmVerdict.HarnessError), result.Describe);
            Assert.That(result.Reason, Does.Contain("step throwing failed"), result.Describe);
            Assert.That(ProgramsStillRunning(result.WorkDirectory), Is.Empty, "processes of the run are left");
        });
    }

    [TestCaseSource(nameof(s_modes))]
    public void Run_StepEndsTheTreeWithoutRestoring_HarnessErrorNamingTheRoot(NamespaceMode mode)
    {
        var options = new ZdtmRunOptions { Mode = mode, Step = new KillingStep(), KeepRunning = false };

        ZdtmResult result = ZdtmRunner.Run(ZdtmProgram.Get("static", "pid_ppid"), options);

        Assert.Multiple(() =>
        {
            Assert.That(result.Verdict, Is.EqualTo(ZdtmVerdict.HarnessError), result.Describe);
            Assert.That(result.Reason, Does.Contain("returned root").And.Contain("not running"), result.Describe);
            Assert.That(ProgramsStillRunning(result.WorkDirectory), Is.Empty, "processes of the run are left");
        });
    }

    [Test]
    public void Run_StepGetsTheLiveRootAndTestPid_ForEachMode([Values] NamespaceMode mode)
    {
        var step = new RecordingStep();

        ZdtmResult result = ZdtmRunner.Run(ZdtmProgram.Get("static", "pid_ppid"), new ZdtmRunOptions { Mode = mode, Step = step });

        Assert.That(result.Verdict, Is.EqualTo(ZdtmVerdict.Pass), result.Describe);
        Assert.That(step.Seen, Is.Not.Null);
        CheckpointRestoreContext seen = step.Seen!;
        Assert.Multiple(() =>
        {
            Assert.That(step.RootWasAlive && step.TestWasAlive, Is.True, "the step runs on a live tree");
            Assert.That(Directory.Exists(seen.ImagesDirectory), Is.True);
            if (mode == NamespaceMode.Host)
            {
                Assert.That(seen.TestPid, Is.EqualTo(seen.RootPid));
            }
            else
            {
                Assert.That(step.RootPidsInside, Is.EqualTo(1), "ns_init is pid 1 of the tree's namespace");
                Assert.That(seen.TestPid, Is.Not.EqualTo(seen.RootPid));
                Assert.That(step.LoopbackFlags, Does.Contain(",UP"), "ns_init brings up lo");
                Assert.That(step.SharedNamespaces, Is.Empty, "namespaces the tree shares with the harness");
            }
        });
    }

    // Every process whose command line names the run's directory: the program, its children,
    // ns_init and unshare all carry the pidfile path in their arguments.
    private static List<int> ProgramsStillRunning(string workDirectory) =>
        ProcFs.AllPids()
            .Where(pid => ProcFs.IsAlive(pid)
                && (ProcFs.TryReadText($"/proc/{pid}/cmdline") ?? "").Contains(workDirectory + "/", StringComparison.Ordinal))
            .ToList();

    private sealed class ThrowingStep : ICheckpointRestoreStep
    {
        public string Name => "throwing";

        public int Run(CheckpointRestoreContext context, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("this step always fails");
    }

    // What a dump-and-stop step does before it restores: the tree ends. Without the restore
    // the root it returns is gone.
    private sealed class KillingStep : ICheckpointRestoreStep
    {
        public string Name => "killing";

        public int Run(CheckpointRestoreContext context, CancellationToken cancellationToken)
        {
            Signal.Kill(context.RootPid);
            while (ProcFs.IsAlive(context.RootPid))
            {
                cancellationToken.ThrowIfCancellationRequested();
                Thread.Sleep(10);
            }
            return context.RootPid;
        }
    }

    private sealed class RecordingStep : ICheckpointRestoreStep
    {
        public string Name => "recording";

        public CheckpointRestoreContext? Seen { get; private set; }

        public bool RootWasAlive { get; private set; }

        public bool TestWasAlive { get; private set; }

        public int RootPidsInside { get; private set; }

        public string LoopbackFlags { get; private set; } = "";

        public List<string> SharedNamespaces { get; private set; } = [];

        // ip(8) run in the tree's network namespace: "1: lo: <LOOPBACK,UP,LOWER_UP> mtu ...".
        private static string LinkFlags(int pid, string link)
        {
            var start = new ProcessStartInfo("nsenter") { RedirectStandardOutput = true };
            foreach (string argument in (string[])["--target", pid.ToString(CultureInfo.InvariantCulture), "--net", "ip", "-o", "link", "show", link])
            {
                start.ArgumentList.Add(argument);
            }
            using Process ip = Process.Start(start)!;
            string output = ip.StandardOutput.ReadToEnd();
            ip.WaitForExit();
            return output;
        }

        public int Run(CheckpointRestoreContext context, CancellationToken cancellationToken)
        {
            Seen = context;
            RootWasAlive = ProcFs.IsAlive(context.RootPid);
            TestWasAlive = ProcFs.IsAlive(context.TestPid);
            RootPidsInside = ProcFs.NamespacePids(context.RootPid)[^1];
            if (context.Mode == NamespaceMode.Namespaces)
            {
                LoopbackFlags = LinkFlags(context.RootPid, "lo");
                SharedNamespaces = ((string[])["pid", "mnt", "net", "ipc"])
                    .Where(kind => ProcFs.Namespace(context.TestPid, kind) == ProcFs.Namespace(Environment.ProcessId, kind))
                    .ToList();
            }
            return context.RootPid;
        }
    }
}
