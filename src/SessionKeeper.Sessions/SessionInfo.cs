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
    IReadOnlyList<string> Details);
