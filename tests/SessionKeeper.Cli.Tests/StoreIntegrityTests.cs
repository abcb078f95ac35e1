using System.Buffers.Binary;
using System.Diagnostics;
using SessionKeeper.Engine.Tests.Dump;
using SessionKeeper.Tests.Shared;

namespace SessionKeeper.Cli.Tests;

/// <summary>
/// Damaged and interrupted snapshots: flipped bytes, truncated exports and saves killed
/// part-way are refused or leave the older generations as they were.
/// </summary>
[TestFixture]
public sealed class StoreIntegrityTests : StoreFixture
{
    [Test]
    public void Restore_FlippedByteInAChunk_IsRefusedBeforeAnythingRuns_NamingThePack()
    {
        DumpTarget sleeper = Start("sleep", "sleep 1301");
        KeeperOk("save", "--pid", Text(sleeper.Pid), "flip", "--stop");
        WaitFree(sleeper.Pid);
        (string pack, long offset) = FirstStoredChunk();
        FlipByte(pack, offset);

        (int code, string stdout, string stderr) = Keeper("restore", "flip");

        Assert.That(code, Is.EqualTo(1));
        Assert.That(stdout, Is.Empty);
        Assert.That(stderr, Does.StartWith("error: snapshot flip@1: ").And.Contain(pack).And.Contain("checksum"));
        Assert.That(File.Exists($"/proc/{sleeper.Pid}/stat"), Is.False, "nothing was restored");
        (int verifyCode, _, string verifyErr) = Keeper("verify", "flip");
        Assert.That(verifyCode, Is.EqualTo(1));
        Assert.That(verifyErr, Does.Contain(pack));
        Assert.That(Directory.GetFileSystemEntries(Path.Combine(Store, "tmp")), Is.Empty, "the refused restore left nothing behind");
    }

    [Test]
    public void Restore_FlippedByteInAnImage_IsRefusedBeforeAnythingRuns_NamingTheImage()
    {
        DumpTarget sleeper = Start("sleep", "sleep 1302");
        KeeperOk("save", "--pid", Text(sleeper.Pid), "img", "--stop");
        WaitFree(sleeper.Pid);
        string core = Path.Combine(Store, "snapshots", "img", "1", $"core-{sleeper.Pid}.img");
        FlipByte(core, 100);

        (int code, _, string stderr) = Keeper("restore", "img");

        Assert.That(code, Is.EqualTo(1));
        Assert.That(stderr, Does.StartWith("error: snapshot img@1: ").And.Contain(core).And.Contain("checksum").And.Contain("keeper rm img@1"));
        Assert.That(File.Exists($"/proc/{sleeper.Pid}/stat"), Is.False, "nothing was restored");
    }

    [Test]
    public void Verify_IntactSnapshot_SaysOk()
    {
        DumpTarget sleeper = Start("sleep", "sleep 1303");
        KeeperOk("save", "--pid", Text(sleeper.Pid), "fine");

        Assert.That(KeeperOk("verify", "fine"), Does.StartWith("fine@1: ok"));
    }

    [Test]
    public void ExportImport_ThroughAPipe_GivesAnIdenticalSnapshotThatRestores()
    {
        DumpTarget sleeper = Start("sleep", "sleep 1304");
        KeeperOk("save", "--pid", Text(sleeper.Pid), "moved", "--stop");
        WaitFree(sleeper.Pid);
        string other = Path.Combine(Scratch, "other");

        (int code, string stderr) = Shell($"{ShellKeeper} export moved -o - --store '{Store}' | {ShellKeeper} import - --as arrived --store '{other}'");

        Assert.That(code, Is.Zero, stderr);
        (int listCode, string names, _) = KeeperProcess.Run(null, "snapshots", "--names", "--store", other);
        Assert.That(listCode, Is.Zero);
        Assert.That(names, Is.EqualTo("arrived\n"));
        (int restoreCode, string restored, string restoreErr) = KeeperProcess.Run(null, "restore", "arrived", "--store", other);
        KillLater(sleeper.Pid);
        Assert.That(restoreCode, Is.Zero, restoreErr);
        Assert.That(restored, Does.Contain("restored arrived@1"));
        Assert.That(File.ReadAllText($"/proc/{sleeper.Pid}/cmdline"), Is.EqualTo("sleep\01304\0"));
    }

