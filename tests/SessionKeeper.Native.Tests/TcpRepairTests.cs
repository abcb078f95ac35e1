namespace SessionKeeper.Native.Tests;

/// <summary>TCP repair mode on a real loopback connection (needs CAP_NET_ADMIN, as the engine does).</summary>
public sealed class TcpRepairTests
{
    [Test]
    public void GetSockOpt_RepairModeOnEstablishedSocket_ReadsSequenceAndWindow()
    {
        using SafeFd listener = Interop.Socket(SocketFamily.AF_INET, SocketKind.SOCK_STREAM);
        Interop.Bind(listener, SockAddrIn.Create([127, 0, 0, 1], 0), 16);
        Interop.Listen(listener, 1);
        Interop.GetSockName(listener, out SockAddrIn address);
        using SafeFd client = Interop.Socket(SocketFamily.AF_INET, SocketKind.SOCK_STREAM);
        Interop.Connect(client, address, 16);
        using SafeFd server = Interop.Accept(listener);
        Interop.Send(client, "sent before the freeze"u8);

        Interop.SetSockOpt(client, TcpOption.TCP_REPAIR, (int)TcpRepairMode.TCP_REPAIR_ON);
        try
        {
            Interop.SetSockOpt(client, TcpOption.TCP_REPAIR_QUEUE, (int)TcpQueue.TCP_SEND_QUEUE);
            uint sendSeq = (uint)Interop.GetSockOpt(client, TcpOption.TCP_QUEUE_SEQ);
            Interop.SetSockOpt(client, TcpOption.TCP_REPAIR_QUEUE, (int)TcpQueue.TCP_RECV_QUEUE);
            uint recvSeq = (uint)Interop.GetSockOpt(client, TcpOption.TCP_QUEUE_SEQ);
            TcpRepairWindow window = Interop.GetSockOpt<TcpRepairWindow>(client, SocketLevel.SOL_TCP, (int)TcpOption.TCP_REPAIR_WINDOW);

            Assert.Multiple(() =>
            {
                Assert.That(Interop.GetSockOpt(client, TcpOption.TCP_REPAIR), Is.EqualTo(1));
                Assert.That(sendSeq, Is.Not.EqualTo(recvSeq));
                Assert.That(window.RcvWnd, Is.Not.Zero);
                Assert.That(window.MaxWindow, Is.Not.Zero);
            });
        }
        finally
        {
            Interop.SetSockOpt(client, TcpOption.TCP_REPAIR, (int)TcpRepairMode.TCP_REPAIR_OFF_NO_WP);
        }
    }
}
