using SessionKeeper.Engine.Dump;
using SessionKeeper.Engine.ProcFs;
using SessionKeeper.Engine.Tests.Dump;
using SessionKeeper.Images;
using SessionKeeper.Images.V1;

namespace SessionKeeper.Engine.Tests.Namespaces;

[TestFixture]
[NonParallelizable]
public sealed class NamespaceDumpTests
{
    private string _imageDir = null!;

    [SetUp]
    public void SetUp() => _imageDir = Path.Combine(Path.GetTempPath(), $"keeper-nsdump-{Guid.NewGuid():N}");

    [TearDown]
    public void TearDown()
    {
        if (Directory.Exists(_imageDir))
        {
            Directory.Delete(_imageDir, recursive: true);
        }
    }

    private List<T> Read<T>(string name)
        where T : Google.Protobuf.IMessage<T>, new()
        => ImageReader.ReadFile<T>(Path.Combine(_imageDir, name));

    [Test]
    public void Dump_TreeRootedAtTheInitOfItsOwnNamespaces_RecordsPidsAsSeenInside()
    {
        using NamespaceTree tree = NamespaceTree.Start();
        int child = NamespaceTree.PidInside(tree.Child);

        DumpResult result = Dumper.Dump(tree.Init, _imageDir, new DumpOptions { Mode = DumpMode.LeaveRunning });

        List<PstreeEntry> pstree = Read<PstreeEntry>("pstree.img");
        Inventory inventory = Read<Inventory>("inventory.img").Single();
        Core childCore = Read<Core>($"core-{child}.img").Single();
        Assert.Multiple(() =>
        {
            Assert.That(result.Pids, Is.EqualTo(new[] { tree.Init, tree.Child }), "the result names the pids keeper sees");
            Assert.That(pstree[0], Is.EqualTo(new PstreeEntry { Pid = 1, Ppid = 0, Pgid = 0, Sid = 0, Threads = { 1 }, State = ProcessState.Alive }),
                "the init: its parent, group and session are outside the namespace");
            Assert.That(pstree[1], Is.EqualTo(new PstreeEntry { Pid = (uint)child, Ppid = 1, Pgid = (uint)child, Sid = (uint)child, Threads = { (uint)child }, State = ProcessState.Alive }));
            Assert.That(childCore.Pid, Is.EqualTo((uint)child));
            Assert.That(childCore.Threads.Single().Tid, Is.EqualTo((uint)child));
            Assert.That(Read<Mm>("mm-1.img").Single().Pid, Is.EqualTo(1u));
            Assert.That(result.Files, Is.SupersetOf(new[] { "core-1.img", "mm-1.img", "pagemap-1.img", "pages-1.img", $"core-{child}.img" }));
            Assert.That(result.Files.Any(f => f.Contains(tree.Init.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)), Is.False,
                "no file is named by a pid keeper sees");
            Assert.That(inventory.RootPid, Is.EqualTo(1u));
            Assert.That(inventory.Files.Where(f => f.HasPid).Select(f => f.Pid).Distinct().Order(), Is.EqualTo(new uint[] { 1, (uint)child }));
            Assert.That(inventory.Namespaces, Is.EqualTo(new TreeNamespaces { Pid = true, Mnt = true, Net = true, Ipc = true, LoopbackUp = true }));
            Assert.That(DumpTarget.TracerPid(tree.Init), Is.Zero, "released");
            Assert.That(() => DumpTarget.State(tree.Child), Is.EqualTo('S').After(2000, 10), "runs on");
        });
    }

