using System.ComponentModel;
using System.Diagnostics;

namespace SessionKeeper.Sessions;

/// <summary>The outcome of running screen or tmux.</summary>
/// <param name="ExitCode">The exit status.</param>
/// <param name="Stdout">What it printed on stdout.</param>
/// <param name="Stderr">What it printed on stderr, trimmed.</param>
internal sealed record ToolResult(int ExitCode, string Stdout, string Stderr)
{
    /// <summary>True for exit status 0.</summary>
    public bool Succeeded => ExitCode == 0;

    /// <summary>What the program said about its failure: stderr, else stdout, else the exit status.</summary>
    public string Summary => Stderr.Length > 0 ? Stderr : Stdout.Trim() is { Length: > 0 } o ? o : $"exit status {ExitCode}";
}

/// <summary>
/// Runs the session programs' own command lines (<c>tmux list-sessions</c>, <c>screen -d</c>):
/// they are the documented way to ask a server about its clients and to detach them.
/// </summary>
internal static class ExternalTool
{
    /// <summary>How long a query or detach may take before keeper gives up on the server.</summary>
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(10);

    /// <summary>Starts <paramref name="program"/> with every standard stream piped, outside any tmux the caller is in.</summary>
    internal static ProcessStartInfo CreateStartInfo(string program, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        // Inside a tmux pane TMUX names the caller's own server; -S already says which one to ask.
        start.Environment.Remove("TMUX");
        return start;
    }

    /// <summary>
    /// Runs <paramref name="program"/> with <paramref name="arguments"/>, stdin on /dev/null;
    /// null when the program is not installed.
    /// </summary>
    public static ToolResult? TryRun(string program, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        ProcessStartInfo start = CreateStartInfo(program, arguments);
        foreach ((string key, string value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (Win32Exception)
        {
            return null;
        }
        using (process)
        {
            process.StandardInput.Close();
            Task<string> stdout = process.StandardOutput.ReadToEndAsync();
            Task<string> stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(s_timeout))
            {
                process.Kill();
                process.WaitForExit();
                return new ToolResult(-1, stdout.Result, $"{program} did not answer within {s_timeout.TotalSeconds:F0} s");
            }
            return new ToolResult(process.ExitCode, stdout.Result, stderr.Result.Trim());
        }
    }
}
