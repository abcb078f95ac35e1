namespace SessionKeeper.Sessions;

/// <summary>
/// Finds the screen, tmux and vnc sessions of a user and prepares one for a save.
/// </summary>
public static class SessionFinder
{
    /// <summary>Every session of user <paramref name="uid"/> (default: the caller), ordered by kind and name.</summary>
    public static IReadOnlyList<SessionInfo> List(int? uid = null) =>
        throw new NotImplementedException("session discovery");

    /// <summary>
    /// The one session called <paramref name="name"/> (also accepted: screen's PID.NAME, tmux's
    /// socket name, vnc's :N). Throws <see cref="SessionLookupException"/> naming the candidates
    /// when no session or several match.
    /// </summary>
    public static SessionInfo Resolve(string name, int? uid = null) =>
        throw new NotImplementedException("session discovery");

    /// <summary>
    /// Makes <paramref name="session"/> ready to be checkpointed: detaches attached screen/tmux
    /// clients (their terminals are outside the tree). Returns one line per thing done, for the
    /// user (e.g. "detached 1 client from screen session work", "tmux server default holds sessions a, b").
    /// </summary>
    public static IReadOnlyList<string> PrepareForSave(SessionInfo session) =>
        throw new NotImplementedException("session discovery");
}

/// <summary>No session, or more than one, matches a name; the message lists the candidates.</summary>
public sealed class SessionLookupException(string message, IReadOnlyList<SessionInfo> candidates) : Exception(message)
{
    /// <summary>The sessions that matched (several) or all sessions (none matched).</summary>
    public IReadOnlyList<SessionInfo> Candidates { get; } = candidates;
}
