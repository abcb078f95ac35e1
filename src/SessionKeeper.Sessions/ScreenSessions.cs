using System.Globalization;
using SessionKeeper.Engine.ProcFs;

namespace SessionKeeper.Sessions;

/// <summary>
/// GNU screen sessions. Each session is one SCREEN server process that listens on a socket
/// named PID.NAME in the user's socket directory; the windows' programs are its children.
/// </summary>
/// <remarks>
/// The server sets the owner-execute bit of its socket while a display is attached, and holds
/// each attached client's terminal open (its own windows' pty slaves are open only in the
/// children), so both show whether a client is attached and which terminal it uses.
/// </remarks>
internal static class ScreenSessions
{
    /// <summary>Name of the server's (and of a client's) process.</summary>
    private const string ProcessName = "screen";

    /// <summary>The socket directories screen uses for <paramref name="user"/>, most specific first.</summary>
    public static IEnumerable<string> SocketDirectories(UserAccount user)
    {
        if (user.IsCaller && Environment.GetEnvironmentVariable("SCREENDIR") is { Length: > 0 } configured)
        {
            yield return configured;
        }
        yield return $"/run/screen/S-{user.Name}";
        yield return $"/var/run/screen/S-{user.Name}";
        if (user.Home is not null)
        {
            yield return Path.Combine(user.Home, ".screen");
        }
    }

    /// <summary>
    /// Every live screen session of <paramref name="user"/>: the sockets in its socket
    /// directories, then any other SCREEN server of the user by the socket it listens on (one
    /// started with another SCREENDIR).
    /// </summary>
    public static IEnumerable<SessionInfo> Find(UserAccount user, ProcessTable table)
    {
        IEnumerable<string> sockets = SocketDirectories(user).SelectMany(ListEntries)
            .Concat(table.Processes.Values
                .Where(p => p.Uid == user.Uid && p.Name == ProcessName && p.State != 'Z')
                .OrderBy(p => p.Pid)
                .Select(p => ProcessTable.ListeningSocketPath(p.Pid))
                .OfType<string>());
        var seen = new HashSet<int>();
        foreach (string socket in sockets)
        {
            string entry = Path.GetFileName(socket);
            int dot = entry.IndexOf('.');
            if (dot <= 0
                || !int.TryParse(entry.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out int pid)
                || !seen.Add(pid))
            {
                continue;
            }
            // A socket whose server is gone is what `screen -ls` calls "Dead": nothing to save.
            if (!table.IsLive(pid, user.Uid) || table.Get(pid)!.Name != ProcessName)
            {
                continue;
            }
            yield return Describe(pid, entry[(dot + 1)..], socket, table);
        }
    }

    /// <summary>Builds the session record of the server <paramref name="pid"/> from its current state.</summary>
    private static SessionInfo Describe(int pid, string name, string socket, ProcessTable table)
    {
        (int count, long resident) = table.Measure(pid);
        List<FdEntry> fds = ProcessTable.ReadFds(pid);
        int windows = fds.Count(fd => fd.Kind == FdTargetKind.PtyMaster);
        List<SessionClient> clients = FindClients(pid, fds, table);
        bool attached = clients.Count > 0 || SocketMarkedAttached(socket);
        var details = new List<string>
        {
            $"socket {socket}",
            $"{windows} window{(windows == 1 ? "" : "s")}",
        };
        details.AddRange(clients.Select(c => c.Pid > 0 ? $"client pid {c.Pid} on {c.Terminal}" : $"client on {c.Terminal}"));
        return new SessionInfo(SessionKind.Screen, name, pid, count, resident, attached, details)
        {
            Aliases = [$"{pid}.{name}"],
            SocketPath = socket,
            Clients = clients,
        };
    }

