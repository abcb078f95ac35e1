using System.Text;

namespace SessionKeeper.Native.Tests;

public sealed class SocketTests
{
    [Test]
    public void SendFds_ThreeFdsOverSocketpair_ReceivedFdsReferToTheSameFiles()
    {
        (SafeFd left, SafeFd right) = Interop.Socketpair(SocketKind.SOCK_STREAM);
        (SafeFd pipeRead, SafeFd pipeWrite) = Interop.Pipe2();
        using SafeFd devNull = Interop.Open("/dev/null", OpenFlags.O_WRONLY);
        using (left)
        using (right)
        using (pipeRead)
        using (pipeWrite)
        {
            SafeFd[] sent = [pipeRead, pipeWrite, devNull];

            int written = Interop.SendFds(left, "x"u8, sent);
            var data = new byte[4];
            int read = Interop.ReceiveFds(right, data, maxFds: 8, out SafeFd[] received);

            try
            {
                int self = Environment.ProcessId;
                Assert.Multiple(() =>
                {
                    Assert.That((written, read, data[0]), Is.EqualTo((1, 1, (byte)'x')));
                    Assert.That(received, Has.Length.EqualTo(3));
                    for (int i = 0; i < received.Length; i++)
                    {
                        Stat expected = Interop.Fstat(sent[i]);
                        Stat actual = Interop.Fstat(received[i]);
                        Assert.That((actual.Dev, actual.Ino), Is.EqualTo((expected.Dev, expected.Ino)), $"fd #{i}");
                        Assert.That(Interop.Kcmp(self, self, KcmpType.KCMP_FILE, (ulong)sent[i].Fd, (ulong)received[i].Fd), Is.EqualTo(KcmpOrder.Equal), $"fd #{i}");
                        Assert.That(Interop.GetCloseOnExec(received[i]), Is.True, $"fd #{i}");
                    }
                });
            }
            finally
            {
                foreach (SafeFd fd in received)
                {
                    fd.Dispose();
                }
            }
        }
    }

    [Test]
    public void ReceiveFds_MoreFdsThanSlots_ThrowsEmsgsizeAndLeaksNothing()
    {
        (SafeFd left, SafeFd right) = Interop.Socketpair(SocketKind.SOCK_DGRAM);
        using SafeFd a = Interop.Open("/dev/null", OpenFlags.O_RDONLY);
        using SafeFd b = Interop.Open("/dev/null", OpenFlags.O_RDONLY);
        using SafeFd c = Interop.Open("/dev/null", OpenFlags.O_RDONLY);
        using (left)
        using (right)
        {
            // Room for one fd is CMSG_SPACE(4) = 24 bytes, which in fact holds two; three overflow.
            Interop.SendFds(left, "y"u8, [a, b, c]);
            int before = Directory.GetFiles("/proc/self/fd").Length;

            var error = Assert.Throws<ErrnoException>(() => Interop.ReceiveFds(right, new byte[1], maxFds: 1, out _))!;

            Assert.Multiple(() =>
            {
                Assert.That(error.Errno, Is.EqualTo(Errno.EMSGSIZE));
                Assert.That(Directory.GetFiles("/proc/self/fd"), Has.Length.EqualTo(before));
            });
        }
    }

    [Test]
    public void SendFds_ToAbstractDatagramAddress_ArrivesAtTheBoundSocket()
    {
        byte[] name = Encoding.ASCII.GetBytes($"keeper-test-{Environment.ProcessId}-{Guid.NewGuid():N}");
        SockAddrUn address = SockAddrUn.FromAbstract(name, out int length);
        using SafeFd receiver = Interop.Socket(SocketFamily.AF_UNIX, SocketKind.SOCK_DGRAM);
        using SafeFd sender = Interop.Socket(SocketFamily.AF_UNIX, SocketKind.SOCK_DGRAM);
        using SafeFd file = Interop.Open("/etc/hostname", OpenFlags.O_RDONLY);
        Interop.Bind(receiver, address, length);

        Interop.SendFds(sender, address, length, "z"u8, [file]);
        Interop.ReceiveFds(receiver, new byte[1], maxFds: 4, out SafeFd[] received);

        using SafeFd got = received.Single();
        int self = Environment.ProcessId;
        Assert.That(Interop.Kcmp(self, self, KcmpType.KCMP_FILE, (ulong)file.Fd, (ulong)got.Fd), Is.EqualTo(KcmpOrder.Equal));
    }

