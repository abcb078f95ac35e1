using SessionKeeper.Engine.ProcFs;

namespace SessionKeeper.Engine.Tests.ProcFsTests;

[TestFixture]
public sealed class MountInfoTests
{
    private const string Sample =
        "22 1 253:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw\n" +
        "25 22 0:21 / /tmp rw,nosuid,nodev shared:5 - tmpfs tmpfs rw,size=100k\n" +
        "31 22 0:26 / /proc rw,nosuid,nodev,noexec,relatime shared:12 master:3 - proc proc rw\n";

    [TestCase(22, "ext4")]
    [TestCase(25, "tmpfs")]
    [TestCase(31, "proc")]
    public void FindFsType_ListedMount_ReturnsTheTypeAfterTheSeparator(int mountId, string expected)
    {
        Assert.That(ProcFsReader.FindFsType(Sample, mountId), Is.EqualTo(expected));
    }

    [Test]
    public void FindFsType_UnlistedMount_ReturnsNull()
    {
        Assert.That(ProcFsReader.FindFsType(Sample, 2), Is.Null);
    }

    [Test]
    public void TryReadMountFsType_OwnProcMount_IsProc()
    {
        using var stream = File.OpenRead("/proc/self/stat");
        int mountId = File.ReadAllLines($"/proc/self/fdinfo/{stream.SafeFileHandle.DangerousGetHandle()}")
            .Where(l => l.StartsWith("mnt_id:", StringComparison.Ordinal))
            .Select(l => int.Parse(l["mnt_id:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture))
            .Single();

        Assert.That(ProcFsReader.TryReadMountFsType(Environment.ProcessId, mountId, out string fsType), Is.True);
        Assert.That(fsType, Is.EqualTo("proc"));
    }
}
