using System.Text;
using Google.Protobuf;
using SessionKeeper.Engine.Dump;
using SessionKeeper.Native;
using V1 = SessionKeeper.Images.V1;

namespace SessionKeeper.Engine.Kinds.UnixSockets;

/// <summary>
/// Reads every unix socket of a frozen tree (DESIGN.md §6): type, state, bound name, peer,
/// options, shutdown state and the data queued for reading, and refuses what restore could not
/// rebuild — a peer outside the tree, connections still waiting in a listener's accept queue,
/// descriptors in flight (SCM_RIGHTS) — before anything is written.
/// </summary>
public sealed class UnixSocketDump
{
    /// <summary>The largest datagram read from a queue; anything bigger is refused.</summary>
    private const int MaxDatagram = 1 << 20;

    private readonly Dictionary<ulong, V1.UnixSocket> _sockets = [];

    private UnixSocketDump()
    {
    }

    /// <summary>An inspection with no sockets (for trees without unix sockets).</summary>
    public static UnixSocketDump Empty { get; } = new();

    /// <summary>The saved state of the socket <paramref name="fd"/> refers to.</summary>
    public V1.UnixSocket Describe(ClassifiedFd fd) => _sockets[fd.Stat.Ino];

    /// <summary>Inspects every unix socket fd of the tree; the tree must be frozen.</summary>
    /// <exception cref="UnsupportedObjectException">A socket cannot be restored.</exception>
    public static UnixSocketDump Inspect(IReadOnlyList<(int Pid, List<ClassifiedFd> Fds)> tables)
    {
        var result = new UnixSocketDump();
        var inTree = new HashSet<ulong>();
        foreach ((_, List<ClassifiedFd> fds) in tables)
        {
            inTree.UnionWith(fds.Where(f => f.Kind == FdKind.UnixSocket).Select(f => f.Stat.Ino));
        }
        if (inTree.Count == 0)
        {
            return result;
        }
        // sock_diag answers for one network namespace: ask once per namespace of the tree.
        var byNamespace = new Dictionary<ulong, Dictionary<uint, UnixDiagEntry>>();
        byte[] buffer = new byte[MaxDatagram + 1];
        foreach ((int pid, List<ClassifiedFd> fds) in tables)
        {
            foreach (ClassifiedFd fd in fds.Where(f => f.Kind == FdKind.UnixSocket && !result._sockets.ContainsKey(f.Stat.Ino)))
            {
                ulong netns = NamespaceInode(pid);
                if (!byNamespace.TryGetValue(netns, out Dictionary<uint, UnixDiagEntry>? diag))
                {
                    diag = UnixDiag.Query(pid);
                    byNamespace[netns] = diag;
                }
                result._sockets[fd.Stat.Ino] = Read(fd, diag, inTree, buffer);
            }
        }
        return result;
    }

