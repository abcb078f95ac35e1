using System.Buffers.Binary;
using System.Runtime.InteropServices;
using SessionKeeper.Native;
using SessionKeeper.ProcessControl;

namespace SessionKeeper.Engine.Restore;

/// <summary>
/// Hands descriptors that keeper holds to a task being restored (DESIGN.md §5, "fds into a
/// task"): the task binds an AF_UNIX datagram socket (injected), keeper sends the descriptors
/// in SCM_RIGHTS messages, the task receives them with an injected recvmsg and moves each above
/// <c>minFd</c>, so none lands on a number the task's saved table still needs.
/// </summary>
/// <remarks>
/// The socket is bound to a path in a private directory rather than to an abstract name:
/// abstract names live in a network namespace, and a task restored into a namespace of its own
/// could not be reached; a path is found through the filesystem, which both sides share.
/// </remarks>
internal sealed class FdDelivery : IDisposable
{
    /// <summary>The kernel's limit of descriptors in one SCM_RIGHTS message (SCM_MAX_FD).</summary>
    private const int MaxFdsPerMessage = 253;

    private const int MsgCmsgCloexec = 0x40000000;
    private const int FDupfdCloexec = 1030;
    private const int MsgHdrSize = 56;
    private const int CmsgHeaderSize = 16;

    private readonly string _directory;
    private SafeFd? _socket;

    public FdDelivery()
    {
        // Mode 0700: only keeper (and the root-owned tasks it restores) can reach the sockets.
        _directory = Directory.CreateTempSubdirectory("keeper-restore-").FullName;
    }

    /// <summary>
    /// Delivers <paramref name="fds"/> to <paramref name="task"/>; returns the numbers they got
    /// there, in order, every one at least <paramref name="minFd"/> and close-on-exec.
    /// </summary>
    public int[] Deliver(Injector task, IReadOnlyList<SafeFd> fds, int minFd)
    {
        var result = new int[fds.Count];
        if (fds.Count == 0)
        {
            return result;
        }
        _socket ??= Interop.Socket(SocketFamily.AF_UNIX, SocketKind.SOCK_DGRAM | SocketKind.SOCK_CLOEXEC);
        string path = Path.Combine(_directory, task.Thread.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
        SockAddrUn address = SockAddrUn.FromPath(path, out int addressLength);
        long socket = task.CallChecked(SyscallNumber.Socket, (ulong)SocketFamily.AF_UNIX, (ulong)(SocketKind.SOCK_DGRAM | SocketKind.SOCK_CLOEXEC), 0);
        try
        {
            ulong remoteAddress = task.WriteScratch(MemoryMarshal.AsBytes(new ReadOnlySpan<SockAddrUn>(in address)), 0);
            task.CallChecked(SyscallNumber.Bind, (ulong)socket, remoteAddress, (ulong)addressLength);
            for (int start = 0; start < fds.Count; start += MaxFdsPerMessage)
            {
                int count = Math.Min(MaxFdsPerMessage, fds.Count - start);
                SafeFd[] batch = fds.Skip(start).Take(count).ToArray();
                Interop.SendFds(_socket, address, addressLength, "k"u8, batch);
                int[] received = Receive(task, (ulong)socket, count);
                for (int i = 0; i < count; i++)
                {
                    // Above every saved number, then the received number is free again.
                    result[start + i] = (int)task.CallChecked(SyscallNumber.Fcntl, (ulong)received[i], FDupfdCloexec, (ulong)minFd);
                    task.CallChecked(SyscallNumber.Close, (ulong)received[i]);
                }
            }
        }
        finally
        {
            task.Call(SyscallNumber.Close, (ulong)socket);
            File.Delete(path);
        }
        return result;
    }

    // Injected recvmsg into scratch memory: msghdr at 512, one iovec at 576, one byte of data
    // at 592, control data at 1024.
    private static int[] Receive(Injector task, ulong socket, int count)
    {
        const int msgOffset = 512;
        const int iovOffset = 576;
        const int dataOffset = 592;
        const int controlOffset = 1024;
        int controlLength = CmsgHeaderSize + (((count * sizeof(int)) + 7) & ~7);
        ulong scratch = task.Scratch;
        Span<byte> header = stackalloc byte[MsgHdrSize];
        header.Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(header[16..], scratch + iovOffset);   // msg_iov
        BinaryPrimitives.WriteUInt64LittleEndian(header[24..], 1);                     // msg_iovlen
        BinaryPrimitives.WriteUInt64LittleEndian(header[32..], scratch + controlOffset); // msg_control
        BinaryPrimitives.WriteUInt64LittleEndian(header[40..], (ulong)controlLength);  // msg_controllen
        task.WriteScratch(header, msgOffset);
        Span<byte> iov = stackalloc byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(iov, scratch + dataOffset);
        BinaryPrimitives.WriteUInt64LittleEndian(iov[8..], 1);
        task.WriteScratch(iov, iovOffset);

        task.CallChecked(SyscallNumber.Recvmsg, socket, scratch + msgOffset, MsgCmsgCloexec);
        task.ReadScratch(header, msgOffset);
        ulong receivedControl = BinaryPrimitives.ReadUInt64LittleEndian(header[40..]);
        byte[] control = new byte[controlLength];
        task.ReadScratch(control, controlOffset);
        // One SCM_RIGHTS cmsg: cmsg_len (8 bytes), level, type, then the descriptors.
        ulong cmsgLength = BinaryPrimitives.ReadUInt64LittleEndian(control);
        int got = cmsgLength >= CmsgHeaderSize ? (int)(cmsgLength - CmsgHeaderSize) / sizeof(int) : 0;
        if (receivedControl < (ulong)CmsgHeaderSize || got != count)
        {
            throw new InvalidOperationException($"{task.Thread}: received {got} of {count} descriptors");
        }
        var fds = new int[count];
        for (int i = 0; i < count; i++)
        {
            fds[i] = BinaryPrimitives.ReadInt32LittleEndian(control.AsSpan(CmsgHeaderSize + (i * sizeof(int))));
        }
        return fds;
    }

    public void Dispose()
    {
        _socket?.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
