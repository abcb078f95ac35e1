using SessionKeeper.Engine.ProcFs;
using SessionKeeper.Native;

namespace SessionKeeper.Engine.Tests.ProcFsTests;

[TestFixture]
public sealed class NamespacesTests
{
    [Test]
    public void ParseNamespaceLink_PidLink_ReturnsTheInode()
        => Assert.That(ProcFsReader.ParseNamespaceLink("pid:[4026531836]", "pid"), Is.EqualTo(4026531836UL));

    [TestCase("net:[4026531840]")]
    [TestCase("pid:4026531836")]
    [TestCase("pid:[]")]
    public void ParseNamespaceLink_OtherKindOrMalformed_Throws(string link)
        => Assert.Throws<FormatException>(() => ProcFsReader.ParseNamespaceLink(link, "pid"));

    [Test]
    public void TryReadNamespace_OwnProcess_IsTheInodeOfTheNsFile()
    {
        foreach (string kind in ProcFsReader.NamespaceKinds)
        {
            string path = $"/proc/self/ns/{kind}";
            if (!File.Exists(path))
            {
                continue;
            }
            using SafeFd fd = Interop.Open(path, OpenFlags.O_RDONLY | OpenFlags.O_CLOEXEC);
            Assert.That(ProcFsReader.TryReadNamespace(Environment.ProcessId, kind, out ulong inode), Is.True, kind);
            Assert.That(inode, Is.EqualTo(Interop.Fstat(fd).Ino), kind);
        }
    }

    [Test]
    public void TryReadNamespace_GoneProcess_IsFalse()
        => Assert.That(ProcFsReader.TryReadNamespace(int.MaxValue, "pid", out _), Is.False);

    [Test]
    public void ParseNetDevices_Sample_ListsTheNames()
    {
        const string sample =
            "Inter-|   Receive                                                |  Transmit\n" +
            " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n" +
            "    lo:       0       0    0    0    0     0          0         0        0       0    0    0    0     0       0          0\n" +
            "veth-a1:    1500      12    0    0    0     0          0         0     1200      10    0    0    0     0       0          0\n";

        Assert.That(ProcFsReader.ParseNetDevices(sample), Is.EqualTo(new[] { "lo", "veth-a1" }));
    }

    [Test]
    public void ParseMountInfo_Sample_ReadsEveryMount()
    {
        const string sample =
            "26 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw,discard\n" +
            "21 26 0:20 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw\n" +
            "88 26 0:45 /data /srv/with\\040space rw,relatime shared:7 master:3 - tmpfs none rw,size=1024k\n";

        List<MountInfoEntry> mounts = ProcFsReader.ParseMountInfo(sample);

        Assert.That(mounts, Is.EqualTo(new[]
        {
            new MountInfoEntry(26, 1, "254:0", "/", "/", "ext4", "/dev/vda"),
            new MountInfoEntry(21, 26, "0:20", "/", "/proc", "proc", "proc"),
            new MountInfoEntry(88, 26, "0:45", "/data", "/srv/with\\040space", "tmpfs", "none"),
        }));
    }

    [Test]
    public void ParseMountInfo_NoSeparator_Throws()
        => Assert.Throws<FormatException>(() => ProcFsReader.ParseMountInfo("26 1 254:0 / / rw,relatime ext4 /dev/vda rw\n"));

    [Test]
    public void TryReadMountInfo_OwnProcess_HasTheRootMount()
    {
        Assert.That(ProcFsReader.TryReadMountInfo(Environment.ProcessId, out List<MountInfoEntry> mounts), Is.True);
        Assert.That(mounts.Select(m => m.MountPoint), Does.Contain("/"));
    }

    [Test]
    public void TryReadNetDevices_OwnProcess_IncludesLo()
    {
        Assert.That(ProcFsReader.TryReadNetDevices(Environment.ProcessId, out List<string> devices), Is.True);
        Assert.That(devices, Does.Contain("lo"));
    }
}
