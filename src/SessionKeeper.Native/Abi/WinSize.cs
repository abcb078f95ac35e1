using System.Runtime.InteropServices;

namespace SessionKeeper.Native;

/// <summary><c>struct winsize</c> for TIOCGWINSZ / TIOCSWINSZ (asm-generic/termios.h).</summary>
[StructLayout(LayoutKind.Sequential)]
public struct WinSize
{
    /// <summary>ws_row</summary>
    public ushort Rows;
    /// <summary>ws_col</summary>
    public ushort Columns;
    /// <summary>ws_xpixel</summary>
    public ushort XPixels;
    /// <summary>ws_ypixel</summary>
    public ushort YPixels;
}
