using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using SessionKeeper.Native;

namespace SessionKeeper.Cli;

/// <summary>
/// The CLI boundary: runs a command handler and turns every exception into one
/// <c>error: …</c> line on stderr and an exit code. Stack traces only with <c>--verbose</c>.
/// </summary>
internal static class CommandRunner
{
    /// <summary>Global <c>--verbose</c> option, available on every command.</summary>
    public static readonly Option<bool> Verbose = new("--verbose", "-v")
    {
        Description = "Show more detail, and stack traces on errors.",
        Recursive = true,
    };

    private static readonly long s_started = Stopwatch.GetTimestamp();

    /// <summary>
    /// Where <c>--verbose</c> detail lines go: stderr, each stamped with the milliseconds since
    /// keeper started, so a slow step shows where the time went. Null without <c>--verbose</c>.
    /// </summary>
    public static Action<string>? Detail(ParseResult parse) => parse.GetValue(Verbose)
        ? line => Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{Stopwatch.GetElapsedTime(s_started).TotalMilliseconds,7:F1} ms] {line}"))
        : null;

    /// <summary>Starts the clock of <see cref="Detail"/> (called first thing in Main).</summary>
    public static void StartClock() => _ = s_started;

    /// <summary>Wraps a handler as a command action.</summary>
    public static void SetHandler(Command command, Func<ParseResult, TextWriter, ReturnCode> handler)
    {
        command.SetAction(parseResult => Run(parseResult, handler));
    }

    private static int Run(ParseResult parseResult, Func<ParseResult, TextWriter, ReturnCode> handler)
    {
        bool verbose = parseResult.GetValue(Verbose);
        TextWriter stdout = Console.Out;
        TextWriter stderr = Console.Error;
        try
        {
            return (int)handler(parseResult, stdout);
        }
        catch (Exception e)
        {
            ReturnCode code = e switch
            {
                KeeperException k => k.Code,
                OperationCanceledException => ReturnCode.Interrupted,
                _ => ReturnCode.Error,
            };
            stderr.WriteLine($"error: {Describe(e)}");
            if (verbose)
            {
                stderr.WriteLine(e.ToString());
            }
            else if (!IsExpected(e))
            {
                stderr.WriteLine("(run with --verbose for details)");
            }
            return (int)code;
        }
    }

    /// <summary>Errors that name their object and need no stack trace to be understood.</summary>
    private static bool IsExpected(Exception e) => e is KeeperException or ErrnoException or IOException or OperationCanceledException
        or InvalidDataException or SessionKeeper.Engine.Dump.UnsupportedObjectException or SessionKeeper.Engine.Restore.RestoreException
        or SessionKeeper.Sessions.SessionLookupException or SessionKeeper.Sessions.SessionPrepareException;

    private static string Describe(Exception e) => e switch
    {
        OperationCanceledException => "interrupted: stopped at a safe point; nothing was left half done",
        _ when IsExpected(e) => e.Message,
        IOException or UnauthorizedAccessException => e.Message,
        _ => $"{e.Message} [{e.GetType().Name}]",
    };
}
