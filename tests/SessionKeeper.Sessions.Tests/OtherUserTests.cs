using System.Diagnostics;
using SessionKeeper.Tests.Shared;

namespace SessionKeeper.Sessions.Tests;

/// <summary>Sessions belong to a user: each user sees and resolves only their own.</summary>
[TestFixture]
public sealed class OtherUserTests : LiveSessionTest
{
    [Test]
    public void List_ForAnotherUid_HoldsThatUsersScreenAndNotTheCallers()
    {
        string mine = LiveSessions.UniqueName("scr");
        string theirs = LiveSessions.UniqueName("scr");
        int myServer = Live.StartScreen(mine, windows: 1);
        int theirServer = Live.StartScreenAsNobody(theirs);

        IReadOnlyList<SessionInfo> nobodys = SessionFinder.List(LiveSessions.NobodyUid);
        IReadOnlyList<SessionInfo> callers = SessionFinder.List();

        Assert.That(nobodys.Select(s => s.RootPid), Does.Contain(theirServer).And.Not.Contain(myServer));
        Assert.That(nobodys.Single(s => s.RootPid == theirServer).SocketPath, Is.EqualTo($"/run/screen/S-{LiveSessions.Nobody}/{theirServer}.{theirs}"));
        Assert.That(callers.Select(s => s.RootPid), Does.Contain(myServer).And.Not.Contain(theirServer));
        Assert.That(SessionFinder.Resolve(theirs, LiveSessions.NobodyUid).RootPid, Is.EqualTo(theirServer));
        Assert.Throws<SessionLookupException>(() => SessionFinder.Resolve(theirs));
    }

    [Test]
    public void KeeperList_RunByAnotherUser_ShowsOnlyThatUsersSession()
    {
        string mine = LiveSessions.UniqueName("scr");
        string theirs = LiveSessions.UniqueName("scr");
        Live.StartScreen(mine, windows: 1);
        int theirServer = Live.StartScreenAsNobody(theirs);

        (int code, string stdout, string stderr) = RunKeeperAs(LiveSessions.NobodyUid, "list");

        Assert.That(code, Is.Zero, stderr);
        Assert.That(stdout, Does.Contain(theirs).And.Contain(theirServer.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.That(stdout, Does.Not.Contain(mine));
    }

    [Test]
    public void KeeperList_UserWithoutSessions_SaysSoAndHowToStartOne()
    {
        string mine = LiveSessions.UniqueName("scr");
        Live.StartScreen(mine, windows: 1);

        // A uid no account and no session has.
        (int code, string stdout, string stderr) = RunKeeperAs(LiveSessions.NobodyUid - 7, "list");

        Assert.That(code, Is.Zero, stderr);
        Assert.That(stdout.Trim(), Does.StartWith("no screen, tmux or vnc sessions are running for you")
            .And.Contain("keeper save --pid PID NAME"));
        Assert.That(stderr, Is.Empty);
    }

    [Test]
    public void PrepareForSave_AnotherUsersAttachedScreen_IsDetachedAsThatUser()
    {
        string theirs = LiveSessions.UniqueName("scr");
        int server = Live.StartScreenAsNobody(theirs);
        TerminalClient client = Live.AttachAs(LiveSessions.NobodyUid, $"screen -r {server}.{theirs}",
            () => SessionFinder.List(LiveSessions.NobodyUid).Any(s => s.RootPid == server && s.Attached));
        SessionInfo session = SessionFinder.Resolve(theirs, LiveSessions.NobodyUid);

        // screen refuses root a socket directory root does not own: keeper runs it as nobody.
        IReadOnlyList<string> lines = SessionFinder.PrepareForSave(session);

        Assert.That(lines.Single(), Does.Contain($"detached 1 client from screen session {server}.{theirs}"));
        Assert.That(LiveSessions.IsRunning(client.ClientPid), Is.False, "the client has exited");
        Assert.That(LiveSessions.IsRunning(server), Is.True, "the session runs on");
        Assert.That(SessionFinder.Resolve(theirs, LiveSessions.NobodyUid).Attached, Is.False);
    }

    [Test]
    public void Resolve_UserWithoutSessions_ThrowsSayingSoAndPointingToPid()
    {
        int uid = LiveSessions.NobodyUid - 7;

        var error = Assert.Throws<SessionLookupException>(() => SessionFinder.Resolve("anything", uid))!;

        Assert.That(error.Message, Is.EqualTo(
            $"no session called 'anything': user {uid} has no screen, tmux or vnc session running; "
            + "to save any other process tree use `keeper save --pid PID NAME`"));
        Assert.That(error.Candidates, Is.Empty);
    }

    /// <summary>Runs the keeper binary the other CLI tests run, as <paramref name="uid"/>.</summary>
    private static (int ExitCode, string Stdout, string Stderr) RunKeeperAs(int uid, params string[] arguments)
    {
        bool managed = KeeperProcess.Binary.EndsWith(".dll", StringComparison.Ordinal);
        string[] command = [.. LiveSessions.AsUser(uid)[1..], .. managed ? new[] { "dotnet" } : [], KeeperProcess.Binary, .. arguments];
        return LiveSessions.Exec(LiveSessions.AsUser(uid)[0], command);
    }
}
