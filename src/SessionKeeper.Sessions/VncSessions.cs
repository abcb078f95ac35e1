using System.Globalization;
using SessionKeeper.Engine.ProcFs;

namespace SessionKeeper.Sessions;

/// <summary>
/// TigerVNC sessions: an Xvnc/Xtigervnc X server and, when it was started by <c>vncserver</c>,
/// the desktop session that vncserver's xstartup runs.
/// </summary>
/// <remarks>
/// The perl <c>vncserver</c> wrapper forks both the X server and the xstartup script and stays
/// alive as their parent, so the wrapper is the root: its tree holds the X server and every
/// program of the desktop. An X server started some other way is its own root (with whatever
/// it started itself); <c>keeper save --pid</c> takes any other tree.
/// </remarks>
internal static class VncSessions
{
    private static readonly string[] s_serverNames = ["Xtigervnc", "Xvnc"];

    private static readonly string[] s_wrapperNames = ["vncserver", "tigervncserver"];

    /// <summary>The first TCP port of the RFB protocol; display :N listens on 5900+N by default.</summary>
    private const int RfbBasePort = 5900;

    /// <summary>Every VNC server of <paramref name="user"/>.</summary>
    public static IEnumerable<SessionInfo> Find(UserAccount user, ProcessTable table)
    {
        foreach (ProcessEntry server in table.Processes.Values
            .Where(p => p.Uid == user.Uid && p.State != 'Z' && s_serverNames.Contains(p.Name))
            .OrderBy(p => p.Pid))
        {
            string[] arguments = ProcessTable.ReadArguments(server.Pid);
            if (arguments.Length > 0)
            {
                yield return Describe(server, arguments, table);
            }
        }
    }

    private static SessionInfo Describe(ProcessEntry server, string[] arguments, ProcessTable table)
    {
        int display = 0;
        foreach (string argument in arguments.Skip(1))
        {
            if (argument.Length > 1 && argument[0] == ':' && int.TryParse(argument.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out int n))
            {
                display = n;
                break;
            }
        }
        string? desktop = Option(arguments, "desktop");
        int port = int.TryParse(Option(arguments, "rfbport"), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int p)
            ? p
            : RfbBasePort + display;

        int root = server.Pid;
        var details = new List<string>();
        if (table.Get(server.ParentPid) is { } parent && IsWrapper(parent))
        {
            root = parent.Pid;
            details.Add($"started by vncserver pid {parent.Pid}: X server {server.Name} pid {server.Pid} and the xstartup session are its children");
        }
        else
        {
            details.Add($"X server {server.Name} pid {server.Pid} (not started by vncserver: the tree is the X server and its own children)");
        }
        details.Add(port > 0 ? $"RFB port {port}" : "no RFB TCP port");
        if (desktop is not null)
        {
            details.Add($"desktop {desktop}");
        }
        List<SessionClient> viewers = port > 0 ? FindViewers(server.Pid, port) : [];
        details.AddRange(viewers.Select(v => $"viewer {v.Terminal}"));

        (int count, long resident) = table.Measure(root);
        string name = $":{display.ToString(CultureInfo.InvariantCulture)}";
        return new SessionInfo(SessionKind.Vnc, name, root, count, resident, viewers.Count > 0, details)
        {
            Aliases = desktop is not null && desktop != name ? [desktop] : [],
            Clients = viewers,
        };
    }

    /// <summary>
    /// The value of an X server option given as "-name value" or "-name=value"; null when absent.
    /// </summary>
    private static string? Option(string[] arguments, string name)
    {
        for (int i = 1; i < arguments.Length; i++)
        {
            string argument = arguments[i].TrimStart('-');
            if (arguments[i].StartsWith('-') && argument == name && i + 1 < arguments.Length)
            {
                return arguments[i + 1];
            }
            if (arguments[i].StartsWith('-') && argument.StartsWith(name + "=", StringComparison.Ordinal))
            {
                return argument[(name.Length + 1)..];
            }
        }
        return null;
    }

    /// <summary>The perl wrapper runs as its script's name; its command line holds the script's path.</summary>
    private static bool IsWrapper(ProcessEntry process)
        => s_wrapperNames.Contains(process.Name)
            || ProcessTable.ReadArguments(process.Pid).Take(2).Any(a => s_wrapperNames.Contains(Path.GetFileName(a)));

    /// <summary>
    /// The viewers: ESTABLISHED TCP connections on the RFB port that belong to the X server
    /// (checked by socket inode, so another program's connection on that port does not count).
    /// </summary>
    private static List<SessionClient> FindViewers(int server, int port)
    {
        var inodes = ProcessTable.ReadFds(server).Where(fd => fd.Kind == FdTargetKind.Socket).Select(fd => fd.Inode).ToHashSet();
        var viewers = new List<SessionClient>();
        foreach (bool ipv6 in new[] { false, true })
        {
            if (ProcFsReader.TryReadTcpSockets(server, ipv6, out List<TcpSocketEntry> sockets))
            {
                viewers.AddRange(sockets
                    .Where(s => s.State == TcpState.Established && s.Local.Port == port && inodes.Contains(s.Inode))
                    .Select(s => new SessionClient(0, Address(s.Remote), null)));
            }
        }
        return viewers;
    }

    /// <summary>The viewer's address as people write it: an IPv4 peer of an IPv6 socket without the ::ffff: prefix.</summary>
    private static string Address(System.Net.IPEndPoint endpoint)
        => endpoint.Address.IsIPv4MappedToIPv6
            ? new System.Net.IPEndPoint(endpoint.Address.MapToIPv4(), endpoint.Port).ToString()
            : endpoint.ToString();
}