    private static V1.UnixSocket Read(ClassifiedFd fd, Dictionary<uint, UnixDiagEntry> diag, HashSet<ulong> inTree, byte[] buffer)
    {
        if (!diag.TryGetValue((uint)fd.Stat.Ino, out UnixDiagEntry? entry))
        {
            throw new UnsupportedObjectException(fd.Pid, fd.Fd, "unix socket", $"socket:[{fd.Stat.Ino}] is not listed by sock_diag in the process's network namespace");
        }
        var socket = new V1.UnixSocket { Inode = entry.Inode, Type = (V1.SocketType)entry.Type, Shutdown = entry.Shutdown };
        SetName(socket, entry.Name, fd.Pid);
        if (socket.NameCase == V1.UnixSocket.NameOneofCase.Path && !socket.Path.StartsWith('/'))
        {
            // bind() took it relative to the binder's working directory then, which is not recorded.
            throw new UnsupportedObjectException(fd.Pid, fd.Fd, "unix socket", $"{Describe(socket)} is bound to a relative path");
        }
        if (entry.State == UnixDiagEntry.Listen)
        {
            socket.State = V1.UnixSocketState.Listening;
            socket.Backlog = entry.SendQueue;
            if (entry.Pending.Length > 0)
            {
                throw new UnsupportedObjectException(fd.Pid, fd.Fd, "listening unix socket",
                    $"{Describe(socket)} has {entry.Pending.Length} connection(s) waiting in its accept queue (socket:[{string.Join("], socket:[", entry.Pending)}]); connections not yet accepted are not saved");
            }
        }
        else if (entry.Peer != 0)
        {
            socket.State = V1.UnixSocketState.Connected;
            socket.PeerInode = entry.Peer;
            if (!inTree.Contains(entry.Peer))
            {
                string holder = FindHolder(entry.Peer) is (int pid, int peerFd) ? $"held by pid {pid} fd {peerFd}" : "held by no process found";
                throw new UnsupportedObjectException(fd.Pid, fd.Fd, "unix socket",
                    $"{Describe(socket)} is connected to socket:[{entry.Peer}] outside the tree ({holder})");
            }
            if (!diag.TryGetValue(entry.Peer, out UnixDiagEntry? peer) || peer.Peer != entry.Inode)
            {
                throw new UnsupportedObjectException(fd.Pid, fd.Fd, "unix socket",
                    $"{Describe(socket)} is connected to socket:[{entry.Peer}], which is not connected back (a datagram socket connected to a bound one)");
            }
        }
        else
        {
            // Connected once, and the peer's file is closed: only queued data and EOF remain.
            socket.State = entry.State == UnixDiagEntry.Established ? V1.UnixSocketState.Disconnected : V1.UnixSocketState.Unconnected;
        }

        using SafeFd pidfd = Interop.PidfdOpen(fd.Pid);
        using SafeFd copy = Interop.PidfdGetfd(pidfd, fd.Fd);
        socket.Options = new V1.SocketOptions
        {
            PassCredentials = Interop.GetSockOpt(copy, SocketOption.SO_PASSCRED) != 0,
            SendBuffer = (uint)Interop.GetSockOpt(copy, SocketOption.SO_SNDBUF),
            ReceiveBuffer = (uint)Interop.GetSockOpt(copy, SocketOption.SO_RCVBUF),
            PeekOffset = Interop.GetSockOpt(copy, SocketOption.SO_PEEK_OFF),
        };
        if (socket.State != V1.UnixSocketState.Listening)
        {
            ReadQueue(fd, socket, copy, buffer);
            if (socket.ReceiveQueue.Count > 0 && socket.State == V1.UnixSocketState.Unconnected && socket.NameCase == V1.UnixSocket.NameOneofCase.None)
            {
                throw new UnsupportedObjectException(fd.Pid, fd.Fd, "unix socket", $"{Describe(socket)} is unbound and unconnected but has data queued; nothing could send it again");
            }
        }
        return socket;
    }

