using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using SessionKeeper.Native;

namespace SessionKeeper.CR.Tests.Harness;

/// <summary>
/// The client of <c>tests/zdtm/streaming/tcp_stream.c</c>, outside the tree: a writer thread
/// sends the words 1, 2, 3, ... and a reader thread checks the server's 16-byte records — the
/// counter (1, n) and the echo (2, w) must each go up by one, with no gap, no duplicate and no
/// reset. The reader can be paused, so that data piles up in both directions.
/// </summary>
public sealed class StreamPeer : IDisposable
{
    private const int MaxEchoLag = 4096;

    // A burst is bounded, well above what the buffers between the two ends hold.
    private const int BurstWords = 64 * 1024;

    private readonly Socket _socket;
    private readonly Thread _reader;
    private readonly Thread _writer;
    private readonly ManualResetEventSlim _readGate = new(initialState: true);
    private readonly object _gate = new();
    private volatile bool _closing;
    private volatile bool _burst;
    private long _wordsSent;
    private long _counter;
    private long _echo;
    private string? _error;

    private StreamPeer(Socket socket, string name)
    {
        _socket = socket;
        Name = name;
        _reader = new Thread(ReadLoop) { IsBackground = true, Name = $"{name} reader" };
        _writer = new Thread(WriteLoop) { IsBackground = true, Name = $"{name} writer" };
        _reader.Start();
        _writer.Start();
    }

    /// <summary>A name for messages.</summary>
    public string Name { get; }

    /// <summary>Words sent so far.</summary>
    public long WordsSent => Interlocked.Read(ref _wordsSent);

    /// <summary>The last counter value received.</summary>
    public long Counter => Interlocked.Read(ref _counter);

    /// <summary>The last echoed word received.</summary>
    public long Echo => Interlocked.Read(ref _echo);

    /// <summary>The first thing that went wrong (a gap, a duplicate, a reset), or null.</summary>
    public string? Error
    {
        get
        {
            lock (_gate)
            {
                return _error;
            }
        }
    }

    /// <summary>
    /// Connects to <paramref name="server"/>; with <paramref name="networkNamespace"/> (a file
    /// such as /run/netns/NAME) the socket is made in that network namespace.
    /// </summary>
    public static StreamPeer Connect(IPEndPoint server, string name, string? networkNamespace = null)
    {
        Socket socket = networkNamespace is null ? NewSocket(server) : InNamespace(networkNamespace, () => NewSocket(server));
        socket.Connect(server);
        socket.NoDelay = true;
        return new StreamPeer(socket, name);
    }

    private static Socket NewSocket(IPEndPoint server) => new(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp);

    /// <summary>Runs <paramref name="create"/> on this thread inside another network namespace; a socket keeps the namespace it was made in.</summary>
    private static T InNamespace<T>(string file, Func<T> create)
    {
        using SafeFd own = Interop.Open("/proc/thread-self/ns/net", OpenFlags.O_RDONLY | OpenFlags.O_CLOEXEC);
        using SafeFd target = Interop.Open(file, OpenFlags.O_RDONLY | OpenFlags.O_CLOEXEC);
        Interop.Setns(target, CloneFlags.CLONE_NEWNET);
        try
        {
            return create();
        }
        finally
        {
            Interop.Setns(own, CloneFlags.CLONE_NEWNET);
        }
    }

    /// <summary>Stops reading and sends a burst of words as fast as the connection takes them: both directions fill up.</summary>
    public void StartBurst()
    {
        _readGate.Reset();
        _burst = true;
    }

    /// <summary>Reads again and goes back to the paced writing.</summary>
    public void EndBurst()
    {
        _burst = false;
        _readGate.Set();
    }

    /// <summary>Waits until <paramref name="done"/> holds; fails with the peer's state after <paramref name="seconds"/>.</summary>
    public void WaitFor(Func<StreamPeer, bool> done, string what, int seconds = 60)
    {
        DateTime deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!done(this))
        {
            if (Error is { } error)
            {
                Assert.Fail($"{Name} while waiting for {what}: {error}");
            }
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"{Name}: no {what} within {seconds} s ({this})");
            }
            Thread.Sleep(10);
        }
    }

    /// <summary>Waits until the writer made no progress for a while: every buffer on the way is full.</summary>
    public void WaitUntilWriterStalls()
    {
        long last = -1;
        int still = 0;
        WaitFor(peer =>
        {
            long now = peer.WordsSent;
            still = now == last ? still + 1 : 0;
            last = now;
            return still >= 20;
        }, "a stalled writer");
    }

    private void Fail(string message)
    {
        lock (_gate)
        {
            _error ??= message;
        }
    }

    private void ReadLoop()
    {
        byte[] buffer = new byte[64 * 1024];
        byte[] record = new byte[16];
        int have = 0;
        try
        {
            while (!_closing)
            {
                _readGate.Wait();
                int n = _socket.Receive(buffer);
                if (n == 0)
                {
                    if (!_closing)
                    {
                        Fail($"end of stream after counter {Counter}");
                    }
                    return;
                }
                for (int i = 0; i < n; i++)
                {
                    record[have++] = buffer[i];
                    if (have < 16)
                    {
                        continue;
                    }
                    have = 0;
                    long tag = BinaryPrimitives.ReadInt64LittleEndian(record);
                    long value = BinaryPrimitives.ReadInt64LittleEndian(record.AsSpan(8));
                    ref long last = ref tag == 1 ? ref _counter : ref _echo;
                    if ((tag != 1 && tag != 2) || value != last + 1)
                    {
                        Fail($"record ({tag}, {value}) after {(tag == 1 ? "counter" : "echo")} {last}");
                        return;
                    }
                    Interlocked.Exchange(ref last, value);
                }
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            if (!_closing)
            {
                Fail($"receive after counter {Counter}: {e.Message}");
            }
        }
    }

    private void WriteLoop()
    {
        byte[] word = new byte[8];
        try
        {
            while (!_closing)
            {
                if ((!_burst && WordsSent - Echo >= MaxEchoLag) || (_burst && WordsSent - Echo >= BurstWords))
                {
                    Thread.Sleep(1);
                    continue;
                }
                BinaryPrimitives.WriteInt64LittleEndian(word, WordsSent + 1);
                for (int sent = 0; sent < 8;)
                {
                    sent += _socket.Send(word, sent, 8 - sent, SocketFlags.None);
                }
                Interlocked.Increment(ref _wordsSent);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            if (!_closing)
            {
                Fail($"send of word {WordsSent + 1}: {e.Message}");
            }
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"sent {WordsSent} words, counter {Counter}, echo {Echo}{(Error is null ? "" : $", error: {Error}")}";

    /// <inheritdoc/>
    public void Dispose()
    {
        _closing = true;
        _readGate.Set();
        _socket.Dispose();
        _reader.Join(TimeSpan.FromSeconds(5));
        _writer.Join(TimeSpan.FromSeconds(5));
        _readGate.Dispose();
    }
}
