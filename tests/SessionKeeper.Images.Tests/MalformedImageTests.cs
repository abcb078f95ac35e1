using System.Buffers.Binary;
using SessionKeeper.Images.V1;

namespace SessionKeeper.Images.Tests;

/// <summary>
/// Every way an image file can be wrong is reported as an <see cref="ImageFormatException"/>
/// that names the file and the offset of the header field or frame at fault.
/// </summary>
public class MalformedImageTests
{
    private const string Path = "/snapshots/s1/core-11826.img";

    [Test]
    public void Open_WrongMagic_ThrowsAtOffsetZero()
    {
        byte[] image = ImageFiles.Sample(ImageKind.Core);
        image[3] = (byte)'X';

        ImageFormatException e = Reading(image, ImageKind.Core);

        AssertNames(e, 0, "bad magic");
    }

    [Test]
    public void Open_OtherFormatShorterThanHeader_ThrowsBadMagicAtOffsetZero()
    {
        ImageFormatException e = Reading("{}\n"u8.ToArray(), ImageKind.Core);

        AssertNames(e, 0, "bad magic");
    }

    [TestCase(0)]
    [TestCase(5)]
    [TestCase(8)]
    [TestCase(13)]
    [TestCase(23)]
    public void Open_TruncatedHeader_ThrowsAtEndOfData(int length)
    {
        byte[] image = ImageFiles.Sample(ImageKind.Core)[..length];

        ImageFormatException e = Reading(image, ImageKind.Core);

        AssertNames(e, length, $"truncated header: {length} of 24 bytes");
    }

    [TestCase((ushort)0)]
    [TestCase((ushort)2)]
    [TestCase((ushort)0xffff)]
    public void Open_UnknownMajorVersion_ThrowsAtMajorOffset(ushort major)
    {
        byte[] image = ImageFiles.Sample(ImageKind.Core);
        BinaryPrimitives.WriteUInt16LittleEndian(image.AsSpan(ImageFormat.MajorOffset), major);

        ImageFormatException e = Reading(image, ImageKind.Core);

        AssertNames(e, 8, $"unsupported format version {major}.0");
    }

    [Test]
    public void Open_NewerMinorVersion_IsAccepted()
    {
        byte[] image = ImageFiles.Sample(ImageKind.Core);
        BinaryPrimitives.WriteUInt16LittleEndian(image.AsSpan(ImageFormat.MinorOffset), 3);

        Assert.That(ImageFiles.ReadAll(image, Path, ImageKind.Core), Is.EqualTo(new[] { ImageSamples.Core() }));
    }

    [Test]
    public void Open_OtherKindThanExpected_ThrowsAtKindOffset()
    {
        byte[] image = ImageFiles.Sample(ImageKind.Mm);

        ImageFormatException e = Reading(image, ImageKind.Core);

        AssertNames(e, 12, "image kind IMAGE_KIND_MM, expected IMAGE_KIND_CORE");
    }

    [TestCase(0u)]
    [TestCase(100u)]
    [TestCase(4242u)]
    public void Open_UnknownOrUnframedKind_ThrowsAtKindOffset(uint kind)
    {
        byte[] image = ImageFiles.Sample(ImageKind.Core);
        BinaryPrimitives.WriteUInt32LittleEndian(image.AsSpan(ImageFormat.KindOffset), kind);

        ImageFormatException e = Reading(image, expected: null);

        AssertNames(e, 12, "unknown image kind");
    }

    [Test]
    public void Read_TruncatedFrame_ThrowsAtStartOfThatFrame([Values(1, 2, 3, 100, -1)] int cutIntoFrame)
    {
        // Pstree has several frames; cut inside each one, at the length prefix and in the body.
        byte[] image = ImageFiles.Sample(ImageKind.Pstree);
        List<long> frames = ImageFiles.FrameOffsets(image);
        Assert.Multiple(() =>
        {
            for (int i = 0; i < frames.Count - 1; i++)
            {
                long start = frames[i];
                long frameLength = frames[i + 1] - start;
                long cut = cutIntoFrame < 0 ? frames[i + 1] - 1 : start + Math.Min(cutIntoFrame, frameLength - 1);

                ImageFormatException e = Reading(image[..(int)cut], ImageKind.Pstree);

                AssertNames(e, start, "truncated frame");
            }
        });
    }

