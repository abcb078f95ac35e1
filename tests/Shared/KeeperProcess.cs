using System.Diagnostics;

namespace SessionKeeper.Tests.Shared;

/// <summary>
/// Runs the keeper binary a user runs: <c>KEEPER_BIN</c> when set (e.g. the NativeAOT
/// publish), otherwise the build of src/SessionKeeper.Cli in the test's own configuration. The
/// test projects reference the CLI project (without using its assembly), so that build is
/// always as new as the sources.
/// </summary>
internal static class KeeperProcess
{
    /// <summary>The binary: a native executable, or keeper.dll run through the dotnet host.</summary>
    public static string Binary { get; } = Locate();

    /// <summary>Runs keeper with <paramref name="arguments"/>, feeding <paramref name="stdin"/> if given.</summary>
    public static (int ExitCode, string Stdout, string Stderr) Run(string? stdin, params string[] arguments)
    {
        bool managed = Binary.EndsWith(".dll", StringComparison.Ordinal);
        var start = new ProcessStartInfo(managed ? "dotnet" : Binary)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (managed)
        {
            start.ArgumentList.Add(Binary);
        }
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
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
            Assert.Fail($"keeper {string.Join(' ', arguments)} did not exit within 60 s");
        }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    private static string Locate()
    {
        string? configured = Environment.GetEnvironmentVariable("KEEPER_BIN");
        if (!string.IsNullOrEmpty(configured))
        {
            return File.Exists(configured) ? configured : throw new FileNotFoundException("KEEPER_BIN does not exist", configured);
        }
        // Output folders are .build/bin/<project>/<configuration>_<rid>: the CLI's sits beside ours.
        string testOutput = TestContext.CurrentContext.TestDirectory;
        string pivot = Path.GetFileName(testOutput.TrimEnd('/'));
        string dll = Path.Combine(testOutput, "..", "..", "SessionKeeper.Cli", pivot, "keeper.dll");
        return File.Exists(dll)
            ? Path.GetFullPath(dll)
            : throw new FileNotFoundException("the keeper build the test project depends on is missing", Path.GetFullPath(dll));
    }
}
