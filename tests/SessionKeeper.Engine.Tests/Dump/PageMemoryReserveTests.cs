using SessionKeeper.Engine.Memory;
using SessionKeeper.Native;

namespace SessionKeeper.Engine.Tests.Dump;

/// <summary>
/// The memory a large dump faults in before the freeze: sized from the tree, handed out in
/// aligned, zeroed, resident segments, and given back.
/// </summary>
[TestFixture]
public sealed unsafe class PageMemoryReserveTests
{
    [Test]
    public void Segments_AreAlignedResidentZeroedAndDistinct_UntilUsedUp()
    {
        using PageMemoryReserve reserve = PageMemoryReserve.Create((2L * PageMemoryReserve.SegmentSize) + 1);
        Assert.That(reserve.Bytes, Is.EqualTo(3L * PageMemoryReserve.SegmentSize), "rounded up to whole segments");

        var taken = new List<nint>();
        for (nint segment = reserve.Take(); segment != 0; segment = reserve.Take())
        {
            taken.Add(segment);
        }
        Assert.That(taken, Has.Count.EqualTo(3));
        Assert.That(taken.Distinct().Count(), Is.EqualTo(3));
        Assert.That(taken.Select(s => (long)s % PageMemoryReserve.SegmentSize), Is.All.EqualTo(0L), "huge-page aligned");
        Assert.That(reserve.Take(), Is.EqualTo(nint.Zero), "used up stays used up");
        // Taking touches nothing, so every page present now was faulted in when the reserve was made.
        Assert.That(taken.All(s => AllPresent(s, PageMemoryReserve.SegmentSize)), Is.True, "faulted in up front");
        foreach (nint segment in taken)
        {
            var memory = new Span<byte>((void*)segment, PageMemoryReserve.SegmentSize);
            Assert.That(memory.IndexOfAnyExcept((byte)0), Is.EqualTo(-1), "zeroed");
            memory.Fill(0x42);
        }
        // Taken segments belong to the taker: the reserve's disposal leaves them mapped.
        reserve.Dispose();
        foreach (nint segment in taken)
        {
            Assert.That(((byte*)segment)[PageMemoryReserve.SegmentSize - 1], Is.EqualTo(0x42));
            Interop.Unmap(segment, PageMemoryReserve.SegmentSize);
        }
    }

    [Test]
    public void Dispose_UnmapsWhatNoOneTook()
    {
        PageMemoryReserve reserve = PageMemoryReserve.Create(4L * PageMemoryReserve.SegmentSize);
        nint first = reserve.Take();
        nint second = first + PageMemoryReserve.SegmentSize;
        Assert.That(Mapped(second), Is.True);
        reserve.Dispose();
        Assert.That(Mapped(first), Is.True, "taken");
        Assert.That(Mapped(second), Is.False, "never taken, so unmapped");
        Interop.Unmap(first, PageMemoryReserve.SegmentSize);
    }

    [Test]
    public void ForTree_SumsTheAnonymousMemoryOfEveryProcess_AndSkipsSmallTrees()
    {
        // A parent and its child each hold 48 MiB they wrote: neither alone reaches the minimum
        // of 64 MiB, the tree does.
        const string Script =
            "import os, sys, time\n" +
            "d = sys.argv[1]\n" +
            "if os.fork() == 0:\n" +
            "    b = b'c' * (48 << 20)\n" +
            "    open(d + '/child', 'w').close()\n" +
            "    time.sleep(600)\n" +
            "a = b'p' * (48 << 20)\n" +
            "while not os.path.exists(d + '/child'):\n" +
            "    time.sleep(0.01)\n" +
            "open(d + '/ready', 'w').close()\n" +
            "time.sleep(600)\n";
        using DumpTarget target = DumpTarget.Start("python3", $"python3 -c \"{Script}\" \"$DIR\"");
        Assert.That(SpinWait.SpinUntil(() => File.Exists(Path.Combine(target.Directory, "ready")), TimeSpan.FromSeconds(30)), Is.True, "python3 did not get ready");

        using PageMemoryReserve? reserve = PageMemoryReserve.ForTree(target.Pid);
        Assert.That(reserve, Is.Not.Null);
        Assert.That(reserve!.Bytes, Is.InRange(96L << 20, 160L << 20), "both processes' 48 MiB, and the interpreters' own");

        using DumpTarget small = DumpTarget.Start("sleep", "sleep 600");
        Assert.That(PageMemoryReserve.ForTree(small.Pid), Is.Null, "a tree of a few KiB gets no reserve");
        Assert.That(PageMemoryReserve.ForTree(int.MaxValue), Is.Null, "nor does a pid that does not exist");
    }

    // Whether every page of [address, address + length) is present (bit 63 of /proc/self/pagemap).
    [Test]
    public void MemoryThatCannotBeHad_IsAnErrorNamingIt_NotACrash()
    {
        // 1 PiB is more than a process's whole address space (128 TiB below the 47-bit line, where
        // mmap places a mapping without a hint), so the kernel refuses it in every overcommit
        // mode and nothing is ever faulted in.
        Assert.That(() => PageMemoryReserve.Create(1L << 50), Throws.InstanceOf<ErrnoException>()
            .With.Property(nameof(ErrnoException.Errno)).EqualTo(Errno.ENOMEM)
            .And.Message.Contains("anonymous memory"));
    }

    private static bool AllPresent(nint address, int length)
    {
        int page = Environment.SystemPageSize;
        byte[] entries = new byte[length / page * 8];
        using var pagemap = new FileStream("/proc/self/pagemap", FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0);
        pagemap.Position = (long)address / page * 8;
        pagemap.ReadExactly(entries);
        for (int i = 0; i < entries.Length; i += 8)
        {
            if ((BitConverter.ToUInt64(entries, i) & (1UL << 63)) == 0)
            {
                return false;
            }
        }
        return true;
    }

    // Whether the page at `address` is mapped in this process (/proc/self/maps).
    private static bool Mapped(nint address)
    {
        foreach (string line in File.ReadLines("/proc/self/maps"))
        {
            string[] range = line[..line.IndexOf(' ', StringComparison.Ordinal)].Split('-');
            ulong start = Convert.ToUInt64(range[0], 16);
            ulong end = Convert.ToUInt64(range[1], 16);
            if ((ulong)address >= start && (ulong)address < end)
            {
                return true;
            }
        }
        return false;
    }
}
