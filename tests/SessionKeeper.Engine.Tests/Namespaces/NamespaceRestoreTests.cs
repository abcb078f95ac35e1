using SessionKeeper.Engine.Dump;
using SessionKeeper.Engine.Kinds.Namespaces;
using SessionKeeper.Engine.ProcFs;
using SessionKeeper.Engine.Restore;
using SessionKeeper.Engine.Tests.Dump;
using SessionKeeper.Images;
using SessionKeeper.Images.V1;
using SessionKeeper.Native;

namespace SessionKeeper.Engine.Tests.Namespaces;

[TestFixture]
[NonParallelizable]
public sealed class NamespaceRestoreTests
{
    private string _images = null!;

    [SetUp]
    public void SetUp() => _images = Path.Combine(Directory.CreateTempSubdirectory("keeper-nsrestore-").FullName, "images");

    [TearDown]
    public void TearDown() => Directory.Delete(Path.GetDirectoryName(_images)!, true);

    [Test]
    public void Restore_TreeWithItsOwnNamespaces_ComesBackAsPid1OfNewOnes()
    {
        int childInside = DumpNamespaceTreeAndEndIt();

        var log = new List<string>();
        int root = Restorer.Restore(_images, log.Add);
        try
        {
            Assert.That(ProcFsReader.TryReadChildren(root, root, out List<int> children), Is.True);
            int child = children.Single();
            Assert.That(ProcFsReader.TryReadStatus(root, out ProcStatus status), Is.True);
            string mountinfo = File.ReadAllText($"/proc/{root}/mountinfo");
            Assert.Multiple(() =>
            {
                Assert.That(status.NSPid, Is.EqualTo(new[] { root, 1 }), "the root is the init of a pid namespace below keeper's: " + string.Join("; ", log));
                Assert.That(NamespaceTree.PidInside(child), Is.EqualTo(childInside), "the child has its pid inside");
                foreach (string kind in new[] { "pid", "mnt", "net", "ipc" })
                {
                    Assert.That(Namespace(root, kind), Is.Not.EqualTo(Namespace(Environment.ProcessId, kind)), $"a {kind} namespace of its own");
                    Assert.That(Namespace(child, kind), Is.EqualTo(Namespace(root, kind)), $"the child shares the root's {kind} namespace");
                }
                Assert.That(Namespace(root, "uts"), Is.EqualTo(Namespace(Environment.ProcessId, "uts")));
                Assert.That(File.ReadAllText($"/proc/{root}/root/proc/1/status"), Does.Contain("\nNSpid:\t1\n"),
                    "/proc inside is a proc of the new pid namespace");
                Assert.That(mountinfo.Split('\n').Last(l => l.Contains(" /proc ", StringComparison.Ordinal)), Does.Contain("nosuid,nodev,noexec").And.Contain(" - proc "));
                Assert.That(mountinfo, Does.Not.Contain(" shared:"), "every mount private");
                Assert.That(LoopbackState(root), Does.Contain("UP"), "lo up again");
                Assert.That(() => DumpTarget.State(root), Is.EqualTo('S').After(2000, 10));
                Assert.That(() => DumpTarget.State(child), Is.EqualTo('S').After(2000, 10));
                Assert.That(DumpTarget.TracerPid(root), Is.Zero, "detached");
            });
        }
        finally
        {
            // The init takes the rest of its namespace along.
            Interop.TryKill(root, Signals.SIGKILL);
            DumpTarget.WaitGone(root, 5000);
        }
    }

