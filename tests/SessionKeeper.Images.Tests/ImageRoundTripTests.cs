using System.Buffers.Binary;
using Google.Protobuf;
using SessionKeeper.Images.V1;

namespace SessionKeeper.Images.Tests;

public class ImageRoundTripTests
{
    private static IEnumerable<ImageKind> FramedKinds => ImageRegistry.FramedKinds;

    [TestCaseSource(nameof(FramedKinds))]
    public void WriteThenRead_EachKind_ReturnsEqualMessages(ImageKind kind)
    {
        IReadOnlyList<IMessage> samples = ImageSamples.For(kind);
        byte[] image = ImageFiles.Build(kind, samples);

        using var reader = new ImageReader(new MemoryStream(image), "sample.img", kind);
        List<IMessage> read = [.. reader.ReadAll()];

        Assert.That(reader.Header, Is.EqualTo(new ImageHeader(kind, ImageFormat.CurrentMajor, ImageFormat.CurrentMinor)));
        Assert.That(read, Is.EqualTo(samples));
    }

    [TestCaseSource(nameof(FramedKinds))]
    public void Write_EachKind_HeaderHasDocumentedLayout(ImageKind kind)
    {
        byte[] image = ImageFiles.Build(kind, []);

        Assert.That(image, Has.Length.EqualTo(ImageFormat.HeaderSize));
        Assert.That(image[..8], Is.EqualTo("KEEPIMG\0"u8.ToArray()));
        Assert.That(BinaryPrimitives.ReadUInt16LittleEndian(image.AsSpan(8)), Is.EqualTo(1));
        Assert.That(BinaryPrimitives.ReadUInt16LittleEndian(image.AsSpan(10)), Is.EqualTo(0));
        Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(image.AsSpan(12)), Is.EqualTo((uint)kind));
        Assert.That(image[16..24], Is.All.Zero);
    }

    [Test]
    public void Write_Frames_AreVarintLengthPrefixedMessages()
    {
        var entry = new FdEntry { Fd = 3, FileId = 2, Cloexec = true };
        byte[] image = ImageFiles.Build(ImageKind.Fdinfo, [entry]);

        byte[] expected = [(byte)entry.CalculateSize(), .. entry.ToByteArray()];
        Assert.That(image[ImageFormat.HeaderSize..], Is.EqualTo(expected));
    }

    [Test]
    public void ReadNext_EmptyImage_ReturnsNull()
    {
        using var reader = new ImageReader(new MemoryStream(ImageFiles.Build(ImageKind.Pstree, [])), "empty.img", ImageKind.Pstree);

        Assert.That(reader.ReadNext(), Is.Null);
        Assert.That(reader.Offset, Is.EqualTo(ImageFormat.HeaderSize));
    }

    [Test]
    public void ReadNext_EmptyMessage_ReturnsDefaultMessage()
    {
        byte[] image = ImageFiles.Build(ImageKind.Fdinfo, [new FdEntry()]);

        Assert.That(ImageFiles.ReadAll(image), Is.EqualTo(new[] { new FdEntry() }));
    }

    [Test]
    public void WriteFileThenReadFile_Pstree_ReturnsEqualMessages()
    {
        using var dir = new TempDirectory();
        string path = dir.File("pstree.img");
        List<PstreeEntry> entries = [.. ImageSamples.Pstree().Cast<PstreeEntry>()];

        ImageWriter.WriteFile(path, entries);

        Assert.That(ImageReader.ReadFile<PstreeEntry>(path), Is.EqualTo(entries));
    }

    [Test]
    public void Open_FileOfExpectedKind_ExposesHeaderAndPath()
    {
        using var dir = new TempDirectory();
        string path = dir.File("core-11826.img");
        ImageWriter.WriteFile(path, [ImageSamples.Core()]);

        using ImageReader reader = ImageReader.Open(path, ImageKind.Core);

        Assert.That(reader.Path, Is.EqualTo(path));
        Assert.That(reader.Descriptor, Is.SameAs(Core.Descriptor));
        Assert.That(reader.ReadAll<Core>().Single(), Is.EqualTo(ImageSamples.Core()));
    }

    [Test]
    public void Write_MessageOfAnotherKind_ThrowsArgumentException()
    {
        using var writer = new ImageWriter(new MemoryStream(), ImageKind.Core);

        Assert.That(() => writer.Write(new Mm()), Throws.ArgumentException.With.Message.Contains("keeper.images.v1.Core"));
    }

    [Test]
    public void Create_RawPagesKind_ThrowsArgumentExceptionAndCreatesNothing()
    {
        using var dir = new TempDirectory();
        string path = dir.File("pages.img");

        Assert.That(() => ImageWriter.Create(path, ImageKind.RawPages), Throws.ArgumentException);
        Assert.That(File.Exists(path), Is.False);
    }

    [Test]
    public void ReadAllOfT_WrongType_ThrowsInvalidOperationException()
    {
        using var reader = new ImageReader(new MemoryStream(ImageFiles.Sample(ImageKind.Fdinfo)), "fdinfo.img", null);

        Assert.That(() => reader.ReadAll<PstreeEntry>().ToList(), Throws.InvalidOperationException);
    }

    [Test]
    public void Read_NewerMinorWithUnknownFields_ReadsKnownFieldsAndKeepsUnknown()
    {
        // A newer writer added field 100 to FdEntry; this reader must still read the file.
        var entry = new FdEntry { Fd = 4, FileId = 9 };
        byte[] payload = [.. entry.ToByteArray(), 0xA0, 0x06, 0x2A]; // field 100, varint 42
        byte[] image = [.. ImageFiles.Build(ImageKind.Fdinfo, []), (byte)payload.Length, .. payload];
        BinaryPrimitives.WriteUInt16LittleEndian(image.AsSpan(ImageFormat.MinorOffset), 7);

        using var reader = new ImageReader(new MemoryStream(image), "fdinfo-1.img", ImageKind.Fdinfo);
        var read = (FdEntry)reader.ReadNext()!;

        Assert.That(reader.Header.Minor, Is.EqualTo(7));
        Assert.That(read.Fd, Is.EqualTo(4));
        Assert.That(read.FileId, Is.EqualTo(9));
        Assert.That(read.ToByteArray(), Is.EqualTo(payload), "unknown fields are preserved when re-serialized");
    }

    [Test]
    public void Registry_EveryFramedKind_MapsBothWays()
    {
        Assert.Multiple(() =>
        {
            foreach (ImageKind kind in ImageRegistry.FramedKinds)
            {
                Assert.That(ImageRegistry.GetKind(ImageRegistry.GetDescriptor(kind)), Is.EqualTo(kind));
                Assert.That(ImageRegistry.GetParser(kind), Is.Not.Null);
            }
        });
        Assert.That(ImageRegistry.FramedKinds, Has.Count.EqualTo(10));
        Assert.That(ImageRegistry.IsFramed(ImageKind.RawPages), Is.False);
        Assert.That(ImageRegistry.KindOf<Mm>(), Is.EqualTo(ImageKind.Mm));
    }

    [Test]
    public void Registry_KindNames_RoundTrip()
    {
        Assert.That(ImageRegistry.NameOf(ImageKind.Core), Is.EqualTo("IMAGE_KIND_CORE"));
        Assert.That(ImageRegistry.NameOf((ImageKind)4242), Is.EqualTo("4242"));
        Assert.That(ImageRegistry.TryParseKind("IMAGE_KIND_SYSV_SHM", out ImageKind named), Is.True);
        Assert.That(named, Is.EqualTo(ImageKind.SysvShm));
        Assert.That(ImageRegistry.TryParseKind("3", out ImageKind numbered), Is.True);
        Assert.That(numbered, Is.EqualTo(ImageKind.Core));
        Assert.That(ImageRegistry.TryParseKind("core", out _), Is.False);
    }
}
