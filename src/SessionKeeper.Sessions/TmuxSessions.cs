using System.Globalization;
using SessionKeeper.Engine.ProcFs;

namespace SessionKeeper.Sessions;

/// <summary>
/// tmux servers. One server process (named "tmux: server") holds every session started on its
/// socket, so the server is what is saved, with all its sessions; it is named by its socket
/// (<c>default</c> for the default socket, or the <c>-L</c> name).
/// </summary>
/// <remarks>
/// Servers are found two ways: the sockets in the user's tmux directories ($TMUX_TMPDIR/tmux-UID
/// and /tmp/tmux-UID), and the listening socket of every "tmux: server" process of the user,
/// which also finds servers started with <c>-S</c> on any path. Each live server is then asked
/// with <c>tmux -S SOCKET list-sessions</c> and <c>list-clients</c>; a socket nobody answers
/// on is left over from a server that ended.
/// </remarks>
internal static class TmuxSessions
{
    private const string ServerProcessName = "tmux: server";

    private const char Separator = '\t';

    /// <summary>Every live tmux server of <paramref name="user"/>.</summary>
    public static IEnumerable<SessionInfo> Find(UserAccount user, ProcessTable table)
    {
        var seen = new HashSet<int>();
        foreach (string socket in CandidateSockets(user, table).Distinct())
        {
            SessionInfo? server = Describe(socket, user.Uid, table);
            if (server is not null && seen.Add(server.RootPid))
            {
                yield return server;
            }
        }
    }

    private static IEnumerable<string> CandidateSockets(UserAccount user, ProcessTable table)
    {
        string directoryName = $"tmux-{user.Uid.ToString(CultureInfo.InvariantCulture)}";
        var directories = new List<string>();
        if (Environment.GetEnvironmentVariable("TMUX_TMPDIR") is { Length: > 0 } tmpdir)
        {
            directories.Add(Path.Combine(tmpdir, directoryName));
        }
        directories.Add(Path.Combine("/tmp", directoryName));
        // Only sockets something listens on are asked: a socket left by a server that ended
        // (tmux does not always remove it) would cost a tmux process for nothing.
        HashSet<string> listening = ProcFsReader.TryReadUnixSockets(Environment.ProcessId, out List<UnixSocketEntry> sockets)
            ? sockets.Where(s => s.IsListening && s.Path is not null).Select(s => s.Path!).ToHashSet()
            : [];
        foreach (string socket in directories.Distinct().SelectMany(ScreenSessions.ListEntries).Where(listening.Contains).Order(StringComparer.Ordinal))
        {
            yield return socket;
        }
        foreach (ProcessEntry server in table.Processes.Values.Where(p => p.Uid == user.Uid && p.Name == ServerProcessName && p.State != 'Z'))
        {
            if (ProcessTable.ListeningSocketPath(server.Pid) is string path)
            {
                yield return path;
            }
        }
    }

    /// <summary>Asks the server on <paramref name="socket"/> for its sessions and clients; null when no server of <paramref name="uid"/> answers.</summary>
    private static SessionInfo? Describe(string socket, uint uid, ProcessTable table)
    {
        ToolResult? sessions = Query(socket, "list-sessions", "#{pid}", "#{session_name}", "#{session_windows}", "#{session_attached}");
        if (sessions is not { Succeeded: true })
        {
            return null;
        }
        int pid = 0;
        var held = new List<string>();
        var details = new List<string> { $"socket {socket}" };
        foreach (string[] fields in Rows(sessions.Stdout, 4))
        {
            pid = int.Parse(fields[0], CultureInfo.InvariantCulture);
            held.Add(fields[1]);
            string windows = fields[2] == "1" ? "1 window" : $"{fields[2]} windows";
            string attached = fields[3] == "0" ? "" : $", {fields[3]} attached";
            details.Add($"session {fields[1]} ({windows}{attached})");
        }
        // A server answers only while it has a session, so every live one has a pid here; one of
        // another user (root may reach it through a socket path) is not this user's session.
        if (pid == 0 || !table.IsLive(pid, uid))
        {
            return null;
        }
        List<SessionClient> clients = ListClients(socket);
        details.AddRange(clients.Select(c => $"client pid {c.Pid} on {c.Terminal} (session {c.Session})"));
        (int count, long resident) = table.Measure(pid);
        string name = Path.GetFileName(socket);
        return new SessionInfo(SessionKind.Tmux, name, pid, count, resident, clients.Count > 0, details)
        {
            Aliases = held.Where(s => s != name).ToList(),
            SocketPath = socket,
            HeldSessions = held,
            Clients = clients,
        };
    }

    private static List<SessionClient> ListClients(string socket)
    {
        ToolResult? result = Query(socket, "list-clients", "#{client_pid}", "#{client_tty}", "#{client_session}");
        return result is { Succeeded: true }
            ? Rows(result.Stdout, 3).Select(f => new SessionClient(int.Parse(f[0], CultureInfo.InvariantCulture), f[1], f[2])).ToList()
            : [];
    }

    /// <summary>Runs <c>tmux -S SOCKET COMMAND -F FORMAT</c> with the fields separated by tabs.</summary>
    private static ToolResult? Query(string socket, string command, params string[] fields)
        => ExternalTool.TryRun("tmux", ["-S", socket, command, "-F", string.Join(Separator, fields)]);

    private static IEnumerable<string[]> Rows(string output, int fields)
        => output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(Separator, fields))
            .Where(f => f.Length == fields);

    /// <summary>
    /// Detaches every client of the server with <c>detach-client -t TTY</c> and waits until the
    /// server lists none and the client processes have exited. Also says which sessions the
    /// server holds when there are several, since all of them are saved together.
    /// </summary>
    public static IReadOnlyList<string> Detach(SessionInfo server)
    {
        string socket = server.SocketPath!;
        var lines = new List<string>();
        List<SessionClient> clients = ListClients(socket);
        if (clients.Count > 0)
        {
            foreach (SessionClient client in clients)
            {
                ToolResult result = ExternalTool.TryRun("tmux", ["-S", socket, "detach-client", "-t", client.Terminal])
                    ?? throw new SessionPrepareException($"tmux server {server.Name}: cannot detach its clients, the tmux program is not installed");
                // A client that left on its own meanwhile is no longer found: that is fine.
                if (!result.Succeeded && ListClients(socket).Any(c => c.Terminal == client.Terminal))
                {
                    throw new SessionPrepareException(
                        $"tmux server {server.Name} (pid {server.RootPid}): detaching the client on {client.Terminal} failed "
                        + $"({result.Summary}); detach it by hand, then save again");
                }
            }
            Wait.Until(
                () => ListClients(socket).Count == 0 && ProcessTable.Read().AllEnded(clients),
                $"tmux server {server.Name} (pid {server.RootPid}) still has clients after detach-client; detach them by hand, then save again");
            string terminals = string.Join(", ", clients.Select(c => $"{c.Terminal} on session {c.Session}"));
            lines.Add($"detached {clients.Count} client{(clients.Count == 1 ? "" : "s")} from tmux server {server.Name} ({terminals}); "
                + $"reattach later with `tmux -S {socket} attach`");
        }
        if (server.HeldSessions.Count > 1)
        {
            lines.Add($"tmux server {server.Name} (pid {server.RootPid}) holds {server.HeldSessions.Count} sessions, saved together: "
                + string.Join(", ", server.HeldSessions));
        }
        return lines;
    }
}
