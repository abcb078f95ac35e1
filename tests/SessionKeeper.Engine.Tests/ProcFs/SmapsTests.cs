using SessionKeeper.Engine.ProcFs;

namespace SessionKeeper.Engine.Tests.ProcFsTests;

[TestFixture]
public sealed class SmapsTests
{
    private const string Sample =
        "55d46395a000-55d46395c000 r--p 00000000 fe:00 247629                     /usr/bin/my tool (deleted)\n" +
        "Size:                  8 kB\n" +
        "KernelPageSize:        4 kB\n" +
        "MMUPageSize:           4 kB\n" +
        "Rss:                   8 kB\n" +
        "Pss:                   4 kB\n" +
        "Pss_Dirty:             0 kB\n" +
        "Shared_Clean:          8 kB\n" +
        "Shared_Dirty:          0 kB\n" +
        "Private_Clean:         0 kB\n" +
        "Private_Dirty:         0 kB\n" +
        "Referenced:            8 kB\n" +
        "Anonymous:             0 kB\n" +
        "KSM:                   0 kB\n" +
        "LazyFree:              0 kB\n" +
        "AnonHugePages:         0 kB\n" +
        "ShmemPmdMapped:        0 kB\n" +
        "FilePmdMapped:         0 kB\n" +
        "Shared_Hugetlb:        0 kB\n" +
        "Private_Hugetlb:       0 kB\n" +
        "Swap:                  0 kB\n" +
        "SwapPss:               0 kB\n" +
        "Locked:                0 kB\n" +
        "THPeligible:           0\n" +
        "VmFlags: rd mr mw me \n" +
        "7fffaa72f000-7fffaa750000 rw-p 00000000 00:00 0                          [stack]\n" +
        "Size:                132 kB\n" +
        "Rss:                  20 kB\n" +
        "Anonymous:            16 kB\n" +
        "Swap:                  4 kB\n" +
        "THPeligible:           1\n" +
        "ProtectionKey:         0\n" +
        "VmFlags: rd wr mr mw me gd ac dc dd ht zz\n";

    [Test]
    public void ParseSmaps_Sample_ReadsCountersAndFlags()
    {
        List<SmapsEntry> smaps = ProcFsReader.ParseSmaps(Sample);

        Assert.That(smaps, Has.Count.EqualTo(2));
        Assert.Multiple(() =>
        {
            Assert.That(smaps[0].Map.Path, Is.EqualTo("/usr/bin/my tool"));
            Assert.That(smaps[0].Map.Deleted, Is.True);
            Assert.That(smaps[0].SizeKb, Is.EqualTo(8UL));
            Assert.That(smaps[0].SharedCleanKb, Is.EqualTo(8UL));
            Assert.That(smaps[0].PssKb, Is.EqualTo(4UL));
            Assert.That(smaps[0].Flags, Is.EqualTo(VmFlags.Read | VmFlags.MayRead | VmFlags.MayWrite | VmFlags.MayExec));
            Assert.That(smaps[0].ProtectionKey, Is.Null);
            Assert.That(smaps[1].RssKb, Is.EqualTo(20UL));
            Assert.That(smaps[1].AnonymousKb, Is.EqualTo(16UL));
            Assert.That(smaps[1].SwapKb, Is.EqualTo(4UL));
            Assert.That(smaps[1].ThpEligible, Is.True);
            Assert.That(smaps[1].ProtectionKey, Is.EqualTo(0));
            Assert.That(smaps[1].Flags.HasFlag(VmFlags.GrowsDown | VmFlags.DontCopy | VmFlags.DontDump | VmFlags.HugeTlb), Is.True);
            Assert.That(smaps[1].IsHugeTlb, Is.True);
            Assert.That(smaps[1].Flags.HasFlag(VmFlags.Unknown), Is.True, "an unknown code is kept visible");
        });
    }

    [Test]
    public void ParseSmaps_FieldBeforeHeader_ThrowsFormatException()
    {
        Assert.Throws<FormatException>(() => ProcFsReader.ParseSmaps("Rss:  4 kB\n"));
    }

    [Test]
    public void TryReadSmaps_Self_StackGrowsDownAndHasRss()
    {
        Assert.That(ProcFsReader.TryReadSmaps(Environment.ProcessId, out List<SmapsEntry> smaps), Is.True);

        SmapsEntry stack = smaps.Single(s => s.Map.Kind == MapPathKind.Stack);
        Assert.Multiple(() =>
        {
            Assert.That(stack.Flags.HasFlag(VmFlags.GrowsDown | VmFlags.Read | VmFlags.Write), Is.True);
            Assert.That(stack.RssKb, Is.GreaterThan(0UL));
            Assert.That(stack.SizeKb * 1024, Is.EqualTo(stack.Map.Size));
            Assert.That(smaps.Where(s => s.Map.Kind == MapPathKind.Vdso).All(s => s.Flags.HasFlag(VmFlags.Exec)), Is.True);
        });
    }

    [Test]
    public void TryReadSmaps_GonePid_ReturnsFalse()
    {
        Assert.That(ProcFsReader.TryReadSmaps(ProcFsChild.GonePid(), out _), Is.False);
    }
}