    [Test]
    public void Restore_FailingInsideTheNewNamespaces_KillsAndReapsEverything()
    {
        int childInside = DumpNamespaceTreeAndEndIt();
        // The child's executable is gone: its restore fails after the whole tree was cloned.
        string mmPath = Path.Combine(_images, $"mm-{childInside}.img");
        Mm mm = ImageReader.ReadFile<Mm>(mmPath).Single();
        mm.ExeFile.Path = "/nonexistent/sleep";
        ImageWriter.WriteFile(mmPath, [mm]);

        var log = new List<string>();
        var error = Assert.Throws<RestoreException>(() => Restorer.Restore(_images, log.Add));

        TestContext.Out.WriteLine(error!.Message);
        Assert.That(error.Message, Does.Contain("/nonexistent/sleep"));
        string created = log.Single(line => line.StartsWith("created ", StringComparison.Ordinal));
        Assert.That(created, Does.StartWith("created 2 processes"), "both were cloned before the failure");
        int root = int.Parse(created[(created.LastIndexOf("pid ", StringComparison.Ordinal) + 4)..].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        // The init is reaped only after the rest of its namespace: once it is gone, all of it is.
        Assert.That(WaitReaped(root, 5000), Is.True, $"pid {root}, the new namespace's init, is gone, not even a zombie");
    }

    [Test]
    public void CheckTree_PidNamespaceWhoseFirstProcessIsNotPid1_IsRefused()
    {
        PstreeEntry[] tree = [new() { Pid = 2, Ppid = 0 }, new() { Pid = 3, Ppid = 2 }];

        var error = Assert.Throws<InvalidDataException>(() => NamespaceRestore.CheckTree(tree, "pstree.img"));
        Assert.That(error!.Message, Does.Contain("not the init"));
    }

    [Test]
    public void CheckTree_ProcessWhoseParentIsOutsideTheNamespace_IsRefused()
    {
        PstreeEntry[] tree = [new() { Pid = 1, Ppid = 0 }, new() { Pid = 3, Ppid = 7 }];

        var error = Assert.Throws<InvalidDataException>(() => NamespaceRestore.CheckTree(tree, "pstree.img"));
        Assert.That(error!.Message, Does.Contain("pid 3 has parent 7"));
    }

    [Test]
    public void CloneFlags_EachOwnNamespace_AddsItsCloneFlag()
    {
        Assert.Multiple(() =>
        {
            Assert.That(NamespaceRestore.CloneFlags(null), Is.EqualTo(CloneFlags.None));
            Assert.That(NamespaceRestore.CloneFlags(new TreeNamespaces { Pid = true, Net = true }), Is.EqualTo(CloneFlags.CLONE_NEWPID | CloneFlags.CLONE_NEWNET));
            Assert.That(NamespaceRestore.CloneFlags(new TreeNamespaces { Pid = true, Mnt = true, Net = true, Ipc = true }),
                Is.EqualTo(CloneFlags.CLONE_NEWPID | CloneFlags.CLONE_NEWNS | CloneFlags.CLONE_NEWNET | CloneFlags.CLONE_NEWIPC));
        });
    }

    /// <summary>Dumps a <see cref="NamespaceTree"/> in kill mode; returns the child's pid inside.</summary>
    private int DumpNamespaceTreeAndEndIt()
    {
        using NamespaceTree tree = NamespaceTree.Start();
        int childInside = NamespaceTree.PidInside(tree.Child);
        Dumper.Dump(tree.Init, _images, new DumpOptions { Mode = DumpMode.Kill });
        Assert.That(DumpTarget.WaitGone(tree.Init, 5000), Is.True, "the dumped tree was ended");
        return childInside;
    }

    private static bool WaitReaped(int pid, int milliseconds)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (Directory.Exists($"/proc/{pid}"))
        {
            if (clock.ElapsedMilliseconds > milliseconds)
            {
                return false;
            }
            Thread.Sleep(10);
        }
        return true;
    }

    private static ulong Namespace(int pid, string kind)
        => ProcFsReader.TryReadNamespace(pid, kind, out ulong inode) ? inode : throw new InvalidOperationException($"pid {pid} is gone");

    private static string LoopbackState(int pid)
    {
        var start = new System.Diagnostics.ProcessStartInfo("nsenter") { RedirectStandardOutput = true };
        foreach (string argument in (string[])["-t", pid.ToString(System.Globalization.CultureInfo.InvariantCulture), "-n", "ip", "-br", "link", "show", "lo"])
        {
            start.ArgumentList.Add(argument);
        }
        using var ip = System.Diagnostics.Process.Start(start)!;
        string output = ip.StandardOutput.ReadToEnd();
        ip.WaitForExit();
        return output;
    }
}
