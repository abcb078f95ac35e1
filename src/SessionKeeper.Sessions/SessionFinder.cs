namespace SessionKeeper.Sessions;

/// <summary>
/// Finds the screen, tmux and vnc sessions of a user and prepares one for a save.
/// </summary>
/// <remarks>
/// Every call reads /proc afresh: sessions come and go, and a name resolved a minute ago may
/// belong to another process now.
/// </remarks>
public static class SessionFinder
{
    /// <summary>Every session of user <paramref name="uid"/> (default: the caller), ordered by kind and name.</summary>
    public static IReadOnlyList<SessionInfo> List(int? uid = null)
    {
        UserAccount user = UserAccount.Find(uid);
        ProcessTable table = ProcessTable.Read();
        return ScreenSessions.Find(user, table)
            .Concat(TmuxSessions.Find(user, table))
            .Concat(VncSessions.Find(user, table))
            .OrderBy(s => s.Kind)
            .ThenBy(s => s.Name, StringComparer.Ordinal)
            .ThenBy(s => s.RootPid)
            .ToList();
    }

    /// <summary>
    /// The one session called <paramref name="name"/> (also accepted: screen's PID.NAME, tmux's
    /// socket name, vnc's :N). Throws <see cref="SessionLookupException"/> naming the candidates
    /// when no session or several match.
    /// </summary>
    public static SessionInfo Resolve(string name, int? uid = null)
    {
        IReadOnlyList<SessionInfo> sessions = List(uid);
        var matches = sessions.Where(s => s.Name == name || s.Aliases.Contains(name)).ToList();
        if (matches.Count == 1)
        {
            return matches[0];
        }
        string user = UserAccount.Find(uid).Name;
        if (matches.Count > 1)
        {
            string hint = matches.Any(s => s.Kind == SessionKind.Screen)
                ? $"name a screen session by PID.NAME (e.g. {matches.First(s => s.Kind == SessionKind.Screen).QualifiedName}), or "
                : "";
            throw new SessionLookupException(
                $"'{name}' names {matches.Count} sessions of user {user}: {DescribeAll(matches)}; "
                + $"{hint}save one tree by its root with `keeper save --pid PID NAME`",
                matches);
        }
        if (sessions.Count == 0)
        {
            throw new SessionLookupException(
                $"no session called '{name}': user {user} has no screen, tmux or vnc session running; "
                + "to save any other process tree use `keeper save --pid PID NAME`",
                sessions);
        }
        throw new SessionLookupException(
            $"no session called '{name}' among the sessions of user {user}: {DescribeAll(sessions)}; "
            + "see `keeper list`, or save any process tree with `keeper save --pid PID NAME`",
            sessions);
    }

    /// <summary>
    /// The session whose root is <paramref name="pid"/> when it is one of the user's sessions
    /// (so that <see cref="PrepareForSave"/> still detaches its clients); otherwise a plain
    /// <see cref="SessionKind.Tree"/> called <paramref name="name"/> (default: the pid).
    /// </summary>
    /// <exception cref="SessionLookupException">No live process <paramref name="pid"/>.</exception>
    public static SessionInfo FromPid(int pid, string? name = null)
    {
        ProcessTable table = ProcessTable.Read();
        if (table.Get(pid) is not { State: not 'Z' } process)
        {
            throw new SessionLookupException($"no process {pid}: it is not running (or is a zombie); check the pid with `ps`", []);
        }
        SessionInfo? session = List((int)process.Uid).FirstOrDefault(s => s.RootPid == pid);
        if (session is not null)
        {
            return session;
        }
        (int count, long resident) = table.Measure(pid);
        return new SessionInfo(SessionKind.Tree, name ?? pid.ToString(System.Globalization.CultureInfo.InvariantCulture), pid, count, resident, false,
            [$"process tree of pid {pid} ({process.Name})"]);
    }

    /// <summary>
    /// Makes <paramref name="session"/> ready to be checkpointed: detaches attached screen/tmux
    /// clients (their terminals are outside the tree). Returns one line per thing done, for the
    /// user (e.g. "detached 1 client from screen session work", "tmux server default holds sessions a, b").
    /// </summary>
    /// <exception cref="SessionPrepareException">A client could not be detached.</exception>
    public static IReadOnlyList<string> PrepareForSave(SessionInfo session) => session.Kind switch
    {
        SessionKind.Screen => ScreenSessions.Detach(session),
        SessionKind.Tmux => TmuxSessions.Detach(session),
        // A viewer is a TCP peer outside the tree: its connection is saved as it is, not detached.
        SessionKind.Vnc when session.Clients.Count > 0 =>
            [$"vnc {session.Name}: {session.Clients.Count} viewer{(session.Clients.Count == 1 ? "" : "s")} "
                + $"({string.Join(", ", session.Clients.Select(c => c.Terminal))}) stay connected; nothing to detach"],
        _ => [],
    };

    private static string DescribeAll(IEnumerable<SessionInfo> sessions) => string.Join(", ", sessions.Select(s => s.Describe()));
}

/// <summary>No session, or more than one, matches a name; the message lists the candidates.</summary>
public sealed class SessionLookupException(string message, IReadOnlyList<SessionInfo> candidates) : Exception(message)
{
    /// <summary>The sessions that matched (several) or all sessions (none matched).</summary>
    public IReadOnlyList<SessionInfo> Candidates { get; } = candidates;
}

/// <summary>A session could not be made ready for a save (a client would not detach); the message says what to do.</summary>
public sealed class SessionPrepareException(string message) : Exception(message);
