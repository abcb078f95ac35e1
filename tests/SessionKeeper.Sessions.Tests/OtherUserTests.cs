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

    /// <summary>Runs the keeper binary the other CLI tests run, as <paramref name="uid"/>.</summary>
    private static (int ExitCode, string Stdout, string Stderr) RunKeeperAs(int uid, params string[] arguments)
    {
        bool managed = KeeperProcess.Binary.EndsWith(".dll", StringComparison.Ordinal);
        string[] command = [.. LiveSessions.AsUser(uid)[1..], .. managed ? new[] { "dotnet" } : [], KeeperProcess.Binary, .. arguments];
        return LiveSessions.Exec(LiveSessions.AsUser(uid)[0], command);
    }
}
