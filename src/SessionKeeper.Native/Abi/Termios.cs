using System.Runtime.InteropServices;

namespace SessionKeeper.Native;

/// <summary>
/// The kernel's <c>struct termios</c> (asm/termbits.h, asm-generic/termbits.h), as TCGETS and
/// TCSETS transfer it: 36 bytes with c_cc[19] and no speed fields.
/// </summary>
/// <remarks>
/// glibc's termios.h declares a different, 60-byte struct (c_cc[32] plus c_ispeed/c_ospeed)
/// and translates in tcgetattr. The ioctls used here, directly and inside other processes,
/// see only the kernel layout, so that is what this type is.
/// </remarks>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct Termios
{
    /// <summary>NCCS of the kernel struct.</summary>
    public const int Nccs = 19;

    /// <summary>c_iflag: input modes.</summary>
    public uint InputFlags;
    /// <summary>c_oflag: output modes.</summary>
    public uint OutputFlags;
    /// <summary>c_cflag: control modes (the baud rate lives here as CBAUD bits).</summary>
    public uint ControlFlags;
    /// <summary>c_lflag: local modes.</summary>
    public uint LocalFlags;
    /// <summary>c_line: line discipline.</summary>
    public byte Line;
    /// <summary>c_cc: control characters, indexed by VINTR, VQUIT, … (VMIN = 6, VTIME = 5).</summary>
    public fixed byte ControlChars[Nccs];
}
