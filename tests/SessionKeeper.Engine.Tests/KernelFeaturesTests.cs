using System.Diagnostics;
using System.Text.Json;
using SessionKeeper.Tests.Shared;
using SessionKeeper.Native;
using SessionKeeper.ProcessControl;

namespace SessionKeeper.Engine.Tests;

/// <summary>
/// <see cref="KernelFeatures.Probe()"/> on this machine, which has everything the engine needs
/// (root, kernel 6.18 with CONFIG_CHECKPOINT_RESTORE, nft). Two informational features are
/// genuinely absent here and are expected to say so: CAP_SYS_RESOURCE is not even in the
/// bounding set, and the kernel is built without CONFIG_MEM_SOFT_DIRTY.
/// </summary>
[NonParallelizable]
public sealed class KernelFeaturesTests
{
    private static readonly string[] s_essential =
    [
        KernelFeatures.PtraceSeize, KernelFeatures.ProcessVmReadv, KernelFeatures.PidfdGetfd, KernelFeatures.Clone3SetTid,
        KernelFeatures.ArchMapVdso, KernelFeatures.PrctlMmMap, KernelFeatures.CapCheckpointRestore, KernelFeatures.CapSysPtrace,
    ];

    private KernelFeatureReport _report = null!;

    [OneTimeSetUp]
    public void ProbeOnce()
    {
        _report = KernelFeatures.Probe();
        foreach (FeatureResult result in _report.Results)
        {
            TestContext.Progress.WriteLine($"{result.Name,-24} {result.StateText,-18} {result.Elapsed.TotalMilliseconds,7:F1} ms  {result.Detail}");
        }
        TestContext.Progress.WriteLine($"{_report.Summary} in {_report.Elapsed.TotalMilliseconds:F0} ms");
    }

    [Test]
    public void Probe_ThisMachine_EveryEssentialAndOptionalFeatureIsAvailable()
    {
        Assert.Multiple(() =>
        {
            foreach (FeatureResult result in _report.Results.Where(r => r.Importance != FeatureImportance.Informational))
            {
                Assert.That(result.State, Is.EqualTo(FeatureState.Ok), result.ToString());
            }
            Assert.That(_report.EssentialAvailable, Is.True);
            Assert.That(_report.MissingEssential, Is.Empty);
        });
    }

    [Test]
    public void Probe_ThisMachine_InformationalFeaturesGiveAnAnswerNotAnError()
    {
        Assert.Multiple(() =>
        {
            foreach (FeatureResult result in _report.Results.Where(r => r.Importance == FeatureImportance.Informational))
            {
                Assert.That(result.State, Is.Not.EqualTo(FeatureState.Error), result.ToString());
            }
        });
    }

    [Test]
    public void Probe_ThisMachine_ListsEveryProbeOnceInOrderWithTheEssentialOnesMarked()
    {
        Assert.Multiple(() =>
        {
            Assert.That(_report.Results.Select(r => r.Name), Is.EqualTo(KernelFeatures.Names));
            Assert.That(KernelFeatures.Names, Is.Unique);
            Assert.That(KernelFeatures.Names, Has.Count.EqualTo(19));
            Assert.That(_report.Results.Where(r => r.Essential).Select(r => r.Name), Is.EquivalentTo(s_essential));
            Assert.That(_report.Results.Select(r => r.Enables), Has.All.Not.Empty);
            Assert.That(_report.Results.Select(r => r.Detail), Has.All.Not.Empty);
        });
    }

    [Test]
    public void Probe_Always_LeavesNoThrowawayProcessBehind()
    {
        // Four sleepers and the child clone3 created inside one of them.
        Assert.That(_report.ThrowawayPids, Has.Count.EqualTo(5));
        Assert.That(_report.CleanupProblems, Is.Empty);
        foreach (int pid in _report.ThrowawayPids)
        {
            Assert.That(WaitGone(pid, TimeSpan.FromSeconds(10)), Is.True,
                $"throwaway pid {pid} ({ProcTasks.Comm(pid)}, state {ProcTasks.State(pid)}) is still there");
        }
    }

