using SessionKeeper.Engine.Kinds.UnixSockets;
using SessionKeeper.Native;
using V1 = SessionKeeper.Images.V1;

namespace SessionKeeper.Engine.Kinds.Tcp;

/// <summary>How established connections come back.</summary>
public enum TcpRestoreMode
{
    /// <summary>Rebuilt in repair mode: the application and the peer go on as if nothing happened.</summary>
    Repair,

    /// <summary>
    /// Given back as a connection that was reset (<c>--tcp-close</c>): the application's next
    /// read or write fails with ECONNRESET, and the peer, once the lock is gone, gets a reset
    /// for its next segment, since no socket answers for the connection any more.
    /// </summary>
    Close,
}

/// <summary>
/// Makes the TCP and UDP sockets of a tree being restored, in keeper and in the network
/// namespace of the task that receives them, for delivery into the task. Listeners are all
/// bound first, before any connection, so that a connection accepted from a listener can share
/// its port (repair mode allows it) without taking the port from it.
/// </summary>
public sealed class InetSocketRestore : IDisposable
{
    private const int Ipv6V6Only = 26; // IPV6_V6ONLY (linux/in6.h)

    private readonly List<V1.FileEntry> _files;
    private readonly TcpRestoreMode _mode;
    private readonly Action<string>? _warn;
    private readonly string? _staleReason;
    private readonly bool _ownNetworkNamespace;
    private Dictionary<ulong, SafeFd>? _listeners;
    private NetworkLock? _lock;

    /// <summary>Indexes the inet sockets among <paramref name="files"/>.</summary>
    /// <param name="files">Every file of the images.</param>
    /// <param name="mode">How established connections come back.</param>
    /// <param name="staleReason">
    /// Why the connections may not come back transparently (the tree ran on after its dump, or
    /// the lock of the dump is gone), or null when they can; said once per connection.
    /// </param>
    /// <param name="warn">Where such warnings go.</param>
    /// <param name="ownNetworkNamespace">The tree gets a new network namespace: both ends of its connections are in it.</param>
    public InetSocketRestore(IEnumerable<V1.FileEntry> files, TcpRestoreMode mode, string? staleReason, Action<string>? warn, bool ownNetworkNamespace)
    {
        _ownNetworkNamespace = ownNetworkNamespace;
        _files = files.Where(f => f.KindCase == V1.FileEntry.KindOneofCase.InetSocket).ToList();
        _mode = mode;
        _staleReason = staleReason;
        _warn = warn;
    }

    /// <summary>The socket of <paramref name="file"/>, made in the network namespace of <paramref name="pid"/>; the caller owns it.</summary>
    public SafeFd Create(int pid, V1.FileEntry file)
    {
        V1.InetSocket saved = file.InetSocket;
        _listeners ??= CreateListeners(pid);
        LockNewNamespace(pid);
        SafeFd result;
        if (_listeners.Remove(saved.Inode, out SafeFd? listener))
        {
            result = listener;
        }
        else if (saved.State == V1.InetSocketState.Established)
        {
            result = CreateConnection(pid, saved);
        }
        else
        {
            result = NewSocket(pid, saved);
            try
            {
                ApplyOptions(result, saved);
                if (saved.LocalPort != 0)
                {
                    BindNamingOwner(pid, result, saved);
                }
                if (saved.State == V1.InetSocketState.ConnectedDgram)
                {
                    InetEndpoint.SavedRemote(saved).Connect(result);
                }
            }
            catch
            {
                result.Dispose();
                throw;
            }
        }
        // Status flags (O_NONBLOCK) belong to the description: set on keeper's, which the task gets.
        const OpenFlags changeable = OpenFlags.O_NONBLOCK | OpenFlags.O_ASYNC;
        Interop.SetStatusFlags(result, (Interop.GetStatusFlags(result) & ~changeable) | ((OpenFlags)file.Flags & changeable));
        return result;
    }

    /// <summary>
    /// In a new network namespace the two ends of a connection come back one after the other:
    /// until the second exists, a segment from the first (the window probe that ends repair
    /// mode) would be answered with a reset. A lock there keeps them apart until the restore
    /// is over; in keeper's namespace the dump's own lock does that.
    /// </summary>
    private void LockNewNamespace(int pid)
    {
        if (!_ownNetworkNamespace || _lock is not null || _mode != TcpRestoreMode.Repair)
        {
            return;
        }
        List<LockedConnection> connections = _files.Select(f => f.InetSocket).Where(s => s.State == V1.InetSocketState.Established)
            .Select(s => new LockedConnection(InetEndpoint.SavedLocal(s), InetEndpoint.SavedRemote(s))).ToList();
        if (connections.Count > 0)
        {
            _lock = NetworkLock.Lock(connections, pid);
        }
    }

