using System.Runtime.InteropServices;
using static SessionKeeper.Native.InteropHelpers;

namespace SessionKeeper.Native;

public static partial class Interop
{
    [LibraryImport(Libc, EntryPoint = "getsockopt", SetLastError = true)]
    private static unsafe partial int GetsockoptRaw(int fd, int level, int name, void* value, uint* length);

    [LibraryImport(Libc, EntryPoint = "setsockopt", SetLastError = true)]
    private static unsafe partial int SetsockoptRaw(int fd, int level, int name, void* value, uint length);

    /// <summary>getsockopt(2) into a caller buffer; returns the length the kernel wrote.</summary>
    public static unsafe int GetSockOpt(SafeFd socket, SocketLevel level, int name, Span<byte> value)
    {
        using FdLease lease = socket.Lease();
        uint length = (uint)value.Length;
        fixed (byte* p = value)
        {
            if (GetsockoptRaw(lease.Fd, (int)level, name, p, &length) < 0)
            {
                ErrnoException.ThrowLast($"getsockopt({OptionName(level, name)})", FdTarget(socket));
            }
        }
        return (int)length;
    }

    /// <summary>setsockopt(2) from a caller buffer.</summary>
    public static unsafe void SetSockOpt(SafeFd socket, SocketLevel level, int name, ReadOnlySpan<byte> value)
    {
        using FdLease lease = socket.Lease();
        fixed (byte* p = value)
        {
            if (SetsockoptRaw(lease.Fd, (int)level, name, p, (uint)value.Length) < 0)
            {
                ErrnoException.ThrowLast($"setsockopt({OptionName(level, name)})", FdTarget(socket));
            }
        }
    }

    /// <summary>getsockopt(2) of a fixed-size value (int, <see cref="Ucred"/>, <see cref="TcpRepairWindow"/>, …).</summary>
    public static T GetSockOpt<T>(SafeFd socket, SocketLevel level, int name)
        where T : unmanaged
    {
        T value = default;
        GetSockOpt(socket, level, name, MemoryMarshal.AsBytes(new Span<T>(ref value)));
        return value;
    }

    /// <summary>setsockopt(2) of a fixed-size value.</summary>
    public static void SetSockOpt<T>(SafeFd socket, SocketLevel level, int name, in T value)
        where T : unmanaged
        => SetSockOpt(socket, level, name, MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in value)));

    /// <summary>An int-valued SOL_SOCKET option.</summary>
    public static int GetSockOpt(SafeFd socket, SocketOption name) => GetSockOpt<int>(socket, SocketLevel.SOL_SOCKET, (int)name);

    /// <summary>Sets an int-valued SOL_SOCKET option.</summary>
    public static void SetSockOpt(SafeFd socket, SocketOption name, int value) => SetSockOpt(socket, SocketLevel.SOL_SOCKET, (int)name, value);

    /// <summary>An int-valued SOL_TCP option.</summary>
    public static int GetSockOpt(SafeFd socket, TcpOption name) => GetSockOpt<int>(socket, SocketLevel.SOL_TCP, (int)name);

    /// <summary>Sets an int-valued SOL_TCP option (TCP_REPAIR, TCP_REPAIR_QUEUE, TCP_QUEUE_SEQ, …).</summary>
    public static void SetSockOpt(SafeFd socket, TcpOption name, int value) => SetSockOpt(socket, SocketLevel.SOL_TCP, (int)name, value);

    /// <summary>The option's symbolic name for messages, where it is known.</summary>
    private static string OptionName(SocketLevel level, int name) => level switch
    {
        SocketLevel.SOL_SOCKET => ((SocketOption)name).ToString(),
        SocketLevel.SOL_TCP => ((TcpOption)name).ToString(),
        _ => $"{level}, {name}",
    };
}