    [Test]
    public void GetSockName_AbstractBinding_ReturnsTheSameName()
    {
        byte[] name = Encoding.ASCII.GetBytes($"keeper-name-{Guid.NewGuid():N}\0with-nul");
        SockAddrUn address = SockAddrUn.FromAbstract(name, out int length);
        using SafeFd socket = Interop.Socket(SocketFamily.AF_UNIX, SocketKind.SOCK_STREAM);

        Interop.Bind(socket, address, length);
        int reported = Interop.GetSockName(socket, out SockAddrUn bound);

        Assert.Multiple(() =>
        {
            Assert.That(reported, Is.EqualTo(length));
            Assert.That(bound.IsAbstract(reported), Is.True);
            Assert.That(bound.GetName(reported), Is.EqualTo(name));
        });
    }

    [Test]
    public void ConnectToPathListener_Accepted_PeerNamesAndCredentialsMatch()
    {
        string directory = Directory.CreateTempSubdirectory("keeper-sock-").FullName;
        try
        {
            string path = Path.Combine(directory, "s");
            SockAddrUn address = SockAddrUn.FromPath(path, out int length);
            using SafeFd listener = Interop.Socket(SocketFamily.AF_UNIX, SocketKind.SOCK_STREAM);
            Interop.Bind(listener, address, length);
            Interop.Listen(listener, 4);
            using SafeFd client = Interop.Socket(SocketFamily.AF_UNIX, SocketKind.SOCK_STREAM);

            Interop.Connect(client, address, length);
            using SafeFd server = Interop.Accept(listener);

            int peerLength = Interop.GetPeerName(client, out SockAddrUn peer);
            Ucred credentials = Interop.GetSockOpt<Ucred>(server, SocketLevel.SOL_SOCKET, (int)SocketOption.SO_PEERCRED);
            Assert.Multiple(() =>
            {
                Assert.That(Encoding.UTF8.GetString(peer.GetName(peerLength)), Is.EqualTo(path));
                Assert.That(SockAddrUn.IsUnnamed(Interop.GetPeerName(server, out SockAddrUn _)), Is.True);
                Assert.That(credentials.Pid, Is.EqualTo(Environment.ProcessId));
                Assert.That(Interop.GetSockOpt(listener, SocketOption.SO_ACCEPTCONN), Is.EqualTo(1));
            });
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Test]
    public void ReceivePeek_WithPeekOffset_ReadsQueuedDataInPiecesWithoutConsumingIt()
    {
        (SafeFd left, SafeFd right) = Interop.Socketpair(SocketKind.SOCK_STREAM);
        using (left)
        using (right)
        {
            Interop.Send(left, "abcdef"u8);
            Interop.SetSockOpt(right, SocketOption.SO_PEEK_OFF, 0);
            var first = new byte[3];
            var second = new byte[3];

            Interop.Receive(right, first, MsgFlags.MSG_PEEK);
            Interop.Receive(right, second, MsgFlags.MSG_PEEK);

            Assert.Multiple(() =>
            {
                Assert.That(Encoding.ASCII.GetString(first) + Encoding.ASCII.GetString(second), Is.EqualTo("abcdef"));
                Assert.That(Interop.IoctlGet<int>(right, IoctlRequest.SIOCINQ), Is.EqualTo(6));
            });
        }
    }

    [Test]
    public void Shutdown_WriteSide_PeerReadsEndOfFile()
    {
        (SafeFd left, SafeFd right) = Interop.Socketpair(SocketKind.SOCK_STREAM);
        using (left)
        using (right)
        {
            Interop.Shutdown(left, ShutdownHow.SHUT_WR);

            Assert.That(Interop.Receive(right, new byte[1]), Is.Zero);
        }
    }

    [Test]
    public void Bind_TcpLoopbackPortZero_GetSockNameReportsAssignedPort()
    {
        using SafeFd socket = Interop.Socket(SocketFamily.AF_INET, SocketKind.SOCK_STREAM);
        SockAddrIn loopback = SockAddrIn.Create([127, 0, 0, 1], 0);

        Interop.Bind(socket, loopback, 16);
        Interop.GetSockName(socket, out SockAddrIn bound);

        Assert.Multiple(() =>
        {
            Assert.That(bound.Port, Is.Not.Zero);
            Assert.That(bound.AddressBigEndian, Is.EqualTo(loopback.AddressBigEndian));
            Assert.That(Interop.GetSockOpt(socket, TcpOption.TCP_NODELAY), Is.Zero);
        });
    }
}
