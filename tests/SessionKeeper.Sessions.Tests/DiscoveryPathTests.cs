namespace SessionKeeper.Sessions.Tests;

/// <summary>Sessions whose sockets or servers are not where the defaults put them.</summary>
[TestFixture]
public sealed class DiscoveryPathTests : LiveSessionTest
{
    [Test]
    public void List_TmuxServerOnAPathOfItsOwn_IsFoundThroughItsServerProcess()
    {
        string path = Path.Combine(Live.Scratch, LiveSessions.UniqueName("sock"));
        int server = Live.StartTmuxOnPath(path, "elsewhere");

        SessionInfo session = SessionFinder.Resolve(Path.GetFileName(path));

        Assert.That((session.Kind, session.RootPid, session.SocketPath), Is.EqualTo((SessionKind.Tmux, server, path)));
        Assert.That(SessionFinder.Resolve("elsewhere").RootPid, Is.EqualTo(server));
    }

    [Test]
    public void ScreenInItsOwnScreendir_IsFoundThereAndDetachedEvenWithoutScreendirSet()
    {
        string directory = Live.PrivateDirectory("screendir");
        string name = LiveSessions.UniqueName("scr");
        int server = Live.StartScreen(name, windows: 1, directory);
        TerminalClient client;
        SessionInfo session;
        string? saved = Environment.GetEnvironmentVariable("SCREENDIR");
        Environment.SetEnvironmentVariable("SCREENDIR", directory);
        try
        {
            client = Live.Attach($"env SCREENDIR={directory} screen -r {server}.{name}",
                () => SessionFinder.List().Any(s => s.RootPid == server && s.Clients.Count == 1));
            session = SessionFinder.Resolve(name);
        }
        finally
        {
            Environment.SetEnvironmentVariable("SCREENDIR", saved);
        }

        // keeper points screen at the socket's own directory, whatever SCREENDIR says now.
        IReadOnlyList<string> lines = SessionFinder.PrepareForSave(session);

        Assert.That(session.SocketPath, Is.EqualTo(Path.Combine(directory, $"{server}.{name}")));
        Assert.That(lines.Single(), Does.Contain("detached 1 client"));
        Assert.That(LiveSessions.IsRunning(client.ClientPid), Is.False, "the client has exited");
        Assert.That(LiveSessions.IsRunning(server), Is.True, "the session runs on");
    }

    [Test]
    public void List_ScreenWithASocketDirectoryKeeperDoesNotKnow_IsFoundThroughItsServerProcess()
    {
        string directory = Live.PrivateDirectory("elsewhere");
        string name = LiveSessions.UniqueName("scr");
        int server = Live.StartScreen(name, windows: 2, directory);

        SessionInfo session = SessionFinder.Resolve(name);

        Assert.That((session.RootPid, session.SocketPath, session.ProcessCount),
            Is.EqualTo((server, Path.Combine(directory, $"{server}.{name}"), 3)));
    }

    [Test]
    public void List_XServerStartedWithoutVncserver_IsItsOwnRootAndAViewerOnItsRfbportAttaches()
    {
        string desktop = LiveSessions.UniqueName("bare");
        int server = Live.StartXvnc(desktop, out int display, out int port);

        SessionInfo before = SessionFinder.Resolve($":{display}");
        using System.Net.Sockets.TcpClient viewer = LiveSessions.ConnectViewer(port, out _);
        SessionInfo after = SessionFinder.Resolve(desktop);

        Assert.Multiple(() =>
        {
            Assert.That(before.RootPid, Is.EqualTo(server));
            Assert.That(before.Aliases, Is.EqualTo(new[] { desktop }));
            Assert.That(before.Details[0], Does.Contain("not started by vncserver"));
            Assert.That(before.Details, Does.Contain($"RFB port {port}"));
            Assert.That(before.ProcessCount, Is.EqualTo(LiveSessions.Tree(server).Count));
            Assert.That(before.Attached, Is.False);
            Assert.That(after.Attached, Is.True);
            Assert.That(after.Clients.Single().Terminal, Is.EqualTo(viewer.Client.LocalEndPoint!.ToString()));
        });
    }
}
