using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace SessionKeeper.Native;

/// <summary>
/// <c>struct sockaddr_un</c> (sys/un.h; linux/un.h): 110 bytes. A path name is NUL-terminated;
/// an abstract name starts with a NUL byte and is exactly as long as the address length says,
/// so the length travels with the struct in every call that takes one.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct SockAddrUn
{
    /// <summary>sizeof(sun_path)</summary>
    public const int PathCapacity = 108;

    /// <summary>offsetof(struct sockaddr_un, sun_path)</summary>
    public const int PathOffset = 2;

    /// <summary>sun_family: AF_UNIX.</summary>
    public ushort Family;
    /// <summary>sun_path</summary>
    public fixed byte Path[PathCapacity];

    /// <summary>An address for a file-system path; <paramref name="length"/> counts the terminating NUL.</summary>
    public static SockAddrUn FromPath(string path, out int length)
    {
        int count = Encoding.UTF8.GetByteCount(path);
        if (count == 0 || count >= PathCapacity)
        {
            throw new ArgumentException($"unix socket path must be 1..{PathCapacity - 1} bytes: {path}", nameof(path));
        }
        var address = new SockAddrUn { Family = (ushort)SocketFamily.AF_UNIX };
        Encoding.UTF8.GetBytes(path, new Span<byte>(address.Path, PathCapacity));
        length = PathOffset + count + 1;
        return address;
    }

    /// <summary>
    /// An address in the abstract namespace (name without the leading NUL, which this adds).
    /// The name may contain NUL bytes; it is exactly <paramref name="name"/>.Length bytes long.
    /// </summary>
    public static SockAddrUn FromAbstract(ReadOnlySpan<byte> name, out int length)
    {
        if (name.Length >= PathCapacity)
        {
            throw new ArgumentException($"abstract unix socket name must be at most {PathCapacity - 1} bytes", nameof(name));
        }
        var address = new SockAddrUn { Family = (ushort)SocketFamily.AF_UNIX };
        name.CopyTo(new Span<byte>(address.Path + 1, PathCapacity - 1));
        length = PathOffset + 1 + name.Length;
        return address;
    }

    /// <summary>Whether an address of this length names the abstract namespace.</summary>
    public readonly bool IsAbstract(int length)
    {
        fixed (byte* path = Path)
        {
            return length > PathOffset && path[0] == 0;
        }
    }

    /// <summary>True when the address is unnamed (an unbound socket or a socketpair end).</summary>
    public static bool IsUnnamed(int length) => length <= PathOffset;

    /// <summary>The name bytes after the family: the path without its NUL, or the abstract name without its leading NUL.</summary>
    public readonly byte[] GetName(int length)
    {
        int count = Math.Clamp(length - PathOffset, 0, PathCapacity);
        fixed (byte* path = Path)
        {
            var bytes = new ReadOnlySpan<byte>(path, count);
            if (count > 0 && bytes[0] == 0)
            {
                return bytes[1..].ToArray();
            }
            int end = bytes.IndexOf((byte)0);
            return (end < 0 ? bytes : bytes[..end]).ToArray();
        }
    }
}

/// <summary><c>struct sockaddr_in</c> (netinet/in.h; linux/in.h): 16 bytes, port and address in network byte order.</summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct SockAddrIn
{
    /// <summary>sin_family: AF_INET.</summary>
    public ushort Family;
    /// <summary>sin_port, network byte order.</summary>
    public ushort PortBigEndian;
    /// <summary>sin_addr.s_addr, network byte order.</summary>
    public uint AddressBigEndian;
    /// <summary>sin_zero</summary>
    public fixed byte Zero[8];

    /// <summary>The port in host byte order.</summary>
    public ushort Port
    {
        readonly get => BinaryPrimitives.ReverseEndianness(PortBigEndian);
        set => PortBigEndian = BinaryPrimitives.ReverseEndianness(value);
    }

    /// <summary>An AF_INET address from four address bytes in the usual dotted order.</summary>
    public static SockAddrIn Create(ReadOnlySpan<byte> address, ushort port)
    {
        if (address.Length != 4)
        {
            throw new ArgumentException("an IPv4 address has 4 bytes", nameof(address));
        }
        return new SockAddrIn
        {
            Family = (ushort)SocketFamily.AF_INET,
            PortBigEndian = BinaryPrimitives.ReverseEndianness(port),
            AddressBigEndian = MemoryMarshal.Read<uint>(address),
        };
    }
}

/// <summary><c>struct sockaddr_in6</c> (netinet/in.h; linux/in6.h): 28 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct SockAddrIn6
{
    /// <summary>sin6_family: AF_INET6.</summary>
    public ushort Family;
    /// <summary>sin6_port, network byte order.</summary>
    public ushort PortBigEndian;
    /// <summary>sin6_flowinfo, network byte order.</summary>
    public uint FlowInfo;
    /// <summary>sin6_addr</summary>
    public fixed byte Address[16];
    /// <summary>sin6_scope_id</summary>
    public uint ScopeId;

    /// <summary>The port in host byte order.</summary>
    public ushort Port
    {
        readonly get => BinaryPrimitives.ReverseEndianness(PortBigEndian);
        set => PortBigEndian = BinaryPrimitives.ReverseEndianness(value);
    }

    /// <summary>An AF_INET6 address from its 16 bytes.</summary>
    public static SockAddrIn6 Create(ReadOnlySpan<byte> address, ushort port, uint scopeId = 0)
    {
        if (address.Length != 16)
        {
            throw new ArgumentException("an IPv6 address has 16 bytes", nameof(address));
        }
        var result = new SockAddrIn6
        {
            Family = (ushort)SocketFamily.AF_INET6,
            PortBigEndian = BinaryPrimitives.ReverseEndianness(port),
            ScopeId = scopeId,
        };
        address.CopyTo(new Span<byte>(result.Address, 16));
        return result;
    }
}

/// <summary><c>struct ucred</c> for SO_PEERCRED and SCM_CREDENTIALS (linux/socket.h, 12 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
public struct Ucred
{
    /// <summary>pid</summary>
    public int Pid;
    /// <summary>uid</summary>
    public uint Uid;
    /// <summary>gid</summary>
    public uint Gid;
}