    [Test]
    public void Read_TruncatedFrameOnUnseekableStream_ThrowsAtStartOfThatFrame()
    {
        byte[] image = ImageFiles.Sample(ImageKind.Core);
        using var stream = new UnseekableStream(image[..^10]);
        using var reader = new ImageReader(stream, Path, ImageKind.Core);

        ImageFormatException e = Assert.Throws<ImageFormatException>(() => reader.ReadNext())!;

        AssertNames(e, ImageFormat.HeaderSize, "truncated frame");
    }

    [Test]
    public void Read_TruncatedLengthPrefix_ThrowsAtStartOfFrame()
    {
        // 0x80 promises another varint byte that never comes.
        byte[] image = [.. ImageFiles.Build(ImageKind.Core, []), 0x80];

        ImageFormatException e = Reading(image, ImageKind.Core);

        AssertNames(e, 24, "truncated frame length");
    }

    [TestCase(new byte[] { 0x81, 0x80, 0x80, 0x80, 0x01 }, "exceeds the limit")] // 256 MiB + 1
    [TestCase(new byte[] { 0xff, 0xff, 0xff, 0xff, 0x07 }, "exceeds the limit")] // int.MaxValue
    [TestCase(new byte[] { 0xff, 0xff, 0xff, 0xff, 0x0f }, "exceeds the limit")] // uint.MaxValue
    [TestCase(new byte[] { 0xff, 0xff, 0xff, 0xff, 0xff, 0x01 }, "does not fit in 32 bits")]
    public void Read_OversizedLength_ThrowsAtStartOfFrameBeforeAllocating(byte[] prefix, string reason)
    {
        // A valid first frame, then the bad length: the offset must point at the second frame.
        byte[] first = ImageFiles.Build(ImageKind.Fdinfo, [new FdEntry { Fd = 1, FileId = 1 }]);
        byte[] image = [.. first, .. prefix, .. new byte[64]];

        using var reader = new ImageReader(new UnseekableStream(image), Path, ImageKind.Fdinfo);
        Assert.That(reader.ReadNext(), Is.Not.Null);
        ImageFormatException e = Assert.Throws<ImageFormatException>(() => reader.ReadNext())!;

        AssertNames(e, first.Length, reason);
    }

    [Test]
    public void Read_GarbageProtobuf_ThrowsAtStartOfThatFrame()
    {
        byte[] first = ImageFiles.Build(ImageKind.Pstree, ImageSamples.Pstree().Take(1));
        // Field 1 with wire type 7, which does not exist.
        byte[] image = [.. first, 0x03, 0x0f, 0x01, 0x02];

        ImageFormatException e = Reading(image, ImageKind.Pstree);

        AssertNames(e, first.Length, "PstreeEntry message does not parse");
    }

    [Test]
    public void Read_FrameWithTruncatedEmbeddedField_ThrowsAtStartOfThatFrame()
    {
        // The frame length is right, but the field inside claims 16 bytes of a 2-byte body.
        byte[] image = [.. ImageFiles.Build(ImageKind.Core, []), 0x03, 0x22, 0x10, 0x00];

        ImageFormatException e = Reading(image, ImageKind.Core);

        AssertNames(e, 24, "Core message does not parse");
    }

    [Test]
    public void OpenAny_MissingFile_ThrowsFileNotFoundException()
    {
        using var dir = new TempDirectory();

        Assert.That(() => ImageReader.OpenAny(dir.File("absent.img")), Throws.InstanceOf<FileNotFoundException>());
    }

    [Test]
    public void OpenAny_BadFileOnDisk_ExceptionNamesThePath()
    {
        using var dir = new TempDirectory();
        string path = dir.File("mm-1.img");
        File.WriteAllBytes(path, "KEEPIMG\0\u0001"u8.ToArray());

        ImageFormatException e = Assert.Throws<ImageFormatException>(() => ImageReader.OpenAny(path).Dispose())!;

        Assert.That(e.Message, Is.EqualTo($"{path}: truncated header: 9 of 24 bytes at offset 9"));
    }

    private static ImageFormatException Reading(byte[] image, ImageKind? expected) =>
        Assert.Throws<ImageFormatException>(() => ImageFiles.ReadAll(image, Path, expected))!;

    private static void AssertNames(ImageFormatException e, long offset, string reason)
    {
        Assert.That(e.Path, Is.EqualTo(Path));
        Assert.That(e.Offset, Is.EqualTo(offset));
        Assert.That(e.Reason, Does.Contain(reason));
        Assert.That(e.Message, Does.StartWith(Path + ": ").And.EndWith($" at offset {offset}"));
    }

    /// <summary>A stream like a pipe: no length, no seeking.</summary>
    private sealed class UnseekableStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }
    }
}
