namespace SessionKeeper.Sessions.Tests;

/// <summary>tmux servers found, named, and detached, on real servers with several sessions.</summary>
[TestFixture]
public sealed class TmuxSessionTests : LiveSessionTest
{
    [Test]
    public void List_ServerWithThreeSessions_IsOneEntryNamedBySocketHoldingAllThree()
    {
        string socket = LiveSessions.UniqueName("tmx");
        int server = Live.StartTmux(socket, "alpha", "beta", "gamma");

        SessionInfo session = SessionFinder.List().Single(s => s.Kind == SessionKind.Tmux && s.Name == socket);

        Assert.Multiple(() =>
        {
            Assert.That(session.RootPid, Is.EqualTo(server));
            Assert.That(session.HeldSessions, Is.EqualTo(new[] { "alpha", "beta", "gamma" }));
            Assert.That(session.Aliases, Is.EquivalentTo(new[] { "alpha", "beta", "gamma" }));
            Assert.That(session.ProcessCount, Is.EqualTo(4).And.EqualTo(LiveSessions.Tree(server).Count), "the server and one pane per session");
            Assert.That(session.ResidentBytes, Is.GreaterThan(0));
            Assert.That(session.Attached, Is.False);
            Assert.That(session.SocketPath, Does.EndWith($"/{socket}"));
        });
    }

    [Test]
    public void Resolve_SocketNameOrAnySessionName_FindsTheServer()
    {
        string socket = LiveSessions.UniqueName("tmx");
        string session = LiveSessions.UniqueName("ses");
        int server = Live.StartTmux(socket, session, "other");

        Assert.That(SessionFinder.Resolve(socket).RootPid, Is.EqualTo(server));
        Assert.That(SessionFinder.Resolve(session).RootPid, Is.EqualTo(server));
    }

    [Test]
    public void List_ClientAttached_IsAttachedWithTheClientAndItsSession()
    {
        string socket = LiveSessions.UniqueName("tmx");
        int server = Live.StartTmux(socket, "main", "side");

        TerminalClient client = Live.Attach($"tmux -L {socket} attach -t side", () => Clients(socket).Length == 1);
        SessionInfo session = SessionFinder.Resolve(socket);

        Assert.Multiple(() =>
        {
            Assert.That(session.Attached, Is.True);
            Assert.That(session.Clients.Select(c => (c.Pid, c.Session)), Is.EqualTo(new[] { (client.ClientPid, (string?)"side") }));
            Assert.That(session.ProcessCount, Is.EqualTo(3), "the client is not part of the saved tree");
            Assert.That(session.RootPid, Is.EqualTo(server));
        });
    }

    [Test]
    public void PrepareForSave_ClientsOnTwoSessions_DetachesThemAndNamesTheSessionsSavedTogether()
    {
        string socket = LiveSessions.UniqueName("tmx");
        int server = Live.StartTmux(socket, "main", "side");
        TerminalClient first = Live.Attach($"tmux -L {socket} attach -t main", () => Clients(socket).Length == 1);
        TerminalClient second = Live.Attach($"tmux -L {socket} attach -t side", () => Clients(socket).Length == 2);

        IReadOnlyList<string> lines = SessionFinder.PrepareForSave(SessionFinder.Resolve(socket));

        Assert.Multiple(() =>
        {
            Assert.That(lines, Has.Count.EqualTo(2));
            Assert.That(lines[0], Does.Contain($"detached 2 clients from tmux server {socket}"));
            Assert.That(lines[1], Does.Contain($"tmux server {socket} (pid {server}) holds 2 sessions").And.EndWith("main, side"));
            Assert.That(LiveSessions.IsRunning(first.ClientPid), Is.False, "the first client has exited");
            Assert.That(LiveSessions.IsRunning(second.ClientPid), Is.False, "the second client has exited");
            Assert.That(Clients(socket), Is.Empty, "tmux lists no client");
            Assert.That(LiveSessions.Run("tmux", "-L", socket, "list-sessions", "-F", "#{session_name}").Split('\n', StringSplitOptions.RemoveEmptyEntries),
                Is.EqualTo(new[] { "main", "side" }), "both sessions run on");
            Assert.That(LiveSessions.Tree(server), Has.Count.EqualTo(3));
        });
    }

    [Test]
    public void PrepareForSave_OneSessionNoClient_SaysNothing()
    {
        string socket = LiveSessions.UniqueName("tmx");
        Live.StartTmux(socket, "only");

        Assert.That(SessionFinder.PrepareForSave(SessionFinder.Resolve(socket)), Is.Empty);
    }

    [Test]
    public void Resolve_TmuxSessionNamedLikeAScreen_ThrowsListingBoth()
    {
        string name = LiveSessions.UniqueName("both");
        string socket = LiveSessions.UniqueName("tmx");
        int screen = Live.StartScreen(name, windows: 1);
        int tmux = Live.StartTmux(socket, name);

        var error = Assert.Throws<SessionLookupException>(() => SessionFinder.Resolve(name))!;

        Assert.That(error.Message, Does.Contain($"screen {screen}.{name} (pid {screen})").And.Contain($"tmux {socket} (pid {tmux})"));
        Assert.That(error.Message, Does.Contain($"e.g. {screen}.{name}"));
        Assert.That(error.Candidates, Has.Count.EqualTo(2));
    }

    [Test]
    public void List_SocketLeftByAServerThatEnded_IsLeftOut()
    {
        string socket = LiveSessions.UniqueName("tmx");
        int server = Live.StartTmux(socket, "gone");
        string path = SessionFinder.Resolve(socket).SocketPath!;
        foreach (int pid in LiveSessions.Tree(server))
        {
            SessionKeeper.Native.Interop.TryKill(pid, SessionKeeper.Native.Signals.SIGKILL);
        }
        LiveSessions.WaitFor(() => LiveSessions.IsRunning(server) ? null : "", "the tmux server to end");

        Assert.That(File.Exists(path), Is.True, "a killed server leaves its socket behind");
        Assert.That(SessionFinder.List().Where(s => s.Name == socket), Is.Empty);
        var error = Assert.Throws<SessionLookupException>(() => SessionFinder.Resolve(socket))!;
        Assert.That(error.Message, Does.Contain($"no session called '{socket}'"));
    }

    /// <summary>The client ttys tmux itself reports for the server on <paramref name="socket"/>.</summary>
    private static string[] Clients(string socket)
    {
        (int code, string stdout, _) = LiveSessions.Exec("tmux", "-L", socket, "list-clients", "-F", "#{client_tty}");
        return code == 0 ? stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries) : [];
    }
}