    [Test]
    public void Probe_Always_LeavesNoNftablesTableBehind()
    {
        var start = new ProcessStartInfo("nft") { RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add("list");
        start.ArgumentList.Add("tables");
        using Process nft = Process.Start(start)!;
        string tables = nft.StandardOutput.ReadToEnd();
        nft.WaitForExit();

        Assert.That(tables, Does.Not.Contain("keeper_probe_"));
    }

    [Test]
    public void Probe_ProbeThrows_BecomesItsResultAndTheOthersStillRun()
    {
        int seized = 0;
        ProbeDefinition[] probes =
        [
            new("throws", FeatureImportance.Essential, "nothing", _ => throw new InvalidOperationException("probe bug")),
            new("refused", FeatureImportance.Optional, "nothing", _ => throw new ErrnoException(Errno.EPERM, "ptrace(PTRACE_SEIZE)", "tid 1")),
            new("seizes-then-throws", FeatureImportance.Optional, "nothing", context =>
            {
                seized = context.Stopped(ThrowawayRole.Observed).Pid;
                throw new TimeoutException("gave up");
            }),
            new("runs", FeatureImportance.Optional, "nothing", _ => ProbeOutcome.Ok("ran")),
        ];

        KernelFeatureReport report = KernelFeatures.Probe(probes);

        Assert.Multiple(() =>
        {
            Assert.That(report["throws"].State, Is.EqualTo(FeatureState.Error));
            Assert.That(report["throws"].Detail, Does.Contain("probe bug"));
            Assert.That(report["refused"].State, Is.EqualTo(FeatureState.Missing));
            Assert.That(report["refused"].Errno, Is.EqualTo(Errno.EPERM));
            Assert.That(report["refused"].StateText, Is.EqualTo("missing (EPERM)"));
            Assert.That(report["seizes-then-throws"].State, Is.EqualTo(FeatureState.Error));
            Assert.That(report["runs"].State, Is.EqualTo(FeatureState.Ok));
            Assert.That(report.Summary, Does.StartWith("1 essential feature missing: throws"));
            Assert.That(report.ThrowawayPids, Does.Contain(seized));
            Assert.That(ProcTasks.State(seized), Is.Null.Or.EqualTo('Z'), "the seized throwaway was killed although its probe threw");
        });
    }

    [Test]
    public void WriteJson_Report_IsValidJsonListingEveryProbe()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            _report.WriteJson(writer);
        }

