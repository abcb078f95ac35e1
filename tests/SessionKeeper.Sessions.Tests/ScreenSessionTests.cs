using SessionKeeper.Engine.ProcFs;

namespace SessionKeeper.Sessions.Tests;

/// <summary>screen sessions found, named, and detached, on real <c>screen -dmS</c> servers.</summary>
[TestFixture]
public sealed class ScreenSessionTests : LiveSessionTest
{
    [Test]
    public void List_DetachedScreenWithThreeWindows_IsTheServerWithItsWindowsAndNoClient()
    {
        string name = LiveSessions.UniqueName("scr");
        int server = Live.StartScreen(name, windows: 3);

        SessionInfo session = SessionFinder.List().Single(s => s.Kind == SessionKind.Screen && s.Name == name);

        Assert.Multiple(() =>
        {
            Assert.That(session.RootPid, Is.EqualTo(server));
            Assert.That(session.ProcessCount, Is.EqualTo(4).And.EqualTo(LiveSessions.Tree(server).Count), "SCREEN and the sleep of each window");
            Assert.That(session.ResidentBytes, Is.GreaterThan(0));
            Assert.That(session.Attached, Is.False);
            Assert.That(session.Clients, Is.Empty);
            Assert.That(session.Aliases, Does.Contain($"{server}.{name}"));
            Assert.That(session.SocketPath, Does.EndWith($"/{server}.{name}"));
            Assert.That(session.Details, Does.Contain("3 windows"));
        });
    }

    [Test]
    public void List_ClientOnAPty_IsAttachedAndTheClientIsOutsideTheTree()
    {
        string name = LiveSessions.UniqueName("scr");
        int server = Live.StartScreen(name, windows: 2);

        TerminalClient client = Live.Attach($"screen -r {server}.{name}", () => ServerTerminals(server).Count == 1);
        SessionInfo session = SessionFinder.List().Single(s => s.RootPid == server);

        Assert.Multiple(() =>
        {
            Assert.That(session.Attached, Is.True);
            Assert.That(session.Clients.Select(c => c.Pid), Is.EqualTo(new[] { client.ClientPid }));
            Assert.That(session.Clients[0].Terminal, Is.EqualTo(ServerTerminals(server)[0]));
            Assert.That(session.ProcessCount, Is.EqualTo(3), "the client is not part of the saved tree");
        });
    }

    [Test]
    public void PrepareForSave_TwoClientsAttached_DetachesBothAndTheSessionRunsOn()
    {
        string name = LiveSessions.UniqueName("scr");
        int server = Live.StartScreen(name, windows: 2);
        TerminalClient first = Live.Attach($"screen -r {server}.{name}", () => ServerTerminals(server).Count == 1);
        TerminalClient second = Live.Attach($"screen -x {server}.{name}", () => ServerTerminals(server).Count == 2);
        SessionInfo session = SessionFinder.Resolve(name);

        IReadOnlyList<string> lines = SessionFinder.PrepareForSave(session);

        Assert.Multiple(() =>
        {
            Assert.That(lines, Has.Count.EqualTo(1));
            Assert.That(lines[0], Does.Contain("detached 2 clients").And.Contain($"{server}.{name}").And.Contain("screen -r"));
            Assert.That(LiveSessions.IsRunning(first.ClientPid), Is.False, "the first client has exited");
            Assert.That(LiveSessions.IsRunning(second.ClientPid), Is.False, "the second client has exited");
            Assert.That(ServerTerminals(server), Is.Empty, "the server holds no client terminal");
            Assert.That(LiveSessions.Run("screen", "-ls", $"{server}.{name}"), Does.Contain("(Detached)"));
            Assert.That(LiveSessions.Tree(server), Has.Count.EqualTo(3), "the server and its windows run on");
            Assert.That(SessionFinder.Resolve(name).Attached, Is.False);
        });
    }

    [Test]
    public void PrepareForSave_NoClient_DoesNothing()
    {
        string name = LiveSessions.UniqueName("scr");
        Live.StartScreen(name, windows: 1);

        Assert.That(SessionFinder.PrepareForSave(SessionFinder.Resolve(name)), Is.Empty);
    }

    [Test]
    public void Resolve_NameOrPidDotName_FindsTheServer()
    {
        string name = LiveSessions.UniqueName("scr");
        int server = Live.StartScreen(name, windows: 1);

        Assert.That(SessionFinder.Resolve(name).RootPid, Is.EqualTo(server));
        Assert.That(SessionFinder.Resolve($"{server}.{name}").RootPid, Is.EqualTo(server));
    }

    [Test]
    public void Resolve_TwoScreensWithOneName_ThrowsNamingBothByPidDotName()
    {
        string name = LiveSessions.UniqueName("scr");
        int first = Live.StartScreen(name, windows: 1);
        int second = Live.StartScreen(name, windows: 1);

        var error = Assert.Throws<SessionLookupException>(() => SessionFinder.Resolve(name))!;

        Assert.Multiple(() =>
        {
            Assert.That(error.Message, Does.Contain($"'{name}' names 2 sessions"));
            Assert.That(error.Message, Does.Contain($"screen {first}.{name} (pid {first})"));
            Assert.That(error.Message, Does.Contain($"screen {second}.{name} (pid {second})"));
            Assert.That(error.Message, Does.Contain("PID.NAME").And.Contain("--pid"));
            Assert.That(error.Candidates.Select(c => c.RootPid), Is.EquivalentTo(new[] { first, second }));
            Assert.That(SessionFinder.Resolve($"{second}.{name}").RootPid, Is.EqualTo(second));
        });
    }

    [Test]
    public void Resolve_UnknownName_ThrowsListingTheSessionsAndTheWayOut()
    {
        string name = LiveSessions.UniqueName("scr");
        int server = Live.StartScreen(name, windows: 1);
        string missing = LiveSessions.UniqueName("missing");

        var error = Assert.Throws<SessionLookupException>(() => SessionFinder.Resolve(missing))!;

        Assert.That(error.Message, Does.Contain($"no session called '{missing}'"));
        Assert.That(error.Message, Does.Contain($"screen {server}.{name} (pid {server})"));
        Assert.That(error.Message, Does.Contain("keeper list").And.Contain("keeper save --pid PID NAME"));
        Assert.That(error.Candidates.Select(c => c.RootPid), Does.Contain(server));
    }

    [Test]
    public void FromPid_ScreenServer_IsThatSessionAndAPlainProcessIsATree()
    {
        string name = LiveSessions.UniqueName("scr");
        int server = Live.StartScreen(name, windows: 2);
        int window = LiveSessions.Tree(server)[1];

        SessionInfo session = SessionFinder.FromPid(server, "ignored");
        SessionInfo tree = SessionFinder.FromPid(window, "one-window");

        Assert.That((session.Kind, session.Name), Is.EqualTo((SessionKind.Screen, name)));
        Assert.That((tree.Kind, tree.Name, tree.RootPid, tree.ProcessCount), Is.EqualTo((SessionKind.Tree, "one-window", window, 1)));
        Assert.That(SessionFinder.PrepareForSave(tree), Is.Empty);
    }

    /// <summary>The terminals the SCREEN server holds open: those of its attached displays.</summary>
    private static List<string> ServerTerminals(int server)
        => ProcFsReader.TryReadFds(server, out List<FdEntry> fds)
            ? fds.Where(fd => fd.Kind == FdTargetKind.PtySlave).Select(fd => fd.Path!).ToList()
            : [];
}