    /// <summary>
    /// Reads the receive queue without consuming it: MSG_PEEK from SO_PEEK_OFF 0 on a copy of the
    /// descriptor, each peek moving the offset on, so a datagram queue comes out one message a
    /// peek; the application's own SO_PEEK_OFF is put back afterwards. A zero-length datagram
    /// is skipped by the kernel's offset walk and is not saved.
    /// </summary>
    private static void ReadQueue(ClassifiedFd fd, V1.UnixSocket socket, SafeFd copy, byte[] buffer)
    {
        bool stream = socket.Type == V1.SocketType.Stream;
        Interop.SetSockOpt(copy, SocketOption.SO_PEEK_OFF, 0);
        try
        {
            var bytes = new MemoryStream();
            MsgFlags flags = MsgFlags.MSG_PEEK | MsgFlags.MSG_DONTWAIT | (stream ? 0 : MsgFlags.MSG_TRUNC);
            while (true)
            {
                int n;
                SafeFd[] rights;
                try
                {
                    n = Interop.ReceiveFds(copy, buffer, Interop.ScmMaxFd, out rights, flags);
                }
                catch (ErrnoException e) when (e.Errno == Errno.EAGAIN)
                {
                    break;
                }
                if (rights.Length > 0)
                {
                    foreach (SafeFd right in rights)
                    {
                        right.Dispose();
                    }
                    throw new UnsupportedObjectException(fd.Pid, fd.Fd, "unix socket",
                        $"{Describe(socket)} has descriptors in flight (SCM_RIGHTS) in its receive queue; they are not saved");
                }
                if (n == 0)
                {
                    break; // the peer shut down writing: end of the queue
                }
                if (n > buffer.Length - 1)
                {
                    throw new UnsupportedObjectException(fd.Pid, fd.Fd, "unix socket", $"{Describe(socket)} has a queued message of {n} bytes (above {MaxDatagram})");
                }
                if (stream)
                {
                    bytes.Write(buffer, 0, n);
                }
                else
                {
                    socket.ReceiveQueue.Add(ByteString.CopyFrom(buffer, 0, n));
                }
            }
            if (stream && bytes.Length > 0)
            {
                socket.ReceiveQueue.Add(ByteString.CopyFrom(bytes.GetBuffer(), 0, (int)bytes.Length));
            }
        }
        finally
        {
            Interop.SetSockOpt(copy, SocketOption.SO_PEEK_OFF, socket.Options.PeekOffset);
        }
    }

    private static void SetName(V1.UnixSocket socket, byte[]? name, int pid)
    {
        if (name is not { Length: > 0 })
        {
            return;
        }
        if (name[0] == 0)
        {
            socket.AbstractName = ByteString.CopyFrom(name, 1, name.Length - 1);
            return;
        }
        int end = Array.IndexOf(name, (byte)0);
        socket.Path = Encoding.UTF8.GetString(name, 0, end < 0 ? name.Length : end);
        // The socket file as the tree sees it (its root may differ from keeper's); gone when
        // it was unlinked, which restore handles by binding a new one.
        using SafeFd? file = Interop.TryOpen($"/proc/{pid}/root{socket.Path}", OpenFlags.O_PATH | OpenFlags.O_NOFOLLOW | OpenFlags.O_CLOEXEC);
        if (file is not null)
        {
            Stat st = Interop.Fstat(file);
            if ((st.Mode & Stat.TypeMask) == Stat.TypeSocket)
            {
                socket.PathIdentity = FilesDumper.Identity(st);
                socket.PathUid = st.Uid;
                socket.PathGid = st.Gid;
            }
        }
    }

    private static ulong NamespaceInode(int pid)
    {
        using SafeFd ns = Interop.Open($"/proc/{pid}/ns/net", OpenFlags.O_RDONLY | OpenFlags.O_CLOEXEC);
        return Interop.Fstat(ns).Ino;
    }

    /// <summary>A short description for messages: type, state and name.</summary>
    internal static string Describe(V1.UnixSocket socket)
    {
        string name = socket.NameCase switch
        {
            V1.UnixSocket.NameOneofCase.Path => $" on {socket.Path}",
            V1.UnixSocket.NameOneofCase.AbstractName => $" on @{Encoding.UTF8.GetString(socket.AbstractName.Span)}",
            _ => "",
        };
        return $"unix {socket.Type.ToString().ToLowerInvariant()} socket:[{socket.Inode}]{name}";
    }

    /// <summary>Which process holds a socket inode: a scan of /proc, done only to explain a refusal.</summary>
    private static (int Pid, int Fd)? FindHolder(uint inode)
    {
        string link = $"socket:[{inode}]";
        foreach (string dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid))
            {
                continue;
            }
            try
            {
                foreach (string fdPath in Directory.EnumerateFileSystemEntries($"{dir}/fd"))
                {
                    if (new FileInfo(fdPath).LinkTarget == link)
                    {
                        return (pid, int.Parse(Path.GetFileName(fdPath), System.Globalization.CultureInfo.InvariantCulture));
                    }
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The process ended meanwhile, or its table is not readable.
            }
        }
        return null;
    }
}
