using Google.Protobuf;
using SessionKeeper.Engine.Dump;
using SessionKeeper.Native;
using V1 = SessionKeeper.Images.V1;

namespace SessionKeeper.Engine.Kinds.Tcp;

/// <summary>
/// Reads every TCP and UDP socket of a frozen tree: listeners with their backlog, UDP sockets
/// bound or connected, and established connections, which are locked (<see cref="NetworkLock"/>)
/// and read in repair mode (<see cref="TcpRepair"/>). Connections in other states (being
/// opened or closed) and sockets of other protocols are refused before anything is written.
/// </summary>
/// <remarks>
/// The connections stay in repair mode, and locked, until the dump is over: <see cref="Resume"/>
/// gives them back to a tree that runs on (a failed dump, or leave-running mode);
/// <see cref="Finish"/>, once the tree was ended, closes keeper's duplicates in repair mode (the
/// peer sees nothing) and leaves the lock in place, held by the images, until they are restored.
/// </remarks>
public sealed class InetSocketDump : IDisposable
{
    private const int Ipv6V6Only = 26; // IPV6_V6ONLY (linux/in6.h)

    private readonly Dictionary<ulong, V1.InetSocket> _sockets = [];
    private readonly List<SafeFd> _repaired = [];
    private NetworkLock? _lock;

    private InetSocketDump()
    {
    }

    /// <summary>An inspection with no sockets.</summary>
    public static InetSocketDump Empty => new();

    /// <summary>How many established connections were read in repair mode.</summary>
    public int Connections => _repaired.Count;

    /// <summary>The saved state of the socket <paramref name="fd"/> refers to.</summary>
    public V1.InetSocket Describe(ClassifiedFd fd) => _sockets[fd.Stat.Ino];

    /// <summary>Inspects every TCP/UDP socket of the tree; the tree must be frozen.</summary>
    /// <exception cref="UnsupportedObjectException">A socket cannot be saved.</exception>
    public static InetSocketDump Inspect(IReadOnlyList<(int Pid, List<ClassifiedFd> Fds)> tables, Action<string>? progress)
    {
        var result = new InetSocketDump();
        var established = new List<(ClassifiedFd Fd, SafeFd Copy, V1.InetSocket Socket)>();
        var listeners = new Dictionary<SocketFamily, Dictionary<uint, InetDiagEntry>>();
        int? namespacePid = null;
        try
        {
            foreach ((int pid, List<ClassifiedFd> fds) in tables)
            {
                foreach (ClassifiedFd fd in fds.Where(f => f.Kind == FdKind.InetSocket && !result._sockets.ContainsKey(f.Stat.Ino)))
                {
                    using SafeFd pidfd = Interop.PidfdOpen(pid);
                    SafeFd copy = Interop.PidfdGetfd(pidfd, fd.Fd);
                    V1.InetSocket socket = ReadCommon(fd, copy);
                    result._sockets[fd.Stat.Ino] = socket;
                    if (socket.State == V1.InetSocketState.Established)
                    {
                        established.Add((fd, copy, socket));
                        namespacePid ??= OtherNamespace(pid) ? pid : null;
                        continue;
                    }
                    using (copy)
                    {
                        if (socket.State == V1.InetSocketState.Listen)
                        {
                            SocketFamily family = InetEndpoint.FamilyOf(socket);
                            if (!listeners.TryGetValue(family, out Dictionary<uint, InetDiagEntry>? diag))
                            {
                                diag = InetDiag.Query(pid, family, InetDiag.Tcp).Where(e => e.State == InetDiagEntry.Listen).ToDictionary(e => e.Inode);
                                listeners[family] = diag;
                            }
                            if (diag.TryGetValue((uint)fd.Stat.Ino, out InetDiagEntry? entry))
                            {
                                socket.Backlog = entry.SendQueue;
                                if (entry.ReceiveQueue > 0)
                                {
                                    throw new UnsupportedObjectException(fd.Pid, fd.Fd, "listening TCP socket",
                                        $"{Describe(socket)} has {entry.ReceiveQueue} connection(s) waiting in its accept queue; connections not yet accepted are not saved");
                                }
                            }
                        }
                    }
                }
            }
            if (established.Count > 0)
            {
                result._lock = NetworkLock.Lock(established.Select(e => new LockedConnection(InetEndpoint.SavedLocal(e.Socket), InetEndpoint.SavedRemote(e.Socket))).ToList(), namespacePid);
                progress?.Invoke($"locked {established.Count} TCP connection(s) with nftables table {result._lock.Table}");
                foreach ((ClassifiedFd fd, SafeFd copy, V1.InetSocket socket) in established)
                {
                    result._repaired.Add(copy);
                    socket.Tcp = TcpRepair.Read(copy);
                }
                established.Clear();
            }
            return result;
        }
        catch
        {
            foreach ((_, SafeFd copy, _) in established.Where(e => !result._repaired.Contains(e.Copy)))
            {
                copy.Dispose();
            }
            result.Resume();
            throw;
        }
    }

