using System.Diagnostics;

namespace SessionKeeper.Autosave;

/// <summary>How a run of the save command ended.</summary>
/// <param name="Started">Whether the process could be started at all.</param>
/// <param name="ExitCode">Its exit code (meaningless when it was not started or timed out).</param>
/// <param name="TimedOut">Whether it was killed for running longer than allowed.</param>
/// <param name="Error">Why it could not be started.</param>
public sealed record SaveOutcome(bool Started, int ExitCode, bool TimedOut, string? Error)
{
    /// <summary>The save did its work.</summary>
    public bool Succeeded => Started && !TimedOut && ExitCode == 0;

    /// <summary>One line for the log.</summary>
    public string Describe(TimeSpan timeout) => this switch
    {
        { Started: false } => $"could not be started: {Error}",
        { TimedOut: true } => $"did not finish within {timeout.TotalSeconds:0.#} s and was killed",
        { ExitCode: 0 } => "succeeded",
        _ => $"failed with exit code {ExitCode}",
    };
}

/// <summary>
/// The command that saves every session: by default this keeper binary itself, run as a child
/// (<c>keeper save --all --auto</c>), so that a save that crashes or hangs never takes the
/// watcher down and cannot keep the inhibitor lock held past its timeout.
/// </summary>
public sealed class SaveCommand
{
    /// <summary>The arguments keeper gets to save every session into its autosave generation.</summary>
    public static readonly IReadOnlyList<string> SaveAllArguments = ["save", "--all", "--auto"];

    /// <summary>Creates the command <paramref name="argv"/> (program first).</summary>
    public SaveCommand(IReadOnlyList<string> argv)
    {
        ArgumentOutOfRangeException.ThrowIfZero(argv.Count);
        Argv = argv;
    }

    /// <summary>Program and arguments.</summary>
    public IReadOnlyList<string> Argv { get; }

    /// <summary>
    /// <c>keeper save --all --auto</c> with this keeper's own binary, put behind
    /// <paramref name="wrapper"/> when one is given (the wrapper gets the command as its
    /// arguments: tests use one to see what was run and to make it fail or block).
    /// </summary>
    public static SaveCommand SaveAll(string? wrapper = null)
    {
        var argv = new List<string>();
        if (wrapper is not null)
        {
            argv.Add(wrapper);
        }
        argv.AddRange(KeeperSelf.Command);
        argv.AddRange(SaveAllArguments);
        return new SaveCommand(argv);
    }

    /// <summary>The command as a shell would show it, for the log.</summary>
    public override string ToString() => string.Join(' ', Argv.Select(Quote));

    /// <summary>
    /// Runs the command to its end, at most <paramref name="timeout"/>; then it is killed with
    /// everything it started. Every line it prints goes to <paramref name="log"/>.
    /// </summary>
    public SaveOutcome Run(TimeSpan timeout, Action<string> log)
    {
        var start = new ProcessStartInfo(Argv[0])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in Argv.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("no process was started");
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return new SaveOutcome(false, -1, false, $"{Argv[0]}: {e.Message}");
        }
        using (process)
        {
            process.OutputDataReceived += (_, e) => Forward(e.Data, log);
            process.ErrorDataReceived += (_, e) => Forward(e.Data, log);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            process.StandardInput.Close();
            if (!process.WaitForExit(timeout))
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
                return new SaveOutcome(true, -1, true, null);
            }
            // The parameterless wait also drains the redirected output.
            process.WaitForExit();
            return new SaveOutcome(true, process.ExitCode, false, null);
        }
    }

    private static void Forward(string? line, Action<string> log)
    {
        if (!string.IsNullOrEmpty(line))
        {
            log($"  | {line}");
        }
    }

    private static string Quote(string argument) =>
        argument.Length > 0 && argument.All(c => char.IsAsciiLetterOrDigit(c) || "-_./=:@%+,".Contains(c))
            ? argument
            : "'" + argument.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
