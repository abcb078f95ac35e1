using SessionKeeper.Native;
using V1 = SessionKeeper.Images.V1;

namespace SessionKeeper.Engine.Kinds.UnixSockets;

/// <summary>
/// Makes the unix sockets of a tree being restored, in keeper, for delivery into the tasks
/// (DESIGN.md §5 "fds into a task"). Every socket is created in the network namespace of the
/// task that receives it, so an abstract name lands in the tree's namespace and a later dump
/// finds the sockets there. A connected pair inside the tree becomes a socketpair: the end
/// not asked for yet waits here until its own process opens it; each side's saved queue is
/// written into the other end, so each side reads what it had. An accepted connection comes
/// back as a socketpair end too: it works the same, but getsockname on the server side shows
/// no name where it showed the listener's path.
/// </summary>
public sealed class UnixSocketRestore : IDisposable
{
    /// <summary>sk_shutdown bit SEND_SHUTDOWN (include/net/sock.h).</summary>
    private const uint SendShutdown = 2;

    private readonly Dictionary<ulong, V1.UnixSocket> _byInode = [];
    private readonly Dictionary<ulong, SafeFd> _waiting = [];

    /// <summary>Indexes the unix sockets among <paramref name="files"/> by inode.</summary>
    public UnixSocketRestore(IEnumerable<V1.FileEntry> files)
    {
        foreach (V1.FileEntry file in files.Where(f => f.KindCase == V1.FileEntry.KindOneofCase.UnixSocket))
        {
            _byInode[file.UnixSocket.Inode] = file.UnixSocket;
        }
    }

    /// <summary>The socket of <paramref name="file"/>, made in the network namespace of <paramref name="pid"/>; the caller owns it.</summary>
    public SafeFd Create(int pid, V1.FileEntry file)
    {
        V1.UnixSocket socket = file.UnixSocket;
        if (_waiting.Remove(socket.Inode, out SafeFd? waiting))
        {
            return waiting;
        }
        var kind = (SocketKind)(int)socket.Type;
        SafeFd result;
        switch (socket.State)
        {
            case V1.UnixSocketState.Connected:
                if (!_byInode.TryGetValue(socket.PeerInode, out V1.UnixSocket? peer))
                {
                    throw new InvalidOperationException($"{UnixSocketDump.Describe(socket)}: its peer socket:[{socket.PeerInode}] is not in the images");
                }
                (SafeFd mine, SafeFd theirs) = NetworkNamespace.Create(pid, () => Interop.Socketpair(kind));
                result = mine;
                ApplyOptions(mine, socket);
                ApplyOptions(theirs, peer);
                Fill(theirs, socket);
                Fill(mine, peer);
                Shutdown(mine, socket);
                Shutdown(theirs, peer);
                _waiting[peer.Inode] = theirs;
                break;
            case V1.UnixSocketState.Disconnected:
                (SafeFd alone, SafeFd gone) = NetworkNamespace.Create(pid, () => Interop.Socketpair(kind));
                result = alone;
                ApplyOptions(alone, socket);
                using (gone)
                {
                    Fill(gone, socket);
                }
                break;
            default:
                result = NetworkNamespace.Create(pid, () => Interop.Socket(SocketFamily.AF_UNIX, kind));
                ApplyOptions(result, socket);
                Bind(result, socket);
                if (socket.State == V1.UnixSocketState.Listening)
                {
                    Interop.Listen(result, (int)socket.Backlog);
                }
                else if (socket.ReceiveQueue.Count > 0)
                {
                    using SafeFd sender = NetworkNamespace.Create(pid, () => Interop.Socket(SocketFamily.AF_UNIX, kind));
                    SockAddrUn address = Address(socket, out int length);
                    foreach (Google.Protobuf.ByteString message in socket.ReceiveQueue)
                    {
                        Interop.SendFds(sender, address, length, message.Span, []);
                    }
                }
                break;
        }
        // Status flags (O_NONBLOCK) belong to the description: set on keeper's, which the task gets.
        const OpenFlags changeable = OpenFlags.O_NONBLOCK | OpenFlags.O_ASYNC;
        Interop.SetStatusFlags(result, (Interop.GetStatusFlags(result) & ~changeable) | ((OpenFlags)file.Flags & changeable));
        return result;
    }

