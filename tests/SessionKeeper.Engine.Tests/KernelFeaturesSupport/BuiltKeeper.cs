using System.Diagnostics;

namespace SessionKeeper.Engine.Tests.KernelFeaturesSupport;

/// <summary>
/// The keeper binary a user runs: <c>KEEPER_BIN</c> when set (e.g. the NativeAOT publish),
/// otherwise the newest build of src/SessionKeeper.Cli, through the dotnet host for a
/// keeper.dll. A build older than its sources is reported rather than run: its failures would
/// be the build's, not the code's.
/// </summary>
internal sealed class BuiltKeeper
{
    private static readonly (string Assembly, string Project)[] s_assemblies =
    [
        ("SessionKeeper.Native.dll", "src/SessionKeeper.Native"),
        ("SessionKeeper.ProcessControl.dll", "src/SessionKeeper.ProcessControl"),
        ("SessionKeeper.Engine.dll", "src/SessionKeeper.Engine"),
        ("keeper.dll", "src/SessionKeeper.Cli"),
    ];

    private BuiltKeeper(string path) => Path = path;

    /// <summary>keeper or keeper.dll.</summary>
    public string Path { get; }

    /// <summary>Finds the binary, or throws <see cref="IgnoreException"/> saying how to provide one.</summary>
    public static BuiltKeeper Locate()
    {
        string? configured = Environment.GetEnvironmentVariable("KEEPER_BIN");
        if (!string.IsNullOrEmpty(configured))
        {
            return File.Exists(configured)
                ? new BuiltKeeper(configured)
                : throw new FileNotFoundException("KEEPER_BIN does not exist", configured);
        }
        DirectoryInfo root = RepositoryRoot();
        string? dll = new[] { "release_linux-x64", "debug_linux-x64" }
            .Select(config => System.IO.Path.Combine(root.FullName, ".build", "bin", "SessionKeeper.Cli", config, "keeper.dll"))
            .Where(File.Exists)
            .OrderByDescending(File.GetLastWriteTimeUtc)
            .FirstOrDefault()
            ?? throw new IgnoreException("no keeper build: run `dotnet build src/SessionKeeper.Cli -c Release` or set KEEPER_BIN");
        // An assembly is rewritten only when its own project changed, so each is compared with
        // its own sources.
        string output = System.IO.Path.GetDirectoryName(dll)!;
        foreach ((string assembly, string project) in s_assemblies)
        {
            DateTime built = File.GetLastWriteTimeUtc(System.IO.Path.Combine(output, assembly));
            DateTime newestSource = Directory.EnumerateFiles(System.IO.Path.Combine(root.FullName, project), "*.cs", SearchOption.AllDirectories)
                .Where(file => !file.Contains("/obj/", StringComparison.Ordinal))
                .Max(File.GetLastWriteTimeUtc);
            if (built < newestSource)
            {
                throw new IgnoreException($"{assembly} in {output} is older than {project}: rebuild src/SessionKeeper.Cli");
            }
        }
        return new BuiltKeeper(dll);
    }

    /// <summary>Runs keeper with <paramref name="arguments"/> and returns its exit code and output.</summary>
    public (int ExitCode, string Stdout, string Stderr) Run(params string[] arguments)
    {
        bool managed = Path.EndsWith(".dll", StringComparison.Ordinal);
        var start = new ProcessStartInfo(managed ? "dotnet" : Path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (managed)
        {
            start.ArgumentList.Add(Path);
        }
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using Process process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill();
            Assert.Fail($"keeper {string.Join(' ', arguments)} did not exit within 60 s");
        }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    private static DirectoryInfo RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "SessionKeeper.sln")))
            {
                return dir;
            }
        }
        throw new IgnoreException("not inside a SessionKeeper checkout");
    }
}
