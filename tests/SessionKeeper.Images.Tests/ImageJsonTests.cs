using System.Buffers.Binary;
using System.Text.Json;
using Google.Protobuf;
using SessionKeeper.Images.V1;

namespace SessionKeeper.Images.Tests;

public class ImageJsonTests
{
    private static IEnumerable<ImageKind> FramedKinds => ImageRegistry.FramedKinds;

    [TestCaseSource(nameof(FramedKinds))]
    public void DecodeThenEncode_EachKind_IsByteIdentical(ImageKind kind)
    {
        using var dir = new TempDirectory();
        string original = dir.File("original.img");
        string rebuilt = dir.File("rebuilt.img");
        File.WriteAllBytes(original, ImageFiles.Sample(kind));

        string json = Decode(original);
        ImageJson.Encode(new StringReader(json), rebuilt, "decoded.json");

        Assert.That(File.ReadAllBytes(rebuilt), Is.EqualTo(File.ReadAllBytes(original)));
    }

    [Test]
    public void DecodeThenEncode_EmptyImageOfNewerMinor_IsByteIdentical()
    {
        byte[] image = ImageFiles.Build(ImageKind.Pagemap, []);
        BinaryPrimitives.WriteUInt16LittleEndian(image.AsSpan(ImageFormat.MinorOffset), 9);
        using var dir = new TempDirectory();
        string path = dir.File("pagemap-1.img");
        File.WriteAllBytes(path, image);

        string json = Decode(path);
        var rebuilt = new MemoryStream();
        ImageJson.Encode(new StringReader(json), rebuilt);

        Assert.That(rebuilt.ToArray(), Is.EqualTo(image));
        Assert.That(json, Does.Contain("\"messages\": []"));
    }

    [Test]
    public void Decode_Core_PrintsHeaderAndMessagesAsProtobufJson()
    {
        using var dir = new TempDirectory();
        string path = dir.File("core-11826.img");
        ImageWriter.WriteFile(path, [ImageSamples.Core()]);

        using JsonDocument document = JsonDocument.Parse(Decode(path));
        JsonElement root = document.RootElement;
        JsonElement header = root.GetProperty("header");
        JsonElement core = root.GetProperty("messages").EnumerateArray().Single();
        JsonElement thread = core.GetProperty("threads")[0];

        Assert.That(header.GetProperty("kind").GetString(), Is.EqualTo("IMAGE_KIND_CORE"));
        Assert.That(header.GetProperty("formatMajor").GetInt32(), Is.EqualTo(1));
        Assert.That(header.GetProperty("formatMinor").GetInt32(), Is.EqualTo(0));
        Assert.That(core.GetProperty("pid").GetInt32(), Is.EqualTo(11826));
        Assert.That(thread.GetProperty("state").GetString(), Is.EqualTo("TASK_STATE_RUNNING"));
        Assert.That(thread.GetProperty("regs").GetProperty("origRax").GetString(), Is.EqualTo("18446744073709551615"));
        Assert.That(thread.GetProperty("rseq").GetProperty("signature").GetInt64(), Is.EqualTo(0x53053053));
        // Optional fields set to zero are present: presence carries meaning (dumpable 0 != unknown).
        Assert.That(core.GetProperty("dumpable").GetInt32(), Is.Zero);
    }

    [Test]
    public void Encode_EditedJson_WritesTheEditedValue()
    {
        using var dir = new TempDirectory();
        string path = dir.File("fdinfo-1.img");
        ImageWriter.WriteFile(path, [new FdEntry { Fd = 3, FileId = 2 }]);
        string json = Decode(path).Replace("\"fileId\": 2", "\"fileId\": 5", StringComparison.Ordinal);

        ImageJson.Encode(new StringReader(json), path, "edited.json");

        Assert.That(ImageReader.ReadFile<FdEntry>(path), Is.EqualTo(new[] { new FdEntry { Fd = 3, FileId = 5 } }));
    }

    [Test]
    public void Encode_AcceptsKindNumberCommentsAndOriginalFieldNames()
    {
        const string Json = """
            // written by hand
            {
              "header": { "kind": 6, "formatMajor": 1, "formatMinor": 0 },
              "messages": [ { "fd": 7, "file_id": 3, "cloexec": true }, ],
            }
            """;
        var output = new MemoryStream();

        ImageJson.Encode(new StringReader(Json), output, "hand.json");

        Assert.That(output.ToArray(), Is.EqualTo(ImageFiles.Build(ImageKind.Fdinfo, [new FdEntry { Fd = 7, FileId = 3, Cloexec = true }])));
    }

    [TestCase("not json", "invalid JSON")]
    [TestCase("[]", "must be an object")]
    [TestCase("""{"messages": []}""", "\"header\" must be an object")]
    [TestCase("""{"header": {"kind": "CORE", "formatMajor": 1, "formatMinor": 0}, "messages": []}""", "header.kind must name an image kind")]
    [TestCase("""{"header": {"kind": "IMAGE_KIND_RAW_PAGES", "formatMajor": 1, "formatMinor": 0}, "messages": []}""", "not a framed image kind")]
    [TestCase("""{"header": {"kind": "IMAGE_KIND_CORE", "formatMajor": 2, "formatMinor": 0}, "messages": []}""", "unsupported format version 2.0")]
    [TestCase("""{"header": {"kind": "IMAGE_KIND_CORE", "formatMajor": 1, "formatMinor": -1}, "messages": []}""", "header.formatMinor must be a number")]
    [TestCase("""{"header": {"kind": "IMAGE_KIND_CORE", "formatMajor": 1, "formatMinor": 0}}""", "\"messages\" must be an array")]
    [TestCase("""{"header": {"kind": "IMAGE_KIND_FDINFO", "formatMajor": 1, "formatMinor": 0}, "messages": [{"fd": 1}, {"fd": "x"}]}""", "messages[1]:")]
    [TestCase("""{"header": {"kind": "IMAGE_KIND_FDINFO", "formatMajor": 1, "formatMinor": 0}, "messages": [{"nosuchfield": 1}]}""", "messages[0]:")]
    [TestCase("""{"header": {"kind": "IMAGE_KIND_FDINFO", "formatMajor": 1, "formatMinor": 0}, "messages": [7]}""", "messages[0]:")]
    public void Encode_InvalidDocument_ThrowsNamingTheInputAndWritesNothing(string json, string reason)
    {
        using var dir = new TempDirectory();
        string output = dir.File("out.img");

        ImageFormatException e = Assert.Throws<ImageFormatException>(() => ImageJson.Encode(new StringReader(json), output, "in.json"))!;

        Assert.That(e.Path, Is.EqualTo("in.json"));
        Assert.That(e.Offset, Is.Null);
        Assert.That(e.Message, Does.StartWith("in.json: ").And.Contain(reason));
        Assert.That(File.Exists(output), Is.False);
    }

    [Test]
    public void Decode_CorruptImage_ThrowsImageFormatExceptionWithOffset()
    {
        using var dir = new TempDirectory();
        string path = dir.File("files.img");
        File.WriteAllBytes(path, ImageFiles.Sample(ImageKind.Files)[..100]);

        ImageFormatException e = Assert.Throws<ImageFormatException>(() => Decode(path))!;

        Assert.That(e.Path, Is.EqualTo(path));
        Assert.That(e.Offset, Is.EqualTo(ImageFiles.FrameOffsets(ImageFiles.Sample(ImageKind.Files)).Last(o => o < 100)));
    }

    private static string Decode(string path)
    {
        var output = new StringWriter { NewLine = "\n" };
        ImageJson.Decode(path, output);
        return output.ToString();
    }
}
