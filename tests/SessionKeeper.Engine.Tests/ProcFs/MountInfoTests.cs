using SessionKeeper.Engine.ProcFs;

namespace SessionKeeper.Engine.Tests.ProcFsTests;

[TestFixture]
public sealed class MountInfoTests
{
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
