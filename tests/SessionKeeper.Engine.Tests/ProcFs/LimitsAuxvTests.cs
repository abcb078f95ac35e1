using System.Buffers.Binary;
using SessionKeeper.Engine.ProcFs;

namespace SessionKeeper.Engine.Tests.ProcFsTests;

[TestFixture]
public sealed class LimitsAuxvTests
{
    private const string LimitsSample =
        "Limit                     Soft Limit           Hard Limit           Units     \n" +
        "Max cpu time              unlimited            unlimited            seconds   \n" +
        "Max file size             unlimited            unlimited            bytes     \n" +
        "Max data size             unlimited            unlimited            bytes     \n" +
        "Max stack size            8388608              unlimited            bytes     \n" +
        "Max core file size        0                    unlimited            bytes     \n" +
        "Max resident set          unlimited            unlimited            bytes     \n" +
        "Max processes             96364                96364                processes \n" +
        "Max open files            1024                 1048576              files     \n" +
        "Max locked memory         8388608              8388608              bytes     \n" +
        "Max address space         unlimited            unlimited            bytes     \n" +
        "Max file locks            unlimited            unlimited            locks     \n" +
        "Max pending signals       96364                96364                signals   \n" +
        "Max msgqueue size         819200               819200               bytes     \n" +
        "Max nice priority         0                    0                    \n" +
        "Max realtime priority     0                    0                    \n" +
        "Max realtime timeout      unlimited            unlimited            us        \n";

    [Test]
    public void ParseLimits_KernelSample_IndexedByResourceNumber()
    {
        ResourceLimit[] limits = ProcFsReader.ParseLimits(LimitsSample);

        Assert.That(limits, Has.Length.EqualTo(16));
        Assert.Multiple(() =>
        {
            Assert.That(limits[0], Is.EqualTo(new ResourceLimit(0, "Max cpu time", ulong.MaxValue, ulong.MaxValue, "seconds")));
            Assert.That(limits[3].Soft, Is.EqualTo(8388608UL));
            Assert.That(limits[3].Hard, Is.EqualTo(ResourceLimit.Unlimited));
            Assert.That(limits[7], Is.EqualTo(new ResourceLimit(7, "Max open files", 1024, 1048576, "files")));
            Assert.That(limits[13].Units, Is.Empty);
            Assert.That(limits[15].Units, Is.EqualTo("us"));
            Assert.That(limits.Select(l => l.Resource), Is.EqualTo(Enumerable.Range(0, 16)));
        });
    }

    [Test]
    public void ParseLimits_MissingLine_ThrowsFormatException()
    {
        string text = LimitsSample.Replace("Max file locks            unlimited            unlimited            locks     \n", "", StringComparison.Ordinal);

        Assert.That(() => ProcFsReader.ParseLimits(text), Throws.TypeOf<FormatException>().With.Message.Contains("Max file locks"));
    }

    [Test]
    public void TryReadLimits_ChildWithUlimit_ReadsItsLimits()
    {
        using ProcFsChild child = ProcFsChild.Start("ulimit -S -n 123; ulimit -S -t 77; exec sleep 100");

        Assert.That(ProcFsReader.TryReadLimits(child.Pid, out ResourceLimit[] limits), Is.True);
        Assert.Multiple(() =>
        {
            Assert.That(limits[7].Soft, Is.EqualTo(123UL));
            Assert.That(limits[0].Soft, Is.EqualTo(77UL));
        });
    }

    [Test]
    public void TryReadLimits_GonePid_ReturnsFalse()
    {
        Assert.That(ProcFsReader.TryReadLimits(ProcFsChild.GonePid(), out _), Is.False);
    }

    [Test]
    public void ParseAuxv_Bytes_StopsAtNull()
    {
        var bytes = new byte[16 * 4];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(0), 6);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(8), 4096);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(16), 33);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(24), 0x7fff0000);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(48), 5); // after AT_NULL: ignored

        List<AuxvEntry> auxv = ProcFsReader.ParseAuxv(bytes);

        Assert.That(auxv, Is.EqualTo(new[] { new AuxvEntry(6, 4096), new AuxvEntry(33, 0x7fff0000) }));
    }

    [Test]
    public void ParseAuxv_TruncatedPair_IsIgnored()
    {
        Assert.That(ProcFsReader.ParseAuxv(new byte[12]), Is.Empty);
    }

    [Test]
    public void TryReadAuxv_Self_PageSizeAndVdsoMatchMaps()
    {
        Assert.That(ProcFsReader.TryReadAuxv(Environment.ProcessId, out List<AuxvEntry> auxv), Is.True);
        Assert.That(ProcFsReader.TryReadMaps(Environment.ProcessId, out List<MapEntry> maps), Is.True);

        Assert.Multiple(() =>
        {
            Assert.That(auxv.Single(a => a.Type == 6).Value, Is.EqualTo((ulong)Environment.SystemPageSize));
            Assert.That(auxv.Single(a => a.Type == AuxvEntry.AtSysinfoEhdr).Value, Is.EqualTo(maps.Single(m => m.Kind == MapPathKind.Vdso).Start));
        });
    }

    [Test]
    public void TryReadAuxv_GonePid_ReturnsFalse()
    {
        Assert.That(ProcFsReader.TryReadAuxv(ProcFsChild.GonePid(), out _), Is.False);
    }
}
