using System.Net;
using System.Net.Sockets;
using Google.Protobuf;
using SessionKeeper.Engine.Kinds.Tcp;
using SessionKeeper.Native;
using V1 = SessionKeeper.Images.V1;

namespace SessionKeeper.Engine.Tests.Tcp;

/// <summary>
/// <see cref="TcpRepair"/> on a real loopback connection, without a tree: one end is read in
/// repair mode with data queued both ways, closed silently, and built again on a new socket,
/// which the other end must not notice.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class TcpRepairTests
{
    [Test]
    public void ReadCloseRebuild_QueuedDataBothWays_PeerNoticesNothing()
    {
        using SafeFd listener = Interop.Socket(SocketFamily.AF_INET, SocketKind.SOCK_STREAM | SocketKind.SOCK_CLOEXEC);
        Interop.Bind(listener, SockAddrIn.Create([127, 0, 0, 1], 0), 16);
        Interop.Listen(listener, 1);
        using Socket peer = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        peer.Connect(new IPEndPoint(IPAddress.Loopback, InetEndpoint.Local(listener).Port));
        SafeFd accepted = Interop.Accept(listener);
        var local = (IPEndPoint)peer.RemoteEndPoint!;
        var remote = (IPEndPoint)peer.LocalEndPoint!;
        var saved = new V1.InetSocket
        {
            Family = V1.AddressFamily.Ipv4,
            LocalAddress = ByteString.CopyFrom(local.Address.GetAddressBytes()),
            LocalPort = (uint)local.Port,
            RemoteAddress = ByteString.CopyFrom(remote.Address.GetAddressBytes()),
            RemotePort = (uint)remote.Port,
        };
        peer.Send("unread by the saved end"u8.ToArray());
        using var lockOn = NetworkLock.Lock([new LockedConnection(InetEndpoint.SavedLocal(saved), InetEndpoint.SavedRemote(saved))]);
        // Sent into the lock: never acknowledged, so it stays in the send queue.
        Interop.Send(accepted, "sent into the lock"u8);
        using (accepted)
        {
            Assert.That(TcpRepair.State(accepted), Is.EqualTo(TcpRepair.StateEstablished));
            saved.Tcp = TcpRepair.Read(accepted);
        } // closed in repair mode: no FIN, no RST

        Assert.Multiple(() =>
        {
            Assert.That(saved.Tcp.ReceiveQueue.InlineData.ToStringUtf8(), Is.EqualTo("unread by the saved end"));
            Assert.That(saved.Tcp.SendQueue.InlineData.ToStringUtf8(), Is.EqualTo("sent into the lock"));
            Assert.That(saved.Tcp.Sack && saved.Tcp.Timestamps && saved.Tcp.HasSendWscale, Is.True, "loopback negotiates SACK, timestamps and window scaling");
        });

        using SafeFd rebuilt = Interop.Socket(SocketFamily.AF_INET, SocketKind.SOCK_STREAM | SocketKind.SOCK_CLOEXEC);
        TcpRepair.Rebuild(rebuilt, saved);
        lockOn.Release();

        byte[] buffer = new byte[64];
        Assert.That(Interop.Receive(rebuilt, buffer.AsSpan(0, 23)), Is.EqualTo(23));
        Assert.That(System.Text.Encoding.ASCII.GetString(buffer, 0, 23), Is.EqualTo("unread by the saved end"));
        peer.ReceiveTimeout = 30_000;
        int n = peer.Receive(buffer);
        Assert.That(System.Text.Encoding.ASCII.GetString(buffer, 0, n), Is.EqualTo("sent into the lock"), "retransmitted by the rebuilt socket");
        peer.Send("and back"u8.ToArray());
        Assert.That(Interop.Receive(rebuilt, buffer.AsSpan(0, 8)), Is.EqualTo(8));
        Assert.That(System.Text.Encoding.ASCII.GetString(buffer, 0, 8), Is.EqualTo("and back"));
    }
}