    private Dictionary<ulong, SafeFd> CreateListeners(int pid)
    {
        var listeners = new Dictionary<ulong, SafeFd>();
        try
        {
            foreach (V1.InetSocket saved in _files.Select(f => f.InetSocket).Where(s => s.State == V1.InetSocketState.Listen))
            {
                SafeFd socket = NewSocket(pid, saved);
                listeners[saved.Inode] = socket;
                ApplyOptions(socket, saved);
                BindNamingOwner(pid, socket, saved);
                Interop.Listen(socket, (int)Math.Max(1, saved.Backlog));
            }
        }
        catch
        {
            foreach (SafeFd socket in listeners.Values)
            {
                socket.Dispose();
            }
            throw;
        }
        return listeners;
    }

    private SafeFd CreateConnection(int pid, V1.InetSocket saved)
    {
        InetEndpoint local = InetEndpoint.SavedLocal(saved);
        InetEndpoint remote = InetEndpoint.SavedRemote(saved);
        if (_mode == TcpRestoreMode.Close)
        {
            return ResetSocket(pid, saved);
        }
        // The connection of a snapshot whose tree ran on may still be open: it cannot be there twice.
        List<InetDiagEntry> same = InetDiag.Query(pid, InetEndpoint.FamilyOf(saved), InetDiag.Tcp)
            .Where(e => e.State != InetDiagEntry.Listen && e.Local.ToString() == local.ToString() && e.Remote.ToString() == remote.ToString())
            .ToList();
        // Held by a process: the connection lives on. Held by none: the kernel is closing it.
        InetDiagEntry? live = same.FirstOrDefault(e => e.Inode != 0);
        if (live is not null)
        {
            throw new InvalidOperationException(
                $"the connection {Describe(saved)} is still open ({TcpRepair.StateName(live.State)}, held by {InetDiag.DescribeHolder(live.Inode)}): " +
                "this snapshot is older than the live connection and cannot replace it; end the running tree first, " +
                "or restore with --tcp-close to get the connection back as reset");
        }
        if (_staleReason is not null)
        {
            _warn?.Invoke($"the connection {Describe(saved)} is restored although {_staleReason}: it continues only if nothing " +
                "was exchanged on it since the save; otherwise the peer resets it (use --tcp-close to drop it cleanly instead)");
        }
        SafeFd socket = NewSocket(pid, saved);
        try
        {
            TcpRepair.Rebuild(socket, saved);
            ApplyOptions(socket, saved);
            return socket;
        }
        catch (ErrnoException e) when (same.Count > 0 && e.Errno is Errno.EADDRINUSE or Errno.EADDRNOTAVAIL)
        {
            socket.Dispose();
            throw new InvalidOperationException(
                $"the connection {Describe(saved)} cannot be rebuilt while the kernel still closes the old one ({TcpRepair.StateName(same[0].State)}); " +
                "restore once it is gone, or with --tcp-close", e);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A socket whose connection was reset: a loopback connection made in the task's network
    /// namespace whose other end is closed with SO_LINGER 0 (an RST), so the socket holds
    /// ECONNRESET for the application's next call. Nothing is sent to the saved peer.
    /// </summary>
    private static SafeFd ResetSocket(int pid, V1.InetSocket saved)
    {
        SocketFamily family = InetEndpoint.FamilyOf(saved);
        byte[] loopback = family == SocketFamily.AF_INET ? [127, 0, 0, 1] : [.. new byte[15], 1];
        using SafeFd listener = NetworkNamespace.Create(pid, () => Interop.Socket(family, SocketKind.SOCK_STREAM | SocketKind.SOCK_CLOEXEC));
        new InetEndpoint(family, loopback, 0).Bind(listener);
        Interop.Listen(listener, 1);
        SafeFd client = NetworkNamespace.Create(pid, () => Interop.Socket(family, SocketKind.SOCK_STREAM | SocketKind.SOCK_CLOEXEC));
        try
        {
            InetEndpoint.Local(listener).Connect(client);
            using (SafeFd accepted = Interop.Accept(listener))
            {
                Span<int> linger = [1, 0];
                Interop.SetSockOpt(accepted, SocketLevel.SOL_SOCKET, (int)SocketOption.SO_LINGER, System.Runtime.InteropServices.MemoryMarshal.AsBytes(linger));
            }
            // The reset crosses loopback in softirq context: wait until the client has taken it.
            for (int i = 0; i < 1000 && TcpRepair.State(client) != TcpRepair.StateClose; i++)
            {
                Thread.Sleep(1);
            }
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    private static SafeFd NewSocket(int pid, V1.InetSocket saved)
    {
        SocketKind kind = (SocketKind)(int)saved.Type | SocketKind.SOCK_CLOEXEC;
        SafeFd socket = NetworkNamespace.Create(pid, () => Interop.Socket(InetEndpoint.FamilyOf(saved), kind, (int)saved.Protocol));
        if (saved.Family == V1.AddressFamily.Ipv6)
        {
            Interop.SetSockOpt(socket, SocketLevel.SOL_IPV6, Ipv6V6Only, saved.V6Only ? 1 : 0);
        }
        return socket;
    }

    /// <summary>Binds the saved address; a taken port fails with a message naming the port and who holds it.</summary>
    private static void BindNamingOwner(int pid, SafeFd socket, V1.InetSocket saved)
    {
        InetEndpoint local = InetEndpoint.SavedLocal(saved);
        try
        {
            local.Bind(socket);
        }
        catch (ErrnoException e) when (e.Errno == Errno.EADDRINUSE)
        {
            int protocol = (int)saved.Protocol;
            InetDiagEntry? owner = Enum.GetValues<SocketFamily>().Where(f => f is SocketFamily.AF_INET or SocketFamily.AF_INET6)
                .SelectMany(f => InetDiag.Query(pid, f, protocol))
                .FirstOrDefault(d => d.Local.Port == local.Port && d.Inode != 0);
            string holder = owner is null ? "a socket not found by sock_diag" : $"{owner.Local} ({TcpRepair.StateName(owner.State)}) of {InetDiag.DescribeHolder(owner.Inode)}";
            throw new InvalidOperationException($"{Describe(saved)}: port {local.Port} is taken by {holder}", e);
        }
    }

    private static void ApplyBuffers(SafeFd socket, V1.InetSocket saved)
    {
        if (saved.Options is not { } options)
        {
            return;
        }
        // getsockopt reports twice what was set; the FORCE variants pass the net.core.*mem_max
        // cap that the saved value may exceed. Values a new socket already has are left alone,
        // so the kernel keeps tuning them.
        if (options.SendBuffer != 0 && Interop.GetSockOpt(socket, SocketOption.SO_SNDBUF) != (int)options.SendBuffer)
        {
            Interop.SetSockOpt(socket, SocketOption.SO_SNDBUFFORCE, (int)(options.SendBuffer / 2));
        }
        if (options.ReceiveBuffer != 0 && Interop.GetSockOpt(socket, SocketOption.SO_RCVBUF) != (int)options.ReceiveBuffer)
        {
            Interop.SetSockOpt(socket, SocketOption.SO_RCVBUFFORCE, (int)(options.ReceiveBuffer / 2));
        }
    }

    /// <summary>
    /// The options applications set. SO_REUSEADDR comes after repair mode, whose end resets it.
    /// </summary>
    private static void ApplyOptions(SafeFd socket, V1.InetSocket saved)
    {
        ApplyBuffers(socket, saved);
        V1.SocketOptions options = saved.Options ?? new V1.SocketOptions();
        Interop.SetSockOpt(socket, SocketOption.SO_REUSEADDR, options.ReuseAddress ? 1 : 0);
        if (options.ReusePort)
        {
            Interop.SetSockOpt(socket, SocketOption.SO_REUSEPORT, 1);
        }
        if (options.Keepalive)
        {
            Interop.SetSockOpt(socket, SocketOption.SO_KEEPALIVE, 1);
        }
        if (saved.Protocol == InetDiag.Udp)
        {
            if (saved.Broadcast)
            {
                Interop.SetSockOpt(socket, SocketOption.SO_BROADCAST, 1);
            }
            return;
        }
        if (saved.TcpNodelay)
        {
            Interop.SetSockOpt(socket, TcpOption.TCP_NODELAY, 1);
        }
        if (saved.TcpCork)
        {
            Interop.SetSockOpt(socket, TcpOption.TCP_CORK, 1);
        }
        if (saved.HasKeepaliveIdle)
        {
            Interop.SetSockOpt(socket, TcpOption.TCP_KEEPIDLE, (int)saved.KeepaliveIdle);
        }
        if (saved.HasKeepaliveInterval)
        {
            Interop.SetSockOpt(socket, TcpOption.TCP_KEEPINTVL, (int)saved.KeepaliveInterval);
        }
        if (saved.HasKeepaliveCount)
        {
            Interop.SetSockOpt(socket, TcpOption.TCP_KEEPCNT, (int)saved.KeepaliveCount);
        }
    }

    private static string Describe(V1.InetSocket saved) => InetSocketDump.Describe(saved);

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (SafeFd socket in _listeners?.Values ?? Enumerable.Empty<SafeFd>())
        {
            socket.Dispose();
        }
        _listeners = null;
        _lock?.Release();
        _lock = null;
    }
}
