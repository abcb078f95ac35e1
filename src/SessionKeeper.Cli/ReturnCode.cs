namespace SessionKeeper.Cli;

/// <summary>Exit codes of <c>keeper</c>, documented in the README; scripts rely on them.</summary>
internal enum ReturnCode
{
    /// <summary>The command did what was asked.</summary>
    Success = 0,

    /// <summary>The command failed; the message says what and on which object.</summary>
    Error = 1,

    /// <summary>The command line was wrong (unknown option, missing argument).</summary>
    UsageError = 2,

    /// <summary>This machine lacks a kernel feature or privilege the command needs.</summary>
    NotSupported = 3,

    /// <summary>The operation was interrupted (SIGINT/SIGTERM); nothing was left half done.</summary>
    Interrupted = 130,
}