    /// <summary>
    /// Binds a saved name. A path is bound anew even when the file was deleted (a reboot
    /// cleaned /run): a stale socket file at the path is removed, anything else there is an
    /// error, and so is a missing directory. The file gets back its saved owner and mode.
    /// </summary>
    private static void Bind(SafeFd fd, V1.UnixSocket socket)
    {
        if (socket.NameCase == V1.UnixSocket.NameOneofCase.None)
        {
            return;
        }
        if (socket.NameCase == V1.UnixSocket.NameOneofCase.Path)
        {
            string directory = Path.GetDirectoryName(socket.Path) ?? "/";
            if (!Directory.Exists(directory))
            {
                throw new DirectoryNotFoundException($"{UnixSocketDump.Describe(socket)}: the directory {directory} does not exist; it is not created");
            }
            using (SafeFd? existing = Interop.TryOpen(socket.Path, OpenFlags.O_PATH | OpenFlags.O_NOFOLLOW | OpenFlags.O_CLOEXEC))
            {
                if (existing is not null)
                {
                    if ((Interop.Fstat(existing).Mode & Stat.TypeMask) != Stat.TypeSocket)
                    {
                        throw new IOException($"{UnixSocketDump.Describe(socket)}: {socket.Path} exists and is not a socket");
                    }
                    File.Delete(socket.Path);
                }
            }
        }
        SockAddrUn address = Address(socket, out int length);
        Interop.Bind(fd, address, length);
        if (socket.NameCase == V1.UnixSocket.NameOneofCase.Path && socket.PathIdentity is not null)
        {
            Interop.Chmod(socket.Path, socket.PathIdentity.Mode & 0xfff);
            if (socket.HasPathUid && socket.HasPathGid)
            {
                Interop.Lchown(socket.Path, socket.PathUid, socket.PathGid);
            }
        }
    }

    private static SockAddrUn Address(V1.UnixSocket socket, out int length)
        => socket.NameCase == V1.UnixSocket.NameOneofCase.Path
            ? SockAddrUn.FromPath(socket.Path, out length)
            : SockAddrUn.FromAbstract(socket.AbstractName.Span, out length);

    private static void ApplyOptions(SafeFd fd, V1.UnixSocket socket)
    {
        V1.SocketOptions? options = socket.Options;
        if (options is null)
        {
            return;
        }
        if (options.PassCredentials)
        {
            Interop.SetSockOpt(fd, SocketOption.SO_PASSCRED, 1);
        }
        // getsockopt reports twice what was set; the FORCE variants pass the cap of
        // net.core.*mem_max that the saved value may exceed.
        if (options.SendBuffer != 0 && Interop.GetSockOpt(fd, SocketOption.SO_SNDBUF) != (int)options.SendBuffer)
        {
            Interop.SetSockOpt(fd, SocketOption.SO_SNDBUFFORCE, (int)(options.SendBuffer / 2));
        }
        if (options.ReceiveBuffer != 0 && Interop.GetSockOpt(fd, SocketOption.SO_RCVBUF) != (int)options.ReceiveBuffer)
        {
            Interop.SetSockOpt(fd, SocketOption.SO_RCVBUFFORCE, (int)(options.ReceiveBuffer / 2));
        }
        if (options.PeekOffset >= 0)
        {
            Interop.SetSockOpt(fd, SocketOption.SO_PEEK_OFF, options.PeekOffset);
        }
    }

    /// <summary>Writes the saved receive queue of <paramref name="socket"/> into <paramref name="sender"/>, its pair's end.</summary>
    private static void Fill(SafeFd sender, V1.UnixSocket socket)
    {
        foreach (Google.Protobuf.ByteString message in socket.ReceiveQueue)
        {
            ReadOnlySpan<byte> data = message.Span;
            do
            {
                int sent;
                try
                {
                    sent = Interop.Send(sender, data, MsgFlags.MSG_DONTWAIT);
                }
                catch (ErrnoException e) when (e.Errno == Errno.EAGAIN)
                {
                    throw new InvalidOperationException($"{UnixSocketDump.Describe(socket)}: the saved queue ({socket.ReceiveQueue.Sum(m => m.Length)} bytes in {socket.ReceiveQueue.Count} message(s)) does not fit into the new socket", e);
                }
                data = data[sent..];
            }
            while (!data.IsEmpty && socket.Type == V1.SocketType.Stream);
        }
    }

    /// <summary>A side that had shut down writing does so again; its peer's "read shut down" follows from it.</summary>
    private static void Shutdown(SafeFd fd, V1.UnixSocket socket)
    {
        if ((socket.Shutdown & SendShutdown) != 0)
        {
            Interop.Shutdown(fd, ShutdownHow.SHUT_WR);
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (SafeFd fd in _waiting.Values)
        {
            fd.Dispose();
        }
        _waiting.Clear();
    }
}
