using System.Net;
using System.Net.Sockets;
using SessionKeeper.Engine.Tests.Dump;

namespace SessionKeeper.Engine.Tests.Tcp;

/// <summary>
/// A python3 tree holding a TCP connection to the test (the peer, outside the tree), echoing
/// what it receives; when a receive fails it writes the error's name (or "eof") to $DIR/result.
/// Extra set-up runs before it declares itself ready: "pty PATH" opens a pty slave, "file"
/// opens $DIR/data after the socket, "big" fills 256 MiB so that a dump takes a while,
/// "listen PORT" adds a listener.
/// </summary>
internal sealed class TcpHolder : IDisposable
{
    private const string Script = """
        import errno, os, socket, sys, time
        d, port, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
        s = socket.create_connection(('127.0.0.1', port))
        if mode[:1] == ['pty']:
            keep = os.open(mode[1], os.O_RDWR | os.O_NOCTTY)
        if mode[:1] == ['file']:
            keep = open(os.path.join(d, 'data'), 'w')
        if mode[:1] == ['big']:
            keep = bytearray(os.urandom(1 << 20)) * 256
        if mode[:1] == ['listen']:
            keep = socket.socket()
            keep.bind(('127.0.0.1', int(mode[1])))
            keep.listen(3)
        open(os.path.join(d, 'ready'), 'w').close()
        def result(text):
            with open(os.path.join(d, 'result.tmp'), 'w') as f:
                f.write(text)
            os.rename(os.path.join(d, 'result.tmp'), os.path.join(d, 'result'))
        while True:
            try:
                data = s.recv(4096)
            except OSError as e:
                result(errno.errorcode.get(e.errno, str(e.errno)))
                break
            if not data:
                result('eof')
                break
            s.sendall(data)
        time.sleep(1000)
        """;

    private readonly TcpListener _listener;

    private TcpHolder(TcpListener listener, DumpTarget target, Socket peer)
    {
        _listener = listener;
        Target = target;
        Peer = peer;
    }

    public DumpTarget Target { get; }

    /// <summary>The test's end of the connection.</summary>
    public Socket Peer { get; }

    public static TcpHolder Start(string extra = "")
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        string script = Path.Combine(Path.GetTempPath(), $"keeper-tcp-holder-{Environment.ProcessId}.py");
        File.WriteAllText(script, Script);
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        DumpTarget target = DumpTarget.Start("python3", $"python3 '{script}' \"$DIR\" {port} {extra}");
        Socket peer = listener.AcceptSocket();
        string ready = Path.Combine(target.Directory, "ready");
        for (int i = 0; i < 1000 && !File.Exists(ready); i++)
        {
            Thread.Sleep(10);
        }
        return File.Exists(ready) ? new TcpHolder(listener, target, peer) : throw new TimeoutException("python3 did not set up its connection");
    }

    /// <summary>Sends a message and reads the echo.</summary>
    public string RoundTrip(string message)
    {
        Peer.ReceiveTimeout = 10_000;
        Peer.Send(System.Text.Encoding.ASCII.GetBytes(message));
        byte[] buffer = new byte[message.Length];
        for (int got = 0; got < buffer.Length;)
        {
            int n = Peer.Receive(buffer, got, buffer.Length - got, SocketFlags.None);
            if (n == 0)
            {
                return "<end of stream>";
            }
            got += n;
        }
        return System.Text.Encoding.ASCII.GetString(buffer);
    }

    /// <summary>What the tree's receive ended with ("ECONNRESET", "eof"), waiting for it up to 10 s; null if it did not end.</summary>
    public string? WaitForResult()
    {
        string path = Path.Combine(Target.Directory, "result");
        for (int i = 0; i < 1000 && !File.Exists(path); i++)
        {
            Thread.Sleep(10);
        }
        return File.Exists(path) ? File.ReadAllText(path) : null;
    }

    public void Dispose()
    {
        Peer.Dispose();
        _listener.Stop();
        Target.Dispose();
    }
}