        using JsonDocument document = JsonDocument.Parse(buffer.ToArray());
        AssertJsonListsEveryProbe(document.RootElement, _report);
    }

    [Test]
    public void Summary_AllAvailable_SaysAllPassed()
    {
        KernelFeatureReport report = Report(("a", FeatureImportance.Essential, FeatureState.Ok), ("b", FeatureImportance.Optional, FeatureState.Ok));

        Assert.That(report.Summary, Is.EqualTo("all 2 probes passed"));
    }

    [Test]
    public void Summary_TwoEssentialMissing_NamesThem()
    {
        KernelFeatureReport report = Report(
            ("a", FeatureImportance.Essential, FeatureState.Missing),
            ("b", FeatureImportance.Essential, FeatureState.Error),
            ("c", FeatureImportance.Essential, FeatureState.Ok));

        Assert.Multiple(() =>
        {
            Assert.That(report.Summary, Is.EqualTo("2 essential features missing: a, b"));
            Assert.That(report.EssentialAvailable, Is.False);
        });
    }

    [Test]
    public void Summary_OnlyOptionalMissing_SaysEssentialPresentAndNamesTheRest()
    {
        KernelFeatureReport report = Report(
            ("a", FeatureImportance.Essential, FeatureState.Ok),
            ("b", FeatureImportance.Optional, FeatureState.Missing),
            ("c", FeatureImportance.Informational, FeatureState.Missing));

        Assert.That(report.Summary, Is.EqualTo(
            "all essential features present; 1 of 3 probes passed; not available: b (optional), c (informational)"));
    }

    [Test]
    public void Require_MissingFeature_ThrowsNamingOperationAndFeature()
    {
        KernelFeatureReport report = Report(("a", FeatureImportance.Essential, FeatureState.Ok), ("b", FeatureImportance.Optional, FeatureState.Missing));

        report.Require("save", "a");
        var e = Assert.Throws<KernelFeatureMissingException>(() => report.Require("save", "a", "b"));

        Assert.That(e!.Message, Does.StartWith("save needs b, missing here: b is missing"));
    }

    [Test]
    public void CheckCommand_BuiltCli_PrintsTableAndExitsZero()
    {
        (int exitCode, string stdout, string stderr) = KeeperProcess.Run(null, "check");

        string[] lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.Zero, stdout + stderr);
            Assert.That(stderr, Is.Empty);
            Assert.That(lines[0], Does.Match("^FEATURE +NEED +STATE +ENABLES$"));
            foreach (string name in KernelFeatures.Names)
            {
                Assert.That(lines, Has.One.Match($"^{name} +(essential|optional|info) +(ok|missing|error)"), name);
            }
            // Columns line up: every row's state starts where the header's STATE does.
            int stateColumn = lines[0].IndexOf("STATE", StringComparison.Ordinal);
            Assert.That(lines.Where(l => !l.StartsWith(' ') && !l.StartsWith("kernel ", StringComparison.Ordinal)).Select(l => l[stateColumn - 1]),
                Has.All.EqualTo(' '));
            Assert.That(lines[^1], Does.Match(@"^kernel \S+: all (essential features present|\d+ probes passed).* \(\d+ ms\)$"));
        });
    }

    [Test]
    public void CheckCommand_BuiltCliWithJson_PrintsValidJsonAndExitsZero()
    {
        (int exitCode, string stdout, string stderr) = KeeperProcess.Run(null, "check", "--json");

        Assert.That(exitCode, Is.Zero, stdout + stderr);
        using JsonDocument document = JsonDocument.Parse(stdout);
        AssertJsonListsEveryProbe(document.RootElement, null);
        Assert.That(document.RootElement.GetProperty("essentialAvailable").GetBoolean(), Is.True);
    }

    private static void AssertJsonListsEveryProbe(JsonElement root, KernelFeatureReport? report)
    {
        JsonElement[] probes = root.GetProperty("probes").EnumerateArray().ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(root.GetProperty("kernel").GetString(), Is.Not.Empty);
            Assert.That(root.GetProperty("summary").GetString(), Is.Not.Empty);
            Assert.That(root.GetProperty("elapsedMs").GetDouble(), Is.GreaterThan(0));
            Assert.That(probes.Select(p => p.GetProperty("name").GetString()), Is.EqualTo(KernelFeatures.Names));
            foreach (JsonElement probe in probes)
            {
                string name = probe.GetProperty("name").GetString()!;
                Assert.That(probe.GetProperty("state").GetString(), Is.AnyOf("ok", "missing", "error"), name);
                Assert.That(probe.GetProperty("importance").GetString(), Is.AnyOf("essential", "optional", "informational"), name);
                Assert.That(probe.GetProperty("essential").GetBoolean(), Is.EqualTo(probe.GetProperty("importance").GetString() == "essential"), name);
                Assert.That(probe.GetProperty("errno").ValueKind, Is.AnyOf(JsonValueKind.Null, JsonValueKind.String), name);
                Assert.That(probe.GetProperty("detail").GetString(), Is.Not.Empty, name);
                Assert.That(probe.GetProperty("enables").GetString(), Is.Not.Empty, name);
                if (report is not null)
                {
                    Assert.That(probe.GetProperty("state").GetString(), Is.EqualTo(report[name].State.ToString().ToLowerInvariant()), name);
                }
            }
        });
    }

    private static KernelFeatureReport Report(params (string Name, FeatureImportance Importance, FeatureState State)[] results)
        => new(
            results.Select(r => new FeatureResult(r.Name, r.Importance, r.State, $"{r.Name} is {r.State.ToString().ToLowerInvariant()}", "tests", null, TimeSpan.Zero)).ToList(),
            TimeSpan.FromMilliseconds(1), "test", [], []);

    /// <summary>Dead and reaped: init reaps the killed throwaways, late on these machines (1–2 s).</summary>
    private static bool WaitGone(int pid, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (ProcTasks.State(pid) is not null)
        {
            if (clock.Elapsed > timeout)
            {
                return false;
            }
            Thread.Sleep(20);
        }
        return true;
    }
}
