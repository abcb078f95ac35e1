using SessionKeeper.Engine.Memory;
using Img = SessionKeeper.Images.V1;

namespace SessionKeeper.Store.Tests;

/// <summary>Cutting page runs into chunks, and the chunk codec.</summary>
[TestFixture]
public sealed class ChunkTests
{
    private const int Page = 4096;

    [Test]
    public void Cut_RunsFollowAddressBoundaries_SoTheSameMemoryGivesTheSameChunks()
    {
        // A run starting 3 pages before a chunk boundary, then a run of 40 pages on one.
        ulong first = (ulong)(16 * PackFormat.MaxChunkLength) - (3 * Page);
        ulong second = 0x1000000;
        var pagemap = new List<Img.PagemapEntry> { Run(first, 20, 0), Run(second, 40, 20 * Page) };

        List<(long Offset, int Length)> pieces = PageChunker.Cut(60L * Page, pagemap);

        ulong AddressOf(long offset) => offset < 20 * Page ? first + (ulong)offset : second + (ulong)(offset - (20 * Page));
        Assert.That(pieces.Sum(p => (long)p.Length), Is.EqualTo(60L * Page));
        Assert.That(pieces[0], Is.EqualTo((0L, 3 * Page)), "the first piece ends at the boundary");
        foreach ((long offset, int length) in pieces)
        {
            ulong start = AddressOf(offset);
            Assert.That(length, Is.LessThanOrEqualTo(PackFormat.MaxChunkLength));
            Assert.That(start / (ulong)PackFormat.MaxChunkLength, Is.EqualTo((start + (ulong)length - 1) / (ulong)PackFormat.MaxChunkLength), $"piece at 0x{start:x} crosses a boundary");
            Assert.That(start % (ulong)PackFormat.MaxChunkLength == 0 || offset == 0 || offset == 20 * Page, Is.True, $"piece at 0x{start:x} starts off a boundary");
        }
    }

    [Test]
    public void Cut_BytesNoRunCovers_AreStillCovered()
    {
        List<(long Offset, int Length)> pieces = PageChunker.Cut(20L * Page, [Run(0x200000, 2, 4 * Page)]);

        Assert.That(pieces.Sum(p => (long)p.Length), Is.EqualTo(20L * Page));
        Assert.That(pieces.Select(p => p.Offset), Is.Ordered);
        Assert.That(pieces, Has.Member((4L * Page, 2 * Page)));
    }

    [TestCase(ChunkCoding.Zero)]
    [TestCase(ChunkCoding.Lz4)]
    [TestCase(ChunkCoding.Stored)]
    public void Encode_ThenDecode_GivesTheBytesBack_WithTheExpectedCoding(ChunkCoding expected)
    {
        byte[] raw = new byte[PackFormat.MaxChunkLength];
        if (expected == ChunkCoding.Lz4)
        {
            for (int i = 0; i < raw.Length; i++)
            {
                raw[i] = (byte)(i / 100);
            }
        }
        else if (expected == ChunkCoding.Stored)
        {
            new Random(7).NextBytes(raw);
        }
        byte[] encoded = new byte[ChunkCodec.MaxEncodedLength(raw.Length)];

        (ChunkCoding coding, int length) = ChunkCodec.Encode(raw, encoded);
        byte[] back = new byte[raw.Length];

        Assert.That(coding, Is.EqualTo(expected));
        Assert.That(ChunkCodec.TryDecode(coding, encoded.AsSpan(0, length), back), Is.True);
        Assert.That(back, Is.EqualTo(raw));
    }

    [Test]
    public void TryDecode_DamagedLz4_IsRefusedOrCaughtByTheHash()
    {
        byte[] raw = new byte[8192];
        for (int i = 0; i < raw.Length; i++)
        {
            raw[i] = (byte)(i % 7 == 0 ? i : 1);
        }
        byte[] encoded = new byte[ChunkCodec.MaxEncodedLength(raw.Length)];
        (ChunkCoding coding, int length) = ChunkCodec.Encode(raw, encoded);
        encoded[length / 2] ^= 0x40;
        byte[] back = new byte[raw.Length];

        bool decoded = ChunkCodec.TryDecode(coding, encoded.AsSpan(0, length), back);

        Assert.That(decoded && ChunkHash.Of(back) == ChunkHash.Of(raw), Is.False);
    }

    [Test]
    public void ChunkHash_RoundTripsThroughItsBytes()
    {
        ChunkHash hash = ChunkHash.Of("keeper"u8);

        Assert.That(ChunkHash.Read(hash.ToArray()), Is.EqualTo(hash));
        Assert.That(hash.ToString(), Has.Length.EqualTo(64));
    }

    private static Img.PagemapEntry Run(ulong address, uint pages, long offset) =>
        new() { Vaddr = address, NrPages = pages, Content = new Img.ContentRef { PagesOffset = (ulong)offset } };

    [Test]
    public void PageSize_IsTheOneTheCutAssumes() => Assert.That(PageBuffer.PageSize, Is.EqualTo(Page));
}
