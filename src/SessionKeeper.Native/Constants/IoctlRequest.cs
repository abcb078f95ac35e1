namespace SessionKeeper.Native;

/// <summary>
/// ioctl(2) requests for terminals and sockets (asm-generic/ioctls.h, linux/sockios.h; x86_64
/// uses the generic values). Any other request number can be cast to this type.
/// </summary>
public enum IoctlRequest : uint
{
    /// <summary>TCGETS: read the kernel <see cref="Termios"/>.</summary>
    TCGETS = 0x5401,
    /// <summary>TCSETS: set termios now.</summary>
    TCSETS = 0x5402,
    /// <summary>TCSETSW: set termios after output drains.</summary>
    TCSETSW = 0x5403,
    /// <summary>TCSETSF: drain output, discard input, then set.</summary>
    TCSETSF = 0x5404,
    /// <summary>TCFLSH (by value: TCIFLUSH 0, TCOFLUSH 1, TCIOFLUSH 2).</summary>
    TCFLSH = 0x540B,
    /// <summary>TIOCEXCL: exclusive mode (further opens fail with EBUSY).</summary>
    TIOCEXCL = 0x540C,
    /// <summary>TIOCNXCL</summary>
    TIOCNXCL = 0x540D,
    /// <summary>TIOCSCTTY (by value: 1 steals from another session, needs CAP_SYS_ADMIN).</summary>
    TIOCSCTTY = 0x540E,
    /// <summary>TIOCGPGRP: foreground process group (int*).</summary>
    TIOCGPGRP = 0x540F,
    /// <summary>TIOCSPGRP: set the foreground process group (int*); caller must be in the session.</summary>
    TIOCSPGRP = 0x5410,
    /// <summary>TIOCOUTQ: bytes in the output queue (int*).</summary>
    TIOCOUTQ = 0x5411,
    /// <summary>TIOCSTI</summary>
    TIOCSTI = 0x5412,
    /// <summary>TIOCGWINSZ: read the <see cref="WinSize"/>.</summary>
    TIOCGWINSZ = 0x5413,
    /// <summary>TIOCSWINSZ: set the <see cref="WinSize"/> (sends SIGWINCH to the foreground group on change).</summary>
    TIOCSWINSZ = 0x5414,
    /// <summary>FIONREAD (TIOCINQ): bytes ready to read (int*).</summary>
    FIONREAD = 0x541B,
    /// <summary>TIOCPKT: packet mode on a pty master (int*, 0 or 1).</summary>
    TIOCPKT = 0x5420,
    /// <summary>FIONBIO</summary>
    FIONBIO = 0x5421,
    /// <summary>TIOCNOTTY: give up the controlling terminal.</summary>
    TIOCNOTTY = 0x5422,
    /// <summary>TIOCSETD: set the line discipline (int*).</summary>
    TIOCSETD = 0x5423,
    /// <summary>TIOCGETD: the line discipline (int*).</summary>
    TIOCGETD = 0x5424,
    /// <summary>TIOCGSID: the session whose controlling terminal this is (int*).</summary>
    TIOCGSID = 0x5429,
    /// <summary>TIOCGPTN: the pty index of a master, i.e. /dev/pts/N (unsigned int*).</summary>
    TIOCGPTN = 0x80045430,
    /// <summary>TIOCSPTLCK: lock (1) or unlock (0) the slave (int*); unlockpt uses 0.</summary>
    TIOCSPTLCK = 0x40045431,
    /// <summary>TIOCGDEV: the real device number behind a console or tty (unsigned int*).</summary>
    TIOCGDEV = 0x80045432,
    /// <summary>TIOCGPKT: whether packet mode is on (int*).</summary>
    TIOCGPKT = 0x80045438,
    /// <summary>TIOCGPTLCK: whether the slave is locked (int*).</summary>
    TIOCGPTLCK = 0x80045439,
    /// <summary>TIOCGEXCL: whether exclusive mode is on (int*).</summary>
    TIOCGEXCL = 0x80045440,
    /// <summary>TIOCGPTPEER: open the slave of a master (by value: open flags); returns the new fd.</summary>
    TIOCGPTPEER = 0x5441,
    /// <summary>SIOCINQ: for sockets, unread bytes in the receive queue (= FIONREAD).</summary>
    SIOCINQ = FIONREAD,
    /// <summary>SIOCOUTQ: for sockets, unsent plus unacknowledged bytes in the send queue (= TIOCOUTQ).</summary>
    SIOCOUTQ = TIOCOUTQ,
    /// <summary>SIOCOUTQNSD: for TCP, bytes in the send queue not yet sent.</summary>
    SIOCOUTQNSD = 0x894B,
    /// <summary>SIOCGIFFLAGS: a network device's flags (<see cref="IfReqFlags"/>), in the socket's network namespace.</summary>
    SIOCGIFFLAGS = 0x8913,
    /// <summary>SIOCSIFFLAGS: set a network device's flags (<see cref="IfReqFlags"/>); needs CAP_NET_ADMIN.</summary>
    SIOCSIFFLAGS = 0x8914,
    /// <summary>TFD_IOC_SET_TICKS: set a timerfd's unread expirations (u64*); only with CONFIG_CHECKPOINT_RESTORE, else ENOTTY.</summary>
    TFD_IOC_SET_TICKS = 0x40085400,
}
