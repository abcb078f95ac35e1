using System.Collections.Concurrent;
using SessionKeeper.Native;
using Tmds.DBus.Protocol;

namespace SessionKeeper.Autosave.Tests.Fixtures;

/// <summary>One lock handed out by <see cref="FakeLogind"/>: its arguments and our end of its pipe.</summary>
internal sealed class Inhibitor(string what, string who, string why, string mode, SafeFd readEnd) : IDisposable
{
    public string What { get; } = what;
    public string Who { get; } = who;
    public string Why { get; } = why;
    public string Mode { get; } = mode;

    /// <summary>The pipe, as /proc/PID/fd shows it (pipe:[inode]).</summary>
    public string Pipe { get; } = File.ResolveLinkTarget($"/proc/self/fd/{readEnd.Fd}", returnFinalTarget: false)!.ToString();

    /// <summary>
    /// Whether every copy of the descriptor handed out was closed: a read on our (non-blocking)
    /// end sees end-of-file then, and EAGAIN while a writer end is still open somewhere.
    /// </summary>
    public bool IsReleased
    {
        get
        {
            Span<byte> buffer = stackalloc byte[1];
            try
            {
                return Interop.Read(readEnd, buffer) == 0;
            }
            catch (ErrnoException e) when (e.Errno == Errno.EAGAIN)
            {
                return false;
            }
        }
    }

    public void Dispose() => readEnd.Dispose();
}

/// <summary>
/// The part of systemd-logind that keeper watch talks to, on a test bus: owns
/// org.freedesktop.login1, answers Manager.Inhibit(ssss) with the write end of a pipe whose read
/// end it keeps (so a test sees when keeper closes the lock), and emits PrepareForShutdown and
/// PrepareForSleep.
/// </summary>
internal sealed class FakeLogind : IPathMethodHandler, IDisposable
{
    private const string Manager = "org.freedesktop.login1.Manager";

    private readonly DBusConnection _connection;
    private readonly BlockingCollection<Inhibitor> _inhibitors = [];
    private readonly List<Inhibitor> _all = [];

    private FakeLogind(DBusConnection connection) => _connection = connection;

    /// <summary>When set, Inhibit is answered with this D-Bus error name.</summary>
    public string? RefuseWith { get; set; }

    public string Path => "/org/freedesktop/login1";

    public bool HandlesChildPaths => false;

    /// <summary>Connects to <paramref name="address"/> and takes logind's name there.</summary>
    public static FakeLogind Start(string address)
    {
        var connection = new DBusConnection(address);
        connection.ConnectAsync().AsTask().GetAwaiter().GetResult();
        var fake = new FakeLogind(connection);
        connection.AddMethodHandler(fake);
        connection.RequestNameAsync("org.freedesktop.login1", RequestNameOptions.None).GetAwaiter().GetResult();
        return fake;
    }

    /// <summary>The next lock asked for, waiting for it up to 30 s.</summary>
    public Inhibitor NextInhibitor()
    {
        if (!_inhibitors.TryTake(out Inhibitor? inhibitor, TimeSpan.FromSeconds(30)))
        {
            Assert.Fail("keeper asked logind for no inhibitor lock within 30 s");
        }
        return inhibitor!;
    }

    /// <summary>Whether a lock was asked for that <see cref="NextInhibitor"/> has not returned yet.</summary>
    public bool HasPendingInhibitor => _inhibitors.Count > 0;

    /// <summary>Emits Manager.<paramref name="signal"/>(<paramref name="value"/>).</summary>
    public void Emit(string signal, bool value)
    {
        using MessageWriter writer = _connection.GetMessageWriter();
        writer.WriteSignalHeader(null, Path, Manager, signal, "b");
        writer.WriteBool(value);
        Assert.That(_connection.TrySendMessage(writer.CreateMessage()), Is.True, $"the fake logind could not send {signal}({value})");
    }

    public ValueTask HandleMethodAsync(MethodContext context)
    {
        Message request = context.Request;
        if (request.InterfaceAsString != Manager || request.MemberAsString != "Inhibit" || request.SignatureAsString != "ssss")
        {
            context.ReplyUnknownMethodError();
            return default;
        }
        Reader body = request.GetBodyReader();
        string what = body.ReadString();
        string who = body.ReadString();
        string why = body.ReadString();
        string mode = body.ReadString();
        if (RefuseWith is not null)
        {
            context.ReplyError(RefuseWith, $"the test's logind refuses {mode} locks on {what}");
            return default;
        }
        (SafeFd read, SafeFd write) = Interop.Pipe2();
        Interop.SetStatusFlags(read, OpenFlags.O_NONBLOCK);
        var inhibitor = new Inhibitor(what, who, why, mode, read);
        lock (_all)
        {
            _all.Add(inhibitor);
        }
        using (MessageWriter writer = context.CreateReplyWriter("h"))
        {
            // The reply owns the write end from here on and closes it once sent: keeper then
            // holds the only copy.
            writer.WriteHandle(write);
            context.Reply(writer.CreateMessage());
        }
        _inhibitors.Add(inhibitor);
        return default;
    }

    public void Dispose()
    {
        _connection.Dispose();
        lock (_all)
        {
            _all.ForEach(i => i.Dispose());
        }
        _inhibitors.Dispose();
    }
}
