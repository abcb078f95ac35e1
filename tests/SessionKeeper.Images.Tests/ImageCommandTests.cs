using System.Diagnostics;
using SessionKeeper.Images.V1;

namespace SessionKeeper.Images.Tests;

/// <summary>
/// <c>keeper image decode/encode</c>, run as the real binary: the one the user runs, with its
/// error boundary and exit codes. Set <c>KEEPER_BIN</c> to test a published (NativeAOT) binary;
/// otherwise the binary built from src/SessionKeeper.Cli is used.
/// </summary>
[NonParallelizable]
public class ImageCommandTests
{
    private string _keeper = "";
    private TempDirectory _dir = null!;

    [OneTimeSetUp]
    public void FindKeeper()
    {
        _keeper = LocateKeeper()
            ?? throw new IgnoreException("no keeper binary: run `dotnet build src/SessionKeeper.Cli -c Release` or set KEEPER_BIN");
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("KEEPER_BIN")) && IsOlderThanSources(_keeper))
        {
            // A keeper built before the latest schema change drops the new fields; that is the
            // build being stale, not the code being wrong.
            throw new IgnoreException($"{_keeper} is older than its sources: rebuild src/SessionKeeper.Cli");
        }
    }

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

    private Result Run(string? stdin, params string[] args)
    {
        bool managed = _keeper.EndsWith(".dll", StringComparison.Ordinal);
        var start = new ProcessStartInfo(managed ? "dotnet" : _keeper)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (managed)
        {
            start.ArgumentList.Add(_keeper);
        }
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        using Process process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            process.StandardInput.Write(stdin);
        }
        process.StandardInput.Close();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill();
            Assert.Fail($"keeper {string.Join(' ', args)} did not exit within 60 s");
        }
        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }

    // The published binary (KEEPER_BIN), else the newest build output: its native apphost, or
    // keeper.dll through the dotnet host when the build produced no apphost.
    private static string? LocateKeeper()
    {
        string? configured = Environment.GetEnvironmentVariable("KEEPER_BIN");
        if (!string.IsNullOrEmpty(configured))
        {
            return File.Exists(configured) ? configured : throw new FileNotFoundException("KEEPER_BIN does not exist", configured);
        }
        DirectoryInfo? root = FindRepositoryRoot();
        return root is null
            ? null
            : new[] { "release_linux-x64", "debug_linux-x64" }
                .Select(config => Path.Combine(root.FullName, ".build", "bin", "SessionKeeper.Cli", config))
                .SelectMany(output => new[] { Path.Combine(output, "keeper"), Path.Combine(output, "keeper.dll") })
                .Where(File.Exists)
                .OrderByDescending(File.GetLastWriteTimeUtc)
                .FirstOrDefault();
    }

    private static DirectoryInfo? FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SessionKeeper.sln")))
            {
                return dir;
            }
        }
        return null;
    }

    private static bool IsOlderThanSources(string keeper)
    {
        DirectoryInfo? root = FindRepositoryRoot();
        if (root is null)
        {
            return false;
        }
        // The native apphost is not rewritten when only a library changes, so compare each
        // assembly next to it with its own sources.
        string output = Path.GetDirectoryName(keeper)!;
        return IsOlder(Path.Combine(output, "SessionKeeper.Images.dll"), root, ("proto", "*.proto"), ("src/SessionKeeper.Images", "*.cs"))
            || IsOlder(Path.Combine(output, "keeper.dll"), root, ("src/SessionKeeper.Cli", "*.cs"));
    }

    private static bool IsOlder(string assembly, DirectoryInfo root, params (string Directory, string Pattern)[] sources)
    {
        DateTime newestSource = sources
            .SelectMany(source => Directory.EnumerateFiles(Path.Combine(root.FullName, source.Directory), source.Pattern, SearchOption.AllDirectories))
            .Select(File.GetLastWriteTimeUtc)
            .DefaultIfEmpty(DateTime.MinValue)
            .Max();
        return !File.Exists(assembly) || File.GetLastWriteTimeUtc(assembly) < newestSource;
    }

    private sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public string[] StderrLines => Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }
}