    /// <summary>Family, type, addresses, state and the options applications set.</summary>
    private static V1.InetSocket ReadCommon(ClassifiedFd fd, SafeFd copy)
    {
        int type = Interop.GetSockOpt(copy, SocketOption.SO_TYPE);
        int protocol = Interop.GetSockOpt(copy, SocketOption.SO_PROTOCOL);
        var family = (SocketFamily)Interop.GetSockOpt(copy, SocketOption.SO_DOMAIN);
        bool tcp = type == (int)SocketKind.SOCK_STREAM && protocol == InetDiag.Tcp;
        bool udp = type == (int)SocketKind.SOCK_DGRAM && protocol == InetDiag.Udp;
        if (!tcp && !udp)
        {
            copy.Dispose();
            throw new UnsupportedObjectException(fd.Pid, fd.Fd, $"{(family == SocketFamily.AF_INET6 ? "IPv6" : "IPv4")} socket of type {type}, protocol {protocol}", fd.Path);
        }
        InetEndpoint local = InetEndpoint.Local(copy);
        InetEndpoint? remote = InetEndpoint.Remote(copy);
        var socket = new V1.InetSocket
        {
            Inode = fd.Stat.Ino,
            Family = family == SocketFamily.AF_INET6 ? V1.AddressFamily.Ipv6 : V1.AddressFamily.Ipv4,
            Type = (V1.SocketType)type,
            Protocol = (uint)protocol,
            LocalAddress = ByteString.CopyFrom(local.Address),
            LocalPort = local.Port,
            Options = new V1.SocketOptions
            {
                SendBuffer = (uint)Interop.GetSockOpt(copy, SocketOption.SO_SNDBUF),
                ReceiveBuffer = (uint)Interop.GetSockOpt(copy, SocketOption.SO_RCVBUF),
                ReuseAddress = Interop.GetSockOpt(copy, SocketOption.SO_REUSEADDR) != 0,
                ReusePort = Interop.GetSockOpt(copy, SocketOption.SO_REUSEPORT) != 0,
                Keepalive = Interop.GetSockOpt(copy, SocketOption.SO_KEEPALIVE) != 0,
            },
        };
        if (remote is not null)
        {
            socket.RemoteAddress = ByteString.CopyFrom(remote.Address);
            socket.RemotePort = remote.Port;
        }
        if (family == SocketFamily.AF_INET6)
        {
            socket.V6Only = Interop.GetSockOpt<int>(copy, SocketLevel.SOL_IPV6, Ipv6V6Only) != 0;
        }
        if (udp)
        {
            socket.State = remote is null ? V1.InetSocketState.Closed : V1.InetSocketState.ConnectedDgram;
            socket.Broadcast = Interop.GetSockOpt(copy, SocketOption.SO_BROADCAST) != 0;
            return socket;
        }
        socket.TcpNodelay = Interop.GetSockOpt(copy, TcpOption.TCP_NODELAY) != 0;
        socket.TcpCork = Interop.GetSockOpt(copy, TcpOption.TCP_CORK) != 0;
        if (socket.Options.Keepalive)
        {
            socket.KeepaliveIdle = (uint)Interop.GetSockOpt(copy, TcpOption.TCP_KEEPIDLE);
            socket.KeepaliveInterval = (uint)Interop.GetSockOpt(copy, TcpOption.TCP_KEEPINTVL);
            socket.KeepaliveCount = (uint)Interop.GetSockOpt(copy, TcpOption.TCP_KEEPCNT);
        }
        int state = TcpRepair.State(copy);
        socket.State = state switch
        {
            TcpRepair.StateEstablished => V1.InetSocketState.Established,
            TcpRepair.StateListen => V1.InetSocketState.Listen,
            TcpRepair.StateClose => V1.InetSocketState.Closed,
            _ => throw new UnsupportedObjectException(fd.Pid, fd.Fd, "TCP socket",
                $"{Describe(socket)} is in state {TcpRepair.StateName(state)}; only established connections, listeners and unconnected sockets are saved"),
        };
        return socket;
    }

    private static bool OtherNamespace(int pid)
    {
        using SafeFd own = Interop.Open("/proc/self/ns/net", OpenFlags.O_RDONLY | OpenFlags.O_CLOEXEC);
        using SafeFd theirs = Interop.Open($"/proc/{pid}/ns/net", OpenFlags.O_RDONLY | OpenFlags.O_CLOEXEC);
        return Interop.Fstat(own).Ino != Interop.Fstat(theirs).Ino;
    }

    /// <summary>
    /// The tree runs on: every connection leaves repair mode without a window probe, keeper's
    /// duplicates are closed, and the lock is removed. Safe to call more than once.
    /// </summary>
    public void Resume()
    {
        foreach (SafeFd copy in _repaired)
        {
            try
            {
                TcpRepair.Leave(copy);
            }
            finally
            {
                copy.Dispose();
            }
        }
        _repaired.Clear();
        _lock?.Release();
        _lock = null;
    }

    /// <summary>
    /// The tree was ended: keeper's duplicates, the last references to the sockets, are closed
    /// in repair mode, and the lock stays until the images in <paramref name="imageDirectory"/>
    /// are restored. A tree in a network namespace of its own took its connections with it, and
    /// the lock with them: nothing is held then.
    /// </summary>
    public void Finish(string imageDirectory)
    {
        _repaired.ForEach(c => c.Dispose());
        _repaired.Clear();
        if (_lock is null)
        {
            return;
        }
        if (_lock.NamespacePid is null)
        {
            _lock.HandOver(imageDirectory);
        }
        else
        {
            _lock.Release();
        }
        _lock = null;
    }

    /// <inheritdoc/>
    public void Dispose() => Resume();

    /// <summary>A short description for messages: protocol, state and addresses.</summary>
    public static string Describe(V1.InetSocket socket)
    {
        string protocol = socket.Protocol == InetDiag.Udp ? "UDP" : "TCP";
        string local = InetEndpoint.SavedLocal(socket).ToString();
        return socket.RemotePort != 0
            ? $"{protocol} {local} -> {InetEndpoint.SavedRemote(socket)}"
            : $"{protocol} {(socket.State == V1.InetSocketState.Listen ? "listener on " : "")}{local}";
    }
}
