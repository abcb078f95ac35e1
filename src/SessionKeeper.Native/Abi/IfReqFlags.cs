using System.Runtime.InteropServices;
using System.Text;

namespace SessionKeeper.Native;

/// <summary>
/// <c>struct ifreq</c> (net/if.h; 40 bytes) with the <c>ifr_flags</c> member of its union, for
/// SIOCGIFFLAGS and SIOCSIFFLAGS.
/// </summary>
[StructLayout(LayoutKind.Sequential, Size = 40)]
public unsafe struct IfReqFlags
{
    /// <summary>IFNAMSIZ: the size of <c>ifr_name</c>, terminating NUL included.</summary>
    public const int NameCapacity = 16;

    /// <summary>ifr_name: the device name, NUL-terminated.</summary>
    public fixed byte Name[NameCapacity];
    /// <summary>ifr_flags: <see cref="InterfaceFlags"/>.</summary>
    public InterfaceFlags Flags;

    /// <summary>A request for the device named <paramref name="device"/> (at most 15 bytes).</summary>
    public static IfReqFlags For(string device)
    {
        byte[] bytes = Encoding.ASCII.GetBytes(device);
        if (bytes.Length >= NameCapacity)
        {
            throw new ArgumentException($"device name '{device}' is longer than {NameCapacity - 1} bytes", nameof(device));
        }
        var request = default(IfReqFlags);
        bytes.CopyTo(new Span<byte>(request.Name, NameCapacity));
        return request;
    }
}
