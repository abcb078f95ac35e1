using SessionKeeper.Engine.Memory;
using SessionKeeper.Native;

namespace SessionKeeper.Engine.Tests.Dump;

/// <summary>
/// Page contents go through the reader's staging buffer into the PageBuffer's memfd; these
/// read this test process's own memory (process_vm_readv allows a process to read itself)
/// and compare every byte.
/// </summary>
[TestFixture]
public sealed unsafe class RemoteMemoryReaderTests
{
    private static readonly int Page = PageBuffer.PageSize;

    [Test]
    public void Runs_LargerThanTheStagingBuffer_AndOutOfOrder_LandAtTheirOffsets()
    {
        int pages = (3 * RemoteMemoryReader.StagingSize / Page) + 5;
        nuint length = (nuint)(pages * Page);
        nint memory = Interop.MapAnonymous(length, populate: true);
        try
        {
            var source = new Span<byte>((void*)memory, (int)length);
            Random.Shared.NextBytes(source);
            using var buffer = new PageBuffer();
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
                Assert.That(reader.VectoredCalls, Is.GreaterThanOrEqualTo(4), "the big run takes several staging rounds");
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
        }
        finally
        {
            Interop.Unmap(memory, length);
        }
    }

    [Test]
    public void ProtNonePage_IsReadThroughProcMem()
    {
        nuint length = (nuint)(4 * Page);
        nint memory = Interop.MapAnonymous(length, populate: true);
        try
        {
            var source = new Span<byte>((void*)memory, (int)length);
            source.Fill(0x3c);
            source.Slice(2 * Page, Page).Fill(0x77);
            Assert.That(Interop.TryProtect(memory + (2 * Page), (nuint)Page, MmapProt.PROT_NONE), Is.True);
            using var buffer = new PageBuffer();
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

    [Test]
    public void PageBuffer_RefusesRangesOutsideWhatWasAppended_AndReadsUnwrittenPagesAsZeros()
    {
        using var buffer = new PageBuffer();
        long offset = buffer.Append(2);
        Assert.That(() => buffer.Write(Page, new byte[2 * Page]), Throws.InstanceOf<ArgumentOutOfRangeException>());
        Assert.That(() => buffer.Read(-1, new byte[1]), Throws.InstanceOf<ArgumentOutOfRangeException>());
        buffer.Write(offset, Enumerable.Repeat((byte)5, Page).ToArray());
        byte[] copy = new byte[2 * Page];
        copy.AsSpan().Fill(0xff);
        buffer.Read(0, copy);
        Assert.That(copy.AsSpan(0, Page).ToArray(), Is.All.EqualTo(5));
        Assert.That(copy.AsSpan(Page).ToArray(), Is.All.EqualTo(0), "the second page was never written");
    }
}
