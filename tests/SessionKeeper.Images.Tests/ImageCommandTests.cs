using SessionKeeper.Images.V1;
using SessionKeeper.Tests.Shared;

namespace SessionKeeper.Images.Tests;

/// <summary>
/// <c>keeper image decode/encode</c>, run as the real binary: the one the user runs, with its
/// error boundary and exit codes. Set <c>KEEPER_BIN</c> to test a published (NativeAOT) binary;
/// otherwise the build of src/SessionKeeper.Cli this project depends on is used.
/// </summary>
[NonParallelizable]
public class ImageCommandTests
{
    private TempDirectory _dir = null!;

    [SetUp]
    public void CreateDirectory() => _dir = new TempDirectory();

    [TearDown]
    public void RemoveDirectory() => _dir.Dispose();

    [Test]
    public void Decode_ValidImage_PrintsJsonToStdoutAndExitsZero()
    {
        string image = WriteSample(ImageKind.Pstree, "pstree.img");

        Result result = Run(null, "image", "decode", image);

        Assert.That(result.ExitCode, Is.Zero, result.Stderr);
        Assert.That(result.Stderr, Is.Empty);
        Assert.That(result.Stdout, Does.StartWith("{\n  \"header\": {\n    \"kind\": \"IMAGE_KIND_PSTREE\""));
        Assert.That(result.Stdout, Does.Contain("\"state\": \"PROCESS_STATE_ZOMBIE\""));
    }

    [TestCaseSource(typeof(ImageRegistry), nameof(ImageRegistry.FramedKinds))]
    public void DecodeToFileThenEncodeFile_EachKind_IsByteIdentical(ImageKind kind)
    {
        string image = WriteSample(kind, "original.img");
        string json = _dir.File("image.json");
        string rebuilt = _dir.File("rebuilt.img");

        Result decode = Run(null, "image", "decode", image, "-o", json);
        Result encode = Run(null, "image", "encode", json, "--output", rebuilt);

        Assert.That(decode.ExitCode, Is.Zero, decode.Stderr);
        Assert.That(decode.Stdout, Is.Empty);
        Assert.That(encode.ExitCode, Is.Zero, encode.Stderr);
        Assert.That(File.ReadAllBytes(rebuilt), Is.EqualTo(File.ReadAllBytes(image)));
    }

    [Test]
    public void EncodeFromStdin_DecodedJson_IsByteIdentical()
    {
        string image = WriteSample(ImageKind.Mm, "mm-11826.img");
        string rebuilt = _dir.File("rebuilt.img");
        string json = Run(null, "image", "decode", image).Stdout;

        Result encode = Run(json, "image", "encode", "-", "-o", rebuilt);
        Result encodeDefault = Run(json, "image", "encode", "-o", rebuilt + "2");

        Assert.That(encode.ExitCode, Is.Zero, encode.Stderr);
        Assert.That(encodeDefault.ExitCode, Is.Zero, encodeDefault.Stderr);
        Assert.That(File.ReadAllBytes(rebuilt), Is.EqualTo(File.ReadAllBytes(image)));
        Assert.That(File.ReadAllBytes(rebuilt + "2"), Is.EqualTo(File.ReadAllBytes(image)));
    }

    [Test]
    public void Decode_TruncatedImage_PrintsOneErrorLineWithOffsetAndNoJson()
    {
        byte[] sample = ImageFiles.Sample(ImageKind.Fdinfo);
        List<long> frames = ImageFiles.FrameOffsets(sample);
        string image = _dir.File("fdinfo-1.img");
        File.WriteAllBytes(image, sample[..(int)(frames[2] + 2)]);
        string output = _dir.File("out.json");

        Result result = Run(null, "image", "decode", image, "-o", output);

        Assert.That(result.ExitCode, Is.EqualTo(1));
        Assert.That(result.Stdout, Is.Empty);
        Assert.That(result.StderrLines, Has.Length.EqualTo(1));
        Assert.That(result.StderrLines[0], Does.Match($"^error: {image}: truncated frame: .* at offset {frames[2]}$"));
        Assert.That(File.Exists(output), Is.False);
    }

    [Test]
    public void Decode_WrongMagic_PrintsOneErrorLineAtOffsetZero()
    {
        string image = _dir.File("notes.txt");
        File.WriteAllText(image, "these are not the pages you are looking for\n");

        Result result = Run(null, "image", "decode", image);

        Assert.That(result.ExitCode, Is.EqualTo(1));
        Assert.That(result.StderrLines, Is.EqualTo(new[] { $"error: {image}: not a keeper image (bad magic) at offset 0" }));
    }

    [Test]
    public void Decode_MissingFile_PrintsOneErrorLineNamingIt()
    {
        string image = _dir.File("absent.img");

        Result result = Run(null, "image", "decode", image);

        Assert.That(result.ExitCode, Is.EqualTo(1));
        Assert.That(result.StderrLines, Is.EqualTo(new[] { $"error: {image}: no such file or directory" }));
    }

    [Test]
    public void Encode_InvalidJson_PrintsOneErrorLineAndWritesNothing()
    {
        string json = _dir.File("bad.json");
        File.WriteAllText(json, """{"header": {"kind": "IMAGE_KIND_FDINFO", "formatMajor": 1, "formatMinor": 0}, "messages": [{"fd": "three"}]}""");
        string output = _dir.File("out.img");

        Result result = Run(null, "image", "encode", json, "-o", output);

        Assert.That(result.ExitCode, Is.EqualTo(1));
        Assert.That(result.StderrLines, Has.Length.EqualTo(1));
        Assert.That(result.StderrLines[0], Does.StartWith($"error: {json}: messages[0]: "));
        Assert.That(File.Exists(output), Is.False);
    }

    private string WriteSample(ImageKind kind, string name)
    {
        string path = _dir.File(name);
        File.WriteAllBytes(path, ImageFiles.Sample(kind));
        return path;
    }

    private static Result Run(string? stdin, params string[] args)
    {
        (int exitCode, string stdout, string stderr) = KeeperProcess.Run(stdin, args);
        return new Result(exitCode, stdout, stderr);
    }

    private sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public string[] StderrLines => Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }
}