    [Test]
    public void Dump_TreeWithLoDownInItsNetworkNamespace_RecordsLoDown()
    {
        using NamespaceTree tree = NamespaceTree.Start();
        Assert.That(() => DumpTarget.State(tree.Init), Is.EqualTo('S').After(2000, 10), "the tree is up");
        // Down again, from inside, before the dump.
        using (var ip = System.Diagnostics.Process.Start("nsenter", ["-t", tree.Init.ToString(System.Globalization.CultureInfo.InvariantCulture), "-n", "ip", "link", "set", "lo", "down"]))
        {
            ip.WaitForExit();
            Assert.That(ip.ExitCode, Is.Zero, "ip link set lo down");
        }

        Dumper.Dump(tree.Init, _imageDir, new DumpOptions { Mode = DumpMode.LeaveRunning });

        TreeNamespaces namespaces = Read<Inventory>("inventory.img").Single().Namespaces;
        Assert.That(namespaces.Net, Is.True);
        Assert.That(namespaces.LoopbackUp, Is.False);
    }

    [Test]
    public void Dump_RootInsideAPidNamespaceButNotItsInit_IsRefusedAndTheTreeRunsOn()
    {
        using NamespaceTree tree = NamespaceTree.Start();

        var error = Assert.Throws<UnsupportedObjectException>(() => Dumper.Dump(tree.Child, _imageDir, new DumpOptions { Mode = DumpMode.Kill }));

        TestContext.Out.WriteLine(error!.Message);
        Assert.Multiple(() =>
        {
            Assert.That(error.Pid, Is.EqualTo(tree.Child));
            Assert.That(error.Kind, Is.EqualTo("pid namespace"));
            Assert.That(error.Message, Does.Contain("not its init"));
            Assert.That(Directory.Exists(_imageDir) && Directory.EnumerateFileSystemEntries(_imageDir).Any(), Is.False, "nothing written");
            Assert.That(DumpTarget.TracerPid(tree.Child), Is.Zero, "released");
            Assert.That(() => DumpTarget.State(tree.Child), Is.EqualTo('S').After(2000, 10), "not killed");
        });
    }

    [Test]
    public void Dump_TreeWithAMountOfItsOwn_IsRefused()
    {
        using NamespaceTree tree = NamespaceTree.Start("mount -t tmpfs keeper-test-tmpfs /mnt;");

        var error = Assert.Throws<UnsupportedObjectException>(() => Dumper.Dump(tree.Init, _imageDir, new DumpOptions()));

        TestContext.Out.WriteLine(error!.Message);
        Assert.Multiple(() =>
        {
            Assert.That(error.Pid, Is.EqualTo(tree.Init));
            Assert.That(error.Kind, Is.EqualTo("mount"));
            Assert.That(error.Detail, Does.Contain("tmpfs keeper-test-tmpfs on /mnt"));
            Assert.That(DumpTarget.TracerPid(tree.Init), Is.Zero, "released");
        });
    }

    [Test]
    public void Dump_HostTreeWithAProcessInAPidNamespaceOfItsOwn_IsRefused()
    {
        // --kill-child: the sleep, pid 1 of its namespace, ends with unshare when the target is disposed.
        using DumpTarget bash = DumpTarget.Start("bash", "bash -c 'unshare --pid --fork --kill-child sleep 1004 & wait'");
        int sleeper = WaitForGrandchild(bash.Pid);

        var error = Assert.Throws<UnsupportedObjectException>(() => Dumper.Dump(bash.Pid, _imageDir, new DumpOptions()));

        TestContext.Out.WriteLine(error!.Message);
        Assert.Multiple(() =>
        {
            Assert.That(error.Pid, Is.EqualTo(sleeper));
            Assert.That(error.Kind, Is.EqualTo("pid namespace"));
            Assert.That(DumpTarget.TracerPid(bash.Pid), Is.Zero, "released");
        });
    }

    private static int WaitForGrandchild(int pid)
    {
        for (int i = 0; i < 500; i++)
        {
            if (ProcFsReader.TryReadChildren(pid, pid, out List<int> children) && children.Count == 1
                && ProcFsReader.TryReadChildren(children[0], children[0], out List<int> grandchildren) && grandchildren.Count == 1
                && ProcFsReader.TryReadComm(grandchildren[0], out string comm) && comm == "sleep")
            {
                Thread.Sleep(50);
                return grandchildren[0];
            }
            Thread.Sleep(10);
        }
        Assert.Fail($"bash {pid} did not start unshare and its sleep");
        return 0;
    }
}
