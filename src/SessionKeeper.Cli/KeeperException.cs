namespace SessionKeeper.Cli;

/// <summary>
/// The one user-facing error of the CLI layer: a message that names the object and says what
/// to do, plus the exit code. Lower layers throw their own typed exceptions; <see cref="CommandRunner"/>
/// turns both into an <c>error: …</c> line.
/// </summary>
internal sealed class KeeperException(string message, ReturnCode code = ReturnCode.Error, Exception? inner = null)
    : Exception(message, inner)
{
    /// <summary>The exit code to return.</summary>
    public ReturnCode Code { get; } = code;
}
