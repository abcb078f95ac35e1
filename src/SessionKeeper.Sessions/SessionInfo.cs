namespace SessionKeeper.Sessions;

/// <summary>The kinds of session keeper finds on its own.</summary>
public enum SessionKind
{
    /// <summary>A GNU screen session (one SCREEN server process per session).</summary>
    Screen,

    /// <summary>A tmux server with all its sessions.</summary>
    Tmux,

    /// <summary>A TigerVNC server (Xvnc/Xtigervnc) with the session started by vncserver.</summary>
    Vnc,

    /// <summary>Any other process tree, named by its root pid (<c>keeper save --pid</c>).</summary>
    Tree,
}

/// <summary>One live session: what <c>keeper list</c> prints and <c>keeper save NAME</c> saves.</summary>
/// <param name="Kind">What kind of session it is.</param>
/// <param name="Name">The session's name as its own tool shows it (screen: NAME of PID.NAME; tmux: the socket name; vnc: :DISPLAY).</param>
/// <param name="RootPid">Root of the process tree to checkpoint (the screen/tmux server, the vnc server).</param>
/// <param name="ProcessCount">Processes in the tree.</param>
/// <param name="ResidentBytes">Sum of the resident memory of the tree's processes.</param>
/// <param name="Attached">Whether a client is attached (screen/tmux client, VNC viewer).</param>
/// <param name="Details">Kind-specific lines, e.g. the tmux sessions a server holds or the socket path.</param>
public sealed record SessionInfo(
    SessionKind Kind,
    string Name,
    int RootPid,
    int ProcessCount,
    long ResidentBytes,
    bool Attached,
    IReadOnlyList<string> Details)
{
    /// <summary>
    /// Other names <see cref="SessionFinder.Resolve"/> accepts for this session (screen: PID.NAME;
    /// tmux: the names of the sessions the server holds; vnc: the desktop name).
    /// </summary>
    public IReadOnlyList<string> Aliases { get; init; } = [];

    /// <summary>The screen or tmux server's socket; null for vnc and plain trees.</summary>
    public string? SocketPath { get; init; }

    /// <summary>tmux: the sessions the server holds (a server is saved whole); empty for other kinds.</summary>
    public IReadOnlyList<string> HeldSessions { get; init; } = [];

    /// <summary>The clients attached when the session was found: screen/tmux terminals, VNC viewers.</summary>
    public IReadOnlyList<SessionClient> Clients { get; init; } = [];

    /// <summary>The name to give when <see cref="Name"/> alone is ambiguous (screen: PID.NAME).</summary>
    public string QualifiedName => Kind == SessionKind.Screen ? $"{RootPid}.{Name}" : Name;

    /// <summary>"screen 1234.work (pid 1234)": how messages name the session.</summary>
    public string Describe() => $"{KindName(Kind)} {QualifiedName} (pid {RootPid})";

    /// <summary>The kind as <c>keeper list</c> prints it.</summary>
    public static string KindName(SessionKind kind) => kind switch
    {
        SessionKind.Screen => "screen",
        SessionKind.Tmux => "tmux",
        SessionKind.Vnc => "vnc",
        _ => "tree",
    };
}

/// <summary>A client attached to a session.</summary>
/// <param name="Pid">The client process (screen/tmux client); 0 for a VNC viewer, which is a TCP peer.</param>
/// <param name="Terminal">The client's terminal (screen/tmux), or the viewer's address (vnc).</param>
/// <param name="Session">tmux: the session the client shows; null otherwise.</param>
public sealed record SessionClient(int Pid, string Terminal, string? Session);
