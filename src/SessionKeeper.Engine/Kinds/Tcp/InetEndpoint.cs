using System.Net;
using SessionKeeper.Native;
using V1 = SessionKeeper.Images.V1;

namespace SessionKeeper.Engine.Kinds.Tcp;

/// <summary>An IPv4 or IPv6 address and port as a socket reports them (getsockname / getpeername).</summary>
/// <param name="Family">AF_INET or AF_INET6.</param>
/// <param name="Address">4 or 16 bytes, network order.</param>
/// <param name="Port">Host order.</param>
public sealed record InetEndpoint(SocketFamily Family, byte[] Address, ushort Port)
{
    /// <summary>The socket's own address.</summary>
    public static InetEndpoint Local(SafeFd socket) => Read(socket, peer: false);

    /// <summary>The connected peer's address, or null when the socket is not connected.</summary>
    public static InetEndpoint? Remote(SafeFd socket)
    {
        try
        {
            return Read(socket, peer: true);
        }
        catch (ErrnoException e) when (e.Errno == Errno.ENOTCONN)
        {
            return null;
        }
    }

    private static unsafe InetEndpoint Read(SafeFd socket, bool peer)
    {
        // sockaddr_in6 is the larger of the two; a sockaddr_in fills its first 16 bytes.
        SockAddrIn6 raw;
        if (peer)
        {
            Interop.GetPeerName(socket, out raw);
        }
        else
        {
            Interop.GetSockName(socket, out raw);
        }
        if (raw.Family == (ushort)SocketFamily.AF_INET)
        {
            SockAddrIn v4 = *(SockAddrIn*)&raw;
            return new InetEndpoint(SocketFamily.AF_INET, BitConverter.GetBytes(v4.AddressBigEndian), v4.Port);
        }
        return new InetEndpoint(SocketFamily.AF_INET6, new ReadOnlySpan<byte>(raw.Address, 16).ToArray(), raw.Port);
    }

    /// <summary>The local end saved in <paramref name="socket"/>.</summary>
    public static InetEndpoint SavedLocal(V1.InetSocket socket)
        => new(FamilyOf(socket), socket.LocalAddress.ToByteArray(), (ushort)socket.LocalPort);

    /// <summary>The remote end saved in <paramref name="socket"/>.</summary>
    public static InetEndpoint SavedRemote(V1.InetSocket socket)
        => new(FamilyOf(socket), socket.RemoteAddress.ToByteArray(), (ushort)socket.RemotePort);

    /// <summary>The socket family of a saved socket.</summary>
    public static SocketFamily FamilyOf(V1.InetSocket socket)
        => socket.Family == V1.AddressFamily.Ipv6 ? SocketFamily.AF_INET6 : SocketFamily.AF_INET;

    /// <summary>True for the IPv6 form of an IPv4 address (::ffff:a.b.c.d), as a dual-stack socket shows one.</summary>
    public bool IsV4Mapped => Address.Length == 16 && Address.AsSpan(0, 10).IndexOfAnyExcept((byte)0) < 0 && Address[10] == 0xff && Address[11] == 0xff;

    /// <summary>bind(2) to this endpoint.</summary>
    public void Bind(SafeFd socket) => Apply(socket, connect: false);

    /// <summary>connect(2) to this endpoint.</summary>
    public void Connect(SafeFd socket) => Apply(socket, connect: true);

    private void Apply(SafeFd socket, bool connect)
    {
        if (Family == SocketFamily.AF_INET)
        {
            SockAddrIn v4 = SockAddrIn.Create(Address, Port);
            if (connect)
            {
                Interop.Connect(socket, v4, 16);
            }
            else
            {
                Interop.Bind(socket, v4, 16);
            }
            return;
        }
        SockAddrIn6 v6 = SockAddrIn6.Create(Address, Port);
        if (connect)
        {
            Interop.Connect(socket, v6, 28);
        }
        else
        {
            Interop.Bind(socket, v6, 28);
        }
    }

    /// <inheritdoc/>
    public override string ToString()
        => Family == SocketFamily.AF_INET ? $"{new IPAddress(Address)}:{Port}" : $"[{new IPAddress(Address)}]:{Port}";
}
