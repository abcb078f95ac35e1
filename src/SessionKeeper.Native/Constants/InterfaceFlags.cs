namespace SessionKeeper.Native;

/// <summary>Network device flags of <c>ifr_flags</c> (net/if.h IFF_*), for SIOCGIFFLAGS / SIOCSIFFLAGS.</summary>
[Flags]
public enum InterfaceFlags : short
{
    /// <summary>No flags.</summary>
    None = 0,
    /// <summary>IFF_UP: the device is administratively up.</summary>
    IFF_UP = 0x1,
    /// <summary>IFF_LOOPBACK: the device is a loopback device.</summary>
    IFF_LOOPBACK = 0x8,
    /// <summary>IFF_RUNNING: the device is operationally up.</summary>
    IFF_RUNNING = 0x40,
}
