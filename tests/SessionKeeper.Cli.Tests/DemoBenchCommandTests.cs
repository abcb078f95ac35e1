using System.Text.Json;

namespace SessionKeeper.Cli.Tests;

/// <summary>
/// <c>keeper demo</c> and <c>keeper bench</c> run as a user runs them: the demo's session
/// really comes back with vim's unsaved line, and the benchmark produces every figure (its
/// numbers are not judged here: timings belong to the benchmark itself, on an idle machine).
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class DemoBenchCommandTests : StoreFixture
{
    [Test]
    public void Demo_SavesEndsAndRestoresAScreenSession_WhoseVimStillHoldsItsText()
    {
        try
        {
            (int code, string stdout, string stderr) = Keeper("demo");

            Assert.That(code, Is.Zero, stdout + stderr);
            Assert.That(stdout, Does.Contain("saved keeper-demo@1").And.Contain("none of its processes runs")
                .And.Contain("vim still holds its unsaved line").And.Contain("screen -r keeper-demo"));
            (int listCode, string snapshots, _) = Keeper("snapshots", "--names");
            Assert.That(listCode, Is.Zero);
            Assert.That(snapshots.Split('\n'), Does.Contain("keeper-demo"));
            (_, string list, _) = Keeper("list");
            Assert.That(list, Does.Contain("keeper-demo"), "the restored session is a live screen session again");
        }
        finally
        {
            RunShell("screen -S keeper-demo -X quit");
        }
    }

    [Test]
    public void Bench_SmallRun_ReportsEveryFigureAsJsonWithRunsAndTargets()
    {
        (int code, string stdout, string stderr) = Keeper("bench", "--runs", "2", "--memory-mib", "80", "--memory-runs", "1", "--json");

        Assert.That(code, Is.Zero, stderr);
        using JsonDocument document = JsonDocument.Parse(stdout);
        JsonElement[] figures = [.. document.RootElement.EnumerateArray()];
        string[] names = [.. figures.Select(f => f.GetProperty("name").GetString()!)];
        Assert.Multiple(() =>
        {
            Assert.That(names, Has.Some.Contains("save").And.Some.Contains("freeze").And.Some.Contains("restore")
                .And.Some.Contains("resident memory").And.Some.Contains("unchanged session").And.Some.Contains("copied out of the frozen process")
                .And.Some.Contains("faulted in before the freeze")
                .And.Some.Contains("this machine: first write").And.Some.Contains("written to a file and fsynced")
                .And.Some.Contains("`keeper --version` run the same way"));
            Assert.That(figures.Where(f => f.GetProperty("name").GetString()!.StartsWith("demo session: `keeper save", StringComparison.Ordinal))
                .Select(f => f.GetProperty("runs").GetArrayLength()), Is.EqualTo(new[] { 2 }), "one value per run");
            Assert.That(figures.Where(f => f.TryGetProperty("target", out _)).Select(f => f.GetProperty("met").ValueKind),
                Is.All.AnyOf(JsonValueKind.True, JsonValueKind.False));
            Assert.That(figures.Select(f => f.GetProperty("median").GetDouble()), Is.All.GreaterThan(0), "every figure was measured");
        });
    }

    private static void RunShell(string script)
    {
        using var process = System.Diagnostics.Process.Start("/bin/sh", ["-c", script]);
        process.WaitForExit();
    }
}