    /// <summary>
    /// The attached displays: every terminal the server holds that is not one of its windows'
    /// masters, with the screen client process that runs on it (0 when none is found).
    /// </summary>
    private static List<SessionClient> FindClients(int server, List<FdEntry> serverFds, ProcessTable table)
    {
        var terminals = serverFds
            .Where(fd => fd.Kind == FdTargetKind.PtySlave || (fd.Kind == FdTargetKind.Path && fd.Path!.StartsWith("/dev/tty", StringComparison.Ordinal)))
            .Select(fd => fd.Path!)
            .Distinct()
            .ToList();
        var clients = new List<SessionClient>();
        foreach (string terminal in terminals)
        {
            int client = table.Processes.Values
                .Where(p => p.Pid != server && p.Name == ProcessName && p.State != 'Z')
                .Select(p => p.Pid)
                .FirstOrDefault(p => ProcessTable.ReadFds(p).Any(fd => fd.Fd <= 2 && fd.Path == terminal));
            clients.Add(new SessionClient(client, terminal, null));
        }
        return clients;
    }

    /// <summary>True when the socket's owner-execute bit is set: screen's mark for "attached".</summary>
    private static bool SocketMarkedAttached(string socket)
    {
        try
        {
            // keeper runs on Linux only; the guard tells the platform analyzer so.
            return OperatingSystem.IsLinux() && (File.GetUnixFileMode(socket) & UnixFileMode.UserExecute) != 0;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException or IOException)
        {
            return false;
        }
    }

    /// <summary>
    /// Detaches every display of <paramref name="session"/> with <c>screen -d PID.NAME</c> and waits
    /// until the server holds no client terminal any more and the clients have exited.
    /// </summary>
    public static IReadOnlyList<string> Detach(SessionInfo session)
    {
        SessionInfo current = Refresh(session);
        if (!current.Attached)
        {
            return [];
        }
        string socket = session.SocketPath!;
        string id = session.QualifiedName;
        // screen looks sessions up in SCREENDIR: point it at the directory the socket is in,
        // which need not be the default one.
        var environment = new Dictionary<string, string> { ["SCREENDIR"] = Path.GetDirectoryName(socket)! };
        string[] command = AsOwner(session.RootPid, ["screen", "-d", id]);
        ToolResult result = ExternalTool.TryRun(command[0], command[1..], environment)
            ?? throw new SessionPrepareException($"screen session {id}: cannot detach its clients, {command[0]} is not installed");
        if (!result.Succeeded)
        {
            throw new SessionPrepareException(
                $"screen session {id} (pid {session.RootPid}): `screen -d {id}` failed ({result.Summary}); detach it by hand, then save again");
        }
        Wait.Until(
            () => !Refresh(session).Attached && ProcessTable.Read().AllEnded(current.Clients),
            $"screen session {id} (pid {session.RootPid}) still has a client attached after `screen -d {id}`; detach it by hand, then save again");
        string terminals = string.Join(", ", current.Clients.Select(c => c.Terminal));
        int n = Math.Max(1, current.Clients.Count);
        return [$"detached {n} client{(n == 1 ? "" : "s")} from screen session {id}{(terminals.Length > 0 ? $" ({terminals})" : "")}; reattach later with `screen -r {id}`"];
    }

    /// <summary>The same session as it is now.</summary>
    private static SessionInfo Refresh(SessionInfo session)
        => Describe(session.RootPid, session.Name, session.SocketPath!, ProcessTable.Read());

    /// <summary>
    /// <paramref name="command"/>, run as the user of <paramref name="server"/> when that is not
    /// keeper's user: screen refuses a socket directory its caller does not own, even for root.
    /// </summary>
    private static string[] AsOwner(int server, string[] command)
    {
        if (!ProcFsReader.TryReadStatus(server, out ProcStatus status) || status.Uid.Real == UserAccount.CallerUid)
        {
            return command;
        }
        return ["setpriv", $"--reuid={status.Uid.Real}", $"--regid={status.Gid.Real}", "--clear-groups", .. command];
    }

    /// <summary>The entries of a socket directory; empty when it does not exist or cannot be read.</summary>
    internal static IEnumerable<string> ListEntries(string directory)
    {
        try
        {
            return Directory.Exists(directory) ? Directory.GetFiles(directory) : [];
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            return [];
        }
    }
}
