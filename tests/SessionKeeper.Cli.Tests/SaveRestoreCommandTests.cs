using System.Text.Json;
using SessionKeeper.Engine.Tests.Dump;

namespace SessionKeeper.Cli.Tests;

/// <summary>`keeper save`, `keeper restore NAME`, `keeper snapshots` and `keeper show`, run as the user runs them.</summary>
[TestFixture]
public sealed class SaveRestoreCommandTests : StoreFixture
{
    [Test]
    public void Save_Pid_ListsTheGenerationWithKindProcessesAndSizes()
    {
        DumpTarget tree = Start("bash", "bash -c 'sleep 1201 & sleep 1202 & wait'");
        DumpTarget.WaitForChildren(tree.Pid, 2);

        string saved = KeeperOk("save", "--pid", Text(tree.Pid), "work");

        Assert.That(saved, Does.Contain("saved work@1").And.Contain("3 process(es)").And.Contain("runs on"));
        JsonElement row = Snapshot("work", "1");
        Assert.That(row.GetProperty("kind").GetString(), Is.EqualTo("tree"));
        Assert.That(row.GetProperty("processes").GetInt32(), Is.EqualTo(3));
        Assert.That(row.GetProperty("memory_bytes").GetInt64(), Is.GreaterThan(0));
        Assert.That(row.GetProperty("disk_bytes").GetInt64(), Is.GreaterThan(0));
        Assert.That(row.GetProperty("running").GetBoolean(), Is.True, "the tree runs on after a save without --stop");
        Assert.That(KeeperOk("snapshots", "--names"), Is.EqualTo("work\n"));
        Assert.That(KeeperOk("snapshots"), Does.Contain("work@1").And.Contain("tree").And.Contain("running"));
        Assert.That(DumpTarget.State(tree.Pid), Is.Not.EqualTo('?'), "still alive");
    }

    [Test]
    public void SaveTwice_UnchangedTree_SecondWritesUnderATenthOfTheFirst()
    {
        // 16 MiB of random bytes: nothing to compress, so the first save stores them all.
        DumpTarget python = StartHolding(16, 1203);

        KeeperOk("save", "--pid", Text(python.Pid), "py");
        KeeperOk("save", "--pid", Text(python.Pid), "py");

        long first = Snapshot("py", "1").GetProperty("new_stored_bytes").GetInt64();
        long second = Snapshot("py", "2").GetProperty("new_stored_bytes").GetInt64();
        Assert.That(first, Is.GreaterThan(16L << 20));
        Assert.That(second, Is.LessThan(first / 10), "the unchanged pages are already in the store");
        Assert.That(Snapshot("py", "1").GetProperty("disk_bytes").GetInt64(),
            Is.LessThan(Snapshot("py", "1").GetProperty("resident_bytes").GetInt64()), "first snapshot smaller than the resident memory");
    }

    [Test]
    public void SaveStop_ThenRestoreByName_BringsTheTreeBackWithItsPid()
    {
        DumpTarget sleeper = Start("sleep", "sleep 1204");

        string saved = KeeperOk("save", "--pid", Text(sleeper.Pid), "nap", "--stop");
        Assert.That(saved, Does.Contain("ended"));
        WaitFree(sleeper.Pid);
        Assert.That(Snapshot("nap", "1").GetProperty("running").GetBoolean(), Is.False);

        string restored = KeeperOk("restore", "nap");
        KillLater(sleeper.Pid);

        Assert.That(restored, Does.Contain("restored nap@1").And.Contain(Text(sleeper.Pid)));
        Assert.That(File.ReadAllText($"/proc/{sleeper.Pid}/cmdline"), Is.EqualTo("sleep\01204\0"));
        Assert.That(Snapshot("nap", "1").GetProperty("running").GetBoolean(), Is.True, "the restored tree counts as the running session");
    }

    [Test]
    public void Restore_WhileTheSessionRuns_IsRefused_ReplaceEndsItAndRestores()
    {
        DumpTarget sleeper = Start("sleep", "sleep 1205");
        KeeperOk("save", "--pid", Text(sleeper.Pid), "busy");
        ulong startedBefore = StartTime(sleeper.Pid);

        (int code, string stdout, string stderr) = Keeper("restore", "busy");

        Assert.That(code, Is.EqualTo(1));
        Assert.That(stdout, Is.Empty);
        Assert.That(stderr, Does.StartWith("error: ").And.Contain("still runs").And.Contain(Text(sleeper.Pid)).And.Contain("--replace"));
        Assert.That(StartTime(sleeper.Pid), Is.EqualTo(startedBefore), "the running session was not touched");

        string replaced = KeeperOk("restore", "busy", "--replace");
        KillLater(sleeper.Pid);

        Assert.That(replaced, Does.Contain("ended 1 process"));
        Assert.That(StartTime(sleeper.Pid), Is.Not.EqualTo(startedBefore), "a new process holds the pid: the restored one");
        Assert.That(File.ReadAllText($"/proc/{sleeper.Pid}/cmdline"), Is.EqualTo("sleep\01205\0"));
    }

