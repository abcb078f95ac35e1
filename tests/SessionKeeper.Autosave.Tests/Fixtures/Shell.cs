using System.Diagnostics;

namespace SessionKeeper.Autosave.Tests.Fixtures;

/// <summary>Runs a shell script with a PATH that starts with a folder of stand-in commands.</summary>
internal static class Shell
{
    /// <summary>Runs <paramref name="program"/> -c <paramref name="script"/>; fails the test after 60 s.</summary>
    public static (int ExitCode, string Stdout, string Stderr) Run(string program, string script, string? pathPrefix = null)
    {
        if (!File.Exists(program))
        {
            Assert.Fail($"{program} is not installed (scripts/deps.sh installs it; the tests need it and do not skip)");
        }
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        if (pathPrefix is not null)
        {
            start.Environment["PATH"] = $"{pathPrefix}:{Environment.GetEnvironmentVariable("PATH")}";
        }
        using Process process = Process.Start(start)!;
        process.StandardInput.Close();
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{program} -c … did not exit within 60 s");
        }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Writes an executable shell script.</summary>
    public static void WriteScript(string path, string body)
    {
        File.WriteAllText(path, $"#!/bin/sh\n{body}\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    /// <summary>Single-quotes <paramref name="text"/> for sh.</summary>
    public static string Quote(string text) => "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
