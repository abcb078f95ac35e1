using System.Net.Sockets;

namespace SessionKeeper.Sessions.Tests;

/// <summary>VNC sessions started by a real <c>vncserver</c> (TigerVNC) with an xstartup of its own.</summary>
[TestFixture]
public sealed class VncSessionTests : LiveSessionTest
{
    [Test]
    public void List_Vncserver_RootIsTheWrapperHoldingTheXServerAndTheXstartupPrograms()
    {
        string desktop = LiveSessions.UniqueName("desk");
        VncServer vnc = Live.StartVnc(desktop);

        SessionInfo session = SessionFinder.List().Single(s => s.Kind == SessionKind.Vnc && s.Name == $":{vnc.Display}");
        List<int> tree = LiveSessions.Tree(session.RootPid);

        Assert.Multiple(() =>
        {
            Assert.That(session.RootPid, Is.EqualTo(vnc.WrapperPid));
            Assert.That(tree, Does.Contain(vnc.ServerPid), "the X server is in the saved tree");
            Assert.That(tree, Is.SupersetOf(vnc.StartupChildren), "the programs xstartup started are in the saved tree");
            Assert.That(session.ProcessCount, Is.EqualTo(tree.Count));
            Assert.That(session.ResidentBytes, Is.GreaterThan(0));
            Assert.That(session.Attached, Is.False);
            Assert.That(session.Aliases, Is.EqualTo(new[] { desktop }));
            Assert.That(session.Details, Does.Contain($"RFB port {5900 + vnc.Display}"));
        });
    }

    [Test]
    public void List_ViewerConnected_IsAttachedWithTheViewersAddressAndPrepareLeavesItConnected()
    {
        string desktop = LiveSessions.UniqueName("desk");
        VncServer vnc = Live.StartVnc(desktop);
        using TcpClient viewer = LiveSessions.ConnectViewer(5900 + vnc.Display, out string greeting);

        SessionInfo session = SessionFinder.Resolve(desktop);
        IReadOnlyList<string> lines = SessionFinder.PrepareForSave(session);

        Assert.Multiple(() =>
        {
            Assert.That(greeting, Does.StartWith("RFB "));
            Assert.That(session.Attached, Is.True);
            Assert.That(session.Clients.Select(c => c.Terminal), Is.EqualTo(new[] { viewer.Client.LocalEndPoint!.ToString() }));
            Assert.That(lines, Has.Count.EqualTo(1));
            Assert.That(lines[0], Does.Contain("stay connected"));
            Assert.That(SessionFinder.Resolve($":{vnc.Display}").Attached, Is.True, "the viewer is still connected after PrepareForSave");
        });
    }

    [Test]
    public void Resolve_DisplayOrDesktopName_FindsTheWrapper()
    {
        string desktop = LiveSessions.UniqueName("desk");
        VncServer vnc = Live.StartVnc(desktop);

        Assert.That(SessionFinder.Resolve($":{vnc.Display}").RootPid, Is.EqualTo(vnc.WrapperPid));
        Assert.That(SessionFinder.Resolve(desktop).RootPid, Is.EqualTo(vnc.WrapperPid));
        Assert.That(SessionFinder.PrepareForSave(SessionFinder.Resolve(desktop)), Is.Empty, "no viewer, nothing to say");
    }
}