    [Test]
    public void Restore_Generation_PicksThatOne_NewestByDefault()
    {
        DumpTarget sleeper = Start("sleep", "sleep 1206");
        KeeperOk("save", "--pid", Text(sleeper.Pid), "gen");
        KeeperOk("save", "--pid", Text(sleeper.Pid), "gen", "--stop");
        WaitFree(sleeper.Pid);

        Assert.That(KeeperOk("restore", "gen"), Does.Contain("restored gen@2"));
        KillLater(sleeper.Pid);
        Assert.That(KeeperOk("restore", "gen@1", "--replace"), Does.Contain("restored gen@1"));
        (int code, _, string stderr) = Keeper("restore", "gen@7");
        Assert.That(code, Is.EqualTo(1));
        Assert.That(stderr, Does.Contain("no generation 7").And.Contain("gen@1").And.Contain("gen@2"));
    }

    [Test]
    public void Show_Tree_PrintsProcessesWithCommandsAndFiles()
    {
        DumpTarget tree = Start("bash", "bash -c 'sleep 1207 & wait'");
        DumpTarget.WaitForChildren(tree.Pid, 1);
        KeeperOk("save", "--pid", Text(tree.Pid), "shown");

        string shown = KeeperOk("show", "shown");
        using JsonDocument json = JsonDocument.Parse(KeeperOk("show", "shown", "--json"));

        Assert.That(shown, Does.Contain("shown@1").And.Contain($"{tree.Pid} bash").And.Contain(" sleep").And.Contain("fd 0: file /dev/null"));
        JsonElement[] processes = json.RootElement.GetProperty("processes").EnumerateArray().ToArray();
        Assert.That(processes.Select(p => p.GetProperty("command").GetString()), Has.Some.StartsWith("sleep").And.Some.StartsWith("bash"));
        Assert.That(json.RootElement.GetProperty("snapshot").GetProperty("name").GetString(), Is.EqualTo("shown"));
    }

    [Test]
    public void SaveAuto_Twice_KeepsOneAutosaveAndLeavesNumberedGenerations()
    {
        DumpTarget sleeper = Start("sleep", "sleep 1208");
        KeeperOk("save", "--pid", Text(sleeper.Pid), "a");
        KeeperOk("save", "--pid", Text(sleeper.Pid), "a", "--auto");
        string firstAuto = Snapshot("a", "auto").GetProperty("saved").GetString()!;
        KeeperOk("save", "--pid", Text(sleeper.Pid), "a", "--auto");

        List<JsonElement> all = Snapshots();
        Assert.That(all.Select(s => s.GetProperty("generation").GetString()), Is.EquivalentTo(new[] { "1", "auto" }));
        Assert.That(Snapshot("a", "auto").GetProperty("saved").GetString(), Is.Not.EqualTo(firstAuto), "the second autosave replaced the first");
        Assert.That(Directory.GetDirectories(Path.Combine(Store, "snapshots", "a")).Select(Path.GetFileName), Is.EquivalentTo(new[] { "1", "auto" }));
    }

    [Test]
    public void RestoreAllAuto_RestoresAutosavesWhoseSessionIsGone_AndLeavesRunningOnes()
    {
        DumpTarget gone = Start("sleep", "sleep 1209");
        DumpTarget running = Start("sleep", "sleep 1210");
        KeeperOk("save", "--pid", Text(gone.Pid), "gone", "--auto", "--stop");
        KeeperOk("save", "--pid", Text(running.Pid), "running", "--auto");
        WaitFree(gone.Pid);
        ulong runningStart = StartTime(running.Pid);

        string output = KeeperOk("restore", "--all", "--auto");
        KillLater(gone.Pid);

        Assert.That(output, Does.Contain("restored gone@auto").And.Contain("running@auto: the session still runs"));
        Assert.That(File.ReadAllText($"/proc/{gone.Pid}/cmdline"), Is.EqualTo("sleep\01209\0"));
        Assert.That(StartTime(running.Pid), Is.EqualTo(runningStart));
    }

    [Test]
    public void ConcurrentSaves_OfOneName_BothCommit_OneAfterTheOther()
    {
        DumpTarget sleeper = Start("sleep", "sleep 1211");

        Task<(int, string, string)> first = Task.Run(() => Keeper("save", "--pid", Text(sleeper.Pid), "same"));
        Task<(int, string, string)> second = Task.Run(() => Keeper("save", "--pid", Text(sleeper.Pid), "same"));

        Assert.That(first.Result.Item1, Is.Zero, first.Result.Item3);
        Assert.That(second.Result.Item1, Is.Zero, second.Result.Item3);
        Assert.That(Snapshots().Select(s => s.GetProperty("generation").GetString()), Is.EquivalentTo(new[] { "1", "2" }));
        Assert.That(KeeperOk("verify", "same@1"), Does.Contain("ok"));
        Assert.That(KeeperOk("verify", "same@2"), Does.Contain("ok"));
    }

    private static ulong StartTime(int pid) =>
        ulong.Parse(File.ReadAllText($"/proc/{pid}/stat").Split(')')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries)[19], System.Globalization.CultureInfo.InvariantCulture);
}
