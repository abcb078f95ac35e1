using System.Runtime.InteropServices;

namespace SessionKeeper.Native;

/// <summary>
/// <c>struct tcp_repair_opt</c> (linux/tcp.h): one TCP option for setsockopt(TCP_REPAIR_OPTIONS)
/// on a socket in repair mode, e.g. TCPOPT_MSS with the negotiated MSS, TCPOPT_WINDOW with
/// <c>snd_wscale | rcv_wscale &lt;&lt; 16</c>.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct TcpRepairOpt
{
    /// <summary>opt_code: a TCPOPT_* kind.</summary>
    public uint Code;
    /// <summary>opt_val</summary>
    public uint Value;
}

/// <summary>
/// <c>struct tcp_repair_window</c> (linux/tcp.h): the window state read with
/// getsockopt(TCP_REPAIR_WINDOW) on dump and written back on restore.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct TcpRepairWindow
{
    /// <summary>snd_wl1</summary>
    public uint SndWl1;
    /// <summary>snd_wnd</summary>
    public uint SndWnd;
    /// <summary>max_window</summary>
    public uint MaxWindow;
    /// <summary>rcv_wnd</summary>
    public uint RcvWnd;
    /// <summary>rcv_wup</summary>
    public uint RcvWup;
}