    [Test]
    public void Export_ToFile_IsMode0600_AndImportAddsTheNextGeneration()
    {
        DumpTarget sleeper = Start("sleep", "sleep 1305");
        KeeperOk("save", "--pid", Text(sleeper.Pid), "x");
        string file = Path.Combine(Scratch, "x.keeper");

        Assert.That(KeeperOk("export", "x", "-o", file), Does.Contain(file));
        Assert.That(ModeOf(file), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
        Assert.That(KeeperOk("import", file), Does.Contain("imported x@2"));
        Assert.That(KeeperOk("verify", "x@2"), Does.Contain("ok"));
    }

    [Test]
    public void Import_TruncatedExport_IsRefusedNamingTheFile_AndAddsNothing()
    {
        DumpTarget sleeper = Start("sleep", "sleep 1306");
        KeeperOk("save", "--pid", Text(sleeper.Pid), "t");
        string file = Path.Combine(Scratch, "t.keeper");
        KeeperOk("export", "t", "-o", file);
        string cut = Path.Combine(Scratch, "cut.keeper");
        byte[] bytes = File.ReadAllBytes(file);
        File.WriteAllBytes(cut, bytes[..(bytes.Length - 1000)]);

        (int code, _, string stderr) = Keeper("import", cut, "--as", "cut");

        Assert.That(code, Is.EqualTo(1));
        Assert.That(stderr, Does.StartWith("error: ").And.Contain(cut).And.Contain("truncated"));
        Assert.That(KeeperOk("snapshots", "--names"), Is.EqualTo("t\n"));
        Assert.That(Directory.GetFileSystemEntries(Path.Combine(Store, "tmp")), Is.Empty);
    }

    [Test]
    public void Import_FlippedByteInExport_IsRefused()
    {
        DumpTarget sleeper = Start("sleep", "sleep 1307");
        KeeperOk("save", "--pid", Text(sleeper.Pid), "t");
        string file = Path.Combine(Scratch, "t.keeper");
        KeeperOk("export", "t", "-o", file);
        FlipByte(file, new FileInfo(file).Length - 200);

        (int code, _, string stderr) = Keeper("import", file, "--as", "bad");

        Assert.That(code, Is.EqualTo(1));
        Assert.That(stderr, Does.Contain(file).And.Contain("damaged"));
        Assert.That(KeeperOk("snapshots", "--names"), Is.EqualTo("t\n"));
    }

    [Test]
    public void Save_KilledAtRandomPoints_LeavesTheOldGenerationRestorable()
    {
        DumpTarget python = StartHolding(8, 1308);
        KeeperOk("save", "--pid", Text(python.Pid), "k");
        var random = new Random(1308);
        for (int round = 0; round < 8; round++)
        {
            using Process save = StartKeeper("save", "--pid", Text(python.Pid), "k", "--store", Store);
            Thread.Sleep(random.Next(0, 700));
            save.Kill();
            save.WaitForExit();
            Thread.Sleep(50);
        }

        // Whatever got committed is whole; nothing half-written is listed.
        foreach (string generation in Snapshots().Select(s => s.GetProperty("generation").GetString()!))
        {
            Assert.That(KeeperOk("verify", $"k@{generation}"), Does.Contain("ok"), $"k@{generation}");
        }
        Assert.That(KeeperOk("gc"), Does.StartWith("freed"));
        Assert.That(Directory.GetFileSystemEntries(Path.Combine(Store, "tmp")), Is.Empty, "gc removed the leftovers");
        Native.Interop.TryKill(python.Pid, Native.Signals.SIGKILL);
        WaitFree(python.Pid);

        string restored = KeeperOk("restore", "k@1");
        KillLater(python.Pid);
        Assert.That(restored, Does.Contain("restored k@1"));
        Assert.That(File.ReadAllText($"/proc/{python.Pid}/cmdline"), Does.StartWith("/usr/bin/python3\0-c\0"));
    }

    [Test]
    public void Rm_ThenGc_RemovesTheSnapshotAndFreesItsPacks()
    {
        DumpTarget sleeper = Start("sleep", "sleep 1309");
        KeeperOk("save", "--pid", Text(sleeper.Pid), "gone");
        KeeperOk("save", "--pid", Text(sleeper.Pid), "kept");

        Assert.That(KeeperOk("rm", "gone"), Does.Contain("removed gone@1"));
        Assert.That(KeeperOk("snapshots", "--names"), Is.EqualTo("kept\n"));
        KeeperOk("gc");
        Assert.That(KeeperOk("verify", "kept"), Does.Contain("ok"), "gc keeps the chunks a remaining snapshot needs");

        Assert.That(KeeperOk("rm", "kept@1"), Does.Contain("removed kept@1"));
        Assert.That(KeeperOk("gc"), Does.StartWith("freed"));
        Assert.That(Directory.GetFiles(Path.Combine(Store, "packs")), Is.Empty, "no snapshot is left, so no chunk either");
        Assert.That(Directory.Exists(Path.Combine(Store, "snapshots", "gone")), Is.False);
    }

    [Test]
    public void Store_DirectoriesAre0700_FilesAre0600()
    {
        DumpTarget sleeper = Start("sleep", "sleep 1310");
        KeeperOk("save", "--pid", Text(sleeper.Pid), "modes");

        foreach (string directory in Directory.GetDirectories(Store, "*", SearchOption.AllDirectories).Append(Store))
        {
            Assert.That(ModeOf(directory), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute), directory);
        }
        foreach (string file in Directory.GetFiles(Store, "*", SearchOption.AllDirectories))
        {
            Assert.That(ModeOf(file), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite), file);
        }
    }

    private static UnixFileMode ModeOf(string path) => OperatingSystem.IsLinux() ? File.GetUnixFileMode(path) : 0;

    private (string Pack, long Offset) FirstStoredChunk()
    {
        foreach (string pack in Directory.GetFiles(Path.Combine(Store, "packs"), "*.pack"))
        {
            byte[] bytes = File.ReadAllBytes(pack);
            // Records follow the 16-byte header: 48-byte record header (coding at 4, stored length at 12), then the stored bytes.
            for (int at = 16; at + 48 <= bytes.Length;)
            {
                int stored = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(at + 12));
                if (stored > 0)
                {
                    return (pack, at + 48 + (stored / 2));
                }
                at += 48 + stored;
            }
        }
        Assert.Fail("no pack holds a stored chunk");
        return ("", 0);
    }

    private static Process StartKeeper(params string[] arguments)
    {
        bool managed = KeeperProcess.Binary.EndsWith(".dll", StringComparison.Ordinal);
        var info = new ProcessStartInfo(managed ? "dotnet" : KeeperProcess.Binary) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (managed)
        {
            info.ArgumentList.Add(KeeperProcess.Binary);
        }
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        return Process.Start(info)!;
    }
}
