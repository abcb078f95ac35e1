using System.Runtime.InteropServices;
using SessionKeeper.Native;
using SessionKeeper.ProcessControl;

namespace SessionKeeper.Engine.Kinds.Namespaces;

/// <summary>
/// The loopback device of a task's network namespace, read and set with injected calls: a
/// socket belongs to the network namespace of the task that creates it, and SIOCGIFFLAGS /
/// SIOCSIFFLAGS act on the devices of the socket's namespace. The socket is closed again
/// before the task's own fds are looked at or restored.
/// </summary>
internal static class Loopback
{
    private const string Device = "lo";

    /// <summary>The flags of lo in the network namespace of <paramref name="task"/> (which needs a scratch area).</summary>
    public static InterfaceFlags Flags(Injector task)
        => WithSocket(task, socket => GetFlags(task, socket));

    /// <summary>Brings lo up in the network namespace of <paramref name="task"/>; the kernel then gives it 127.0.0.1 and ::1.</summary>
    public static void BringUp(Injector task)
        => WithSocket(task, socket =>
        {
            InterfaceFlags flags = GetFlags(task, socket);
            if ((flags & InterfaceFlags.IFF_UP) == 0)
            {
                IfReqFlags request = IfReqFlags.For(Device);
                request.Flags = flags | InterfaceFlags.IFF_UP;
                ulong address = task.WriteScratch(MemoryMarshal.AsBytes(new ReadOnlySpan<IfReqFlags>(in request)));
                task.CallChecked(SyscallNumber.Ioctl, (ulong)socket, (ulong)IoctlRequest.SIOCSIFFLAGS, address);
            }
            return flags;
        });

    private static InterfaceFlags GetFlags(Injector task, long socket)
    {
        IfReqFlags request = IfReqFlags.For(Device);
        ulong address = task.WriteScratch(MemoryMarshal.AsBytes(new ReadOnlySpan<IfReqFlags>(in request)));
        task.CallChecked(SyscallNumber.Ioctl, (ulong)socket, (ulong)IoctlRequest.SIOCGIFFLAGS, address);
        task.ReadScratch(MemoryMarshal.AsBytes(new Span<IfReqFlags>(ref request)));
        return request.Flags;
    }

    private static InterfaceFlags WithSocket(Injector task, Func<long, InterfaceFlags> use)
    {
        long socket = task.CallChecked(SyscallNumber.Socket, (ulong)SocketFamily.AF_INET, (ulong)(SocketKind.SOCK_DGRAM | SocketKind.SOCK_CLOEXEC), 0);
        try
        {
            return use(socket);
        }
        finally
        {
            task.Call(SyscallNumber.Close, (ulong)socket);
        }
    }
}
