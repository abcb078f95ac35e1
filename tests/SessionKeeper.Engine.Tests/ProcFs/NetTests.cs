using System.Net;
using SessionKeeper.Engine.ProcFs;

namespace SessionKeeper.Engine.Tests.ProcFsTests;

[TestFixture]
public sealed class NetTests
{
    [Test]
    public void ParseUnixSockets_Sample_ReadsPathsAndAbstract()
    {
        List<UnixSocketEntry> sockets = ProcFsReader.ParseUnixSockets(
            "Num       RefCount Protocol Flags    Type St Inode Path\n" +
            "0000000000000000: 00000002 00000000 00010000 0001 01 12345 /run/screen/S-root/11623.inv\n" +
            "0000000000000000: 00000002 00000000 00010000 0001 01 12346 @/tmp/.X11-unix/X5\n" +
            "0000000000000000: 00000003 00000000 00000000 0001 03 12347\n" +
            "0000000000000000: 00000002 00000000 00000000 0002 01 12348 /tmp/my dir/sock et\n");

        Assert.Multiple(() =>
        {
            Assert.That(sockets, Has.Count.EqualTo(4));
            Assert.That(sockets[0], Is.EqualTo(new UnixSocketEntry(12345, 2, 0x10000, 1, 1, "/run/screen/S-root/11623.inv")));
            Assert.That(sockets[0].IsListening, Is.True);
            Assert.That(sockets[1].IsAbstract, Is.True);
            Assert.That(sockets[2].Path, Is.Null);
            Assert.That(sockets[2].State, Is.EqualTo(3));
            Assert.That(sockets[2].IsListening, Is.False);
            Assert.That(sockets[3].Path, Is.EqualTo("/tmp/my dir/sock et"));
            Assert.That(sockets[3].Type, Is.EqualTo(2));
        });
    }

    [Test]
    public void ParseTcpSockets_V4AndV6_DecodeAddresses()
    {
        List<TcpSocketEntry> v4 = ProcFsReader.ParseTcpSockets(
            "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n" +
            "   0: 00000000:1711 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1 0000000000000000 100 0 0 10 0\n" +
            "   1: 0100007F:1711 0100007F:CEAA 01 00000010:00000020 02:000AF0F4 00000000  1000        0 4243 2 0000000000000000 20 4 30 10 -1\n");
        List<TcpSocketEntry> v6 = ProcFsReader.ParseTcpSockets(
            "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n" +
            "   0: 00000000000000000000000001000000:1711 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 5000 1 0000000000000000 100 0 0 10 0\n");

        Assert.Multiple(() =>
        {
            Assert.That(v4[0].Local, Is.EqualTo(new IPEndPoint(IPAddress.Any, 5905)));
            Assert.That(v4[0].State, Is.EqualTo(TcpState.Listen));
            Assert.That(v4[0].Inode, Is.EqualTo(4242UL));
            Assert.That(v4[1].Local, Is.EqualTo(new IPEndPoint(IPAddress.Loopback, 5905)));
            Assert.That(v4[1].Remote, Is.EqualTo(new IPEndPoint(IPAddress.Loopback, 52906)));
            Assert.That(v4[1].State, Is.EqualTo(TcpState.Established));
            Assert.That(v4[1].TxQueue, Is.EqualTo(16u));
            Assert.That(v4[1].RxQueue, Is.EqualTo(32u));
            Assert.That(v4[1].Uid, Is.EqualTo(1000u));
            Assert.That(v6[0].Local, Is.EqualTo(new IPEndPoint(IPAddress.IPv6Loopback, 5905)));
            Assert.That(v6[0].Inode, Is.EqualTo(5000UL));
        });
    }

    [Test]
    public void ParseTcpSockets_BadAddress_ThrowsFormatException()
    {
        Assert.Throws<FormatException>(() => ProcFsReader.ParseTcpSockets("header\n   0: 0100:1711 00000000:0000 0A 0:0 00:0 0 0 0 1\n"));
    }

    [Test]
    public void TryReadNet_PythonChildSockets_FoundByInode()
    {
        using ProcFsChild child = ProcFsChild.StartPython("""
            import os, socket, sys, time
            d = sys.argv[1]
            u = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            u.bind(os.path.join(d, "my sock"))
            u.listen(4)
            a = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            a.bind(b"\0keeper-procfs-" + str(os.getpid()).encode())
            t4 = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            t4.bind(("127.0.0.1", 0))
            t4.listen(4)
            t6 = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
            t6.bind(("::1", 0))
            t6.listen(4)
            ready(unix=u.fileno(), abstract=a.fileno(), tcp4=t4.fileno(), port4=t4.getsockname()[1],
                  tcp6=t6.fileno(), port6=t6.getsockname()[1])
            time.sleep(600)
            """);
        Assert.That(ProcFsReader.TryReadFds(child.Pid, out List<FdEntry> fds), Is.True);
        ulong Inode(string key) => fds.Single(f => f.Fd == child.IntValue(key)).Inode;

        Assert.That(ProcFsReader.TryReadUnixSockets(child.Pid, out List<UnixSocketEntry> unix), Is.True);
        Assert.That(ProcFsReader.TryReadTcpSockets(child.Pid, ipv6: false, out List<TcpSocketEntry> tcp4), Is.True);
        Assert.That(ProcFsReader.TryReadTcpSockets(child.Pid, ipv6: true, out List<TcpSocketEntry> tcp6), Is.True);
        UnixSocketEntry listener = unix.Single(u => u.Inode == Inode("unix"));
        UnixSocketEntry abstractSocket = unix.Single(u => u.Inode == Inode("abstract"));
        TcpSocketEntry t4 = tcp4.Single(t => t.Inode == Inode("tcp4"));
        TcpSocketEntry t6 = tcp6.Single(t => t.Inode == Inode("tcp6"));
        Assert.Multiple(() =>
        {
            Assert.That(listener.Path, Is.EqualTo(Path.Combine(child.Directory, "my sock")));
            Assert.That(listener.IsListening, Is.True);
            Assert.That(listener.Type, Is.EqualTo(1));
            Assert.That(abstractSocket.Path, Is.EqualTo($"@keeper-procfs-{child.Pid}"));
            Assert.That(abstractSocket.IsAbstract, Is.True);
            Assert.That(abstractSocket.Type, Is.EqualTo(2));
            Assert.That(t4.Local, Is.EqualTo(new IPEndPoint(IPAddress.Loopback, child.IntValue("port4"))));
            Assert.That(t4.State, Is.EqualTo(TcpState.Listen));
            Assert.That(t6.Local, Is.EqualTo(new IPEndPoint(IPAddress.IPv6Loopback, child.IntValue("port6"))));
        });
    }

    [Test]
    public void TryReadNet_GonePid_ReturnsFalse()
    {
        int pid = ProcFsChild.GonePid();

        Assert.Multiple(() =>
        {
            Assert.That(ProcFsReader.TryReadUnixSockets(pid, out _), Is.False);
            Assert.That(ProcFsReader.TryReadTcpSockets(pid, ipv6: false, out _), Is.False);
        });
    }
}
