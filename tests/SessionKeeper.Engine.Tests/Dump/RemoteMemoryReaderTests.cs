using SessionKeeper.Engine.Memory;
using SessionKeeper.Native;

namespace SessionKeeper.Engine.Tests.Dump;

/// <summary>
/// Page contents go through the reader's staging buffer into the PageBuffer's memfd, or
/// straight into its memory when it has a reserve; these read this test process's own memory
/// (process_vm_readv allows a process to read itself) and compare every byte. With a reserve
/// the tests give it one segment, so the buffer also crosses into memory mapped anew.
/// </summary>
[TestFixture]
public sealed unsafe class RemoteMemoryReaderTests
{
    private static readonly int Page = PageBuffer.PageSize;

    // A buffer of either kind: in a memfd, or in memory from a reserve of one segment.
    private static (PageBuffer Buffer, PageMemoryReserve? Reserve) NewBuffer(bool reserved)
    {
        PageMemoryReserve? reserve = reserved ? PageMemoryReserve.Create(1) : null;
        var buffer = new PageBuffer(reserve);
        Assert.That(buffer.InMemory, Is.EqualTo(reserved));
        return (buffer, reserve);
    }

    [TestCase(false)]
    [TestCase(true)]
    public void Runs_LargerThanTheStagingBuffer_AndOutOfOrder_LandAtTheirOffsets(bool reserved)
    {
        // Larger than a reserve segment too, so the copy crosses from one into the next.
        int pages = (5 * RemoteMemoryReader.StagingSize / Page) + 5;
        nuint length = (nuint)(pages * Page);
        nint memory = Interop.MapAnonymous(length, populate: true);
        try
        {
            var source = new Span<byte>((void*)memory, (int)length);
            Random.Shared.NextBytes(source);
            (PageBuffer buffer, PageMemoryReserve? reserve) = NewBuffer(reserved);
            using var owned = buffer;
            using var reserveOwned = reserve;
            // Three runs: the middle of the memory first, then the start (not contiguous with it
            // in the buffer's order), then a run bigger than the staging buffer.
            var runs = new (int FirstPage, int Pages)[] { (7, 3), (0, 7), (10, pages - 10) };
            var offsets = new long[runs.Length];
            using (var reader = new RemoteMemoryReader(Environment.ProcessId))
            {
                for (int i = 0; i < runs.Length; i++)
                {
                    offsets[i] = buffer.Append(runs[i].Pages);
                    reader.Enqueue((ulong)memory + (ulong)(runs[i].FirstPage * Page), runs[i].Pages, buffer, offsets[i]);
                }
                reader.Flush();
                Assert.That(reader.VectoredCalls, Is.GreaterThanOrEqualTo(6), "the big run takes several rounds");
                Assert.That(reader.FallbackBytes, Is.Zero);
            }

            Assert.That(buffer.Length, Is.EqualTo(pages * (long)Page));
            for (int i = 0; i < runs.Length; i++)
            {
                byte[] copy = new byte[runs[i].Pages * Page];
                buffer.Read(offsets[i], copy);
                Assert.That(copy.AsSpan().SequenceEqual(source.Slice(runs[i].FirstPage * Page, copy.Length)), Is.True, $"run {i}");
            }
            using var whole = new MemoryStream();
            buffer.WriteTo(whole);
            Assert.That(whole.Length, Is.EqualTo(buffer.Length));
            Assert.That(whole.ToArray().AsSpan((int)offsets[1], 7 * Page).SequenceEqual(source[..(7 * Page)]), Is.True, "the run read second, in the whole buffer");
            if (reserved)
            {
                Assert.That(reserve!.Taken, Is.EqualTo(1), "the one segment was used, and then memory mapped anew");
                Assert.That(buffer.TryView(offsets[1], 7 * Page, out ReadOnlySpan<byte> view), Is.True);
                Assert.That(view.SequenceEqual(source[..(7 * Page)]), Is.True, "seen in place");
                long boundary = PageMemoryReserve.SegmentSize;
                Assert.That(buffer.TryView(boundary - Page, 2 * Page, out _), Is.False, "a range across two segments is not one span");
            }
        }
        finally
        {
            Interop.Unmap(memory, length);
        }
    }

    [TestCase(false)]
    [TestCase(true)]
    public void ProtNonePage_IsReadThroughProcMem(bool reserved)
    {
        nuint length = (nuint)(4 * Page);
        nint memory = Interop.MapAnonymous(length, populate: true);
        try
        {
            var source = new Span<byte>((void*)memory, (int)length);
            source.Fill(0x3c);
            source.Slice(2 * Page, Page).Fill(0x77);
            Assert.That(Interop.TryProtect(memory + (2 * Page), (nuint)Page, MmapProt.PROT_NONE), Is.True);
            (PageBuffer buffer, PageMemoryReserve? reserve) = NewBuffer(reserved);
            using var owned = buffer;
            using var reserveOwned = reserve;
            using (var reader = new RemoteMemoryReader(Environment.ProcessId))
            {
                reader.Enqueue((ulong)memory, 4, buffer, buffer.Append(4));
                reader.Flush();
                Assert.That(reader.FallbackBytes, Is.EqualTo(2 * Page), "the PROT_NONE page and the rest of its range");
            }
            byte[] copy = new byte[4 * Page];
            buffer.Read(0, copy);
            Assert.That(copy.AsSpan(0, 2 * Page).ToArray(), Is.All.EqualTo(0x3c));
            Assert.That(copy.AsSpan(2 * Page, Page).ToArray(), Is.All.EqualTo(0x77));
            Assert.That(copy.AsSpan(3 * Page).ToArray(), Is.All.EqualTo(0x3c));
        }
        finally
        {
            Interop.Unmap(memory, length);
        }
    }

    [TestCase(false)]
    [TestCase(true)]
    public void PageBuffer_RefusesRangesOutsideWhatWasAppended_AndReadsUnwrittenPagesAsZeros(bool reserved)
    {
        (PageBuffer buffer, PageMemoryReserve? reserve) = NewBuffer(reserved);
        using var owned = buffer;
        using var reserveOwned = reserve;
        // Three segments' worth: the last two are never written, so they have no memory at all.
        buffer.Append(3 * PageMemoryReserve.SegmentSize / Page);
        long offset = 0;
        Assert.That(() => buffer.Write(buffer.Length - Page, new byte[2 * Page]), Throws.InstanceOf<ArgumentOutOfRangeException>());
        Assert.That(() => buffer.Read(-1, new byte[1]), Throws.InstanceOf<ArgumentOutOfRangeException>());
        buffer.Write(offset, Enumerable.Repeat((byte)5, Page).ToArray());
        byte[] copy = new byte[buffer.Length];
        copy.AsSpan().Fill(0xff);
        buffer.Read(0, copy);
        Assert.That(copy.AsSpan(0, Page).ToArray(), Is.All.EqualTo(5));
        Assert.That(copy.AsSpan(Page).ToArray(), Is.All.EqualTo(0), "the rest was never written");
    }
}
