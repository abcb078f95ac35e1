/* The kernel's termios (c_cc[19], no speed fields) and the tty ioctl numbers. glibc's
 * termios.h declares a different struct termios, so this unit includes only asm headers. */
#include <asm/termios.h>
#include "abi.h"

void abi_termbits(void)
{
    S(Termios, struct termios);
    F(Termios, InputFlags, struct termios, c_iflag);
    F(Termios, OutputFlags, struct termios, c_oflag);
    F(Termios, ControlFlags, struct termios, c_cflag);
    F(Termios, LocalFlags, struct termios, c_lflag);
    F(Termios, Line, struct termios, c_line);
    F(Termios, ControlChars, struct termios, c_cc);

    S(WinSize, struct winsize);
    F(WinSize, Rows, struct winsize, ws_row);
    F(WinSize, Columns, struct winsize, ws_col);
    F(WinSize, XPixels, struct winsize, ws_xpixel);
    F(WinSize, YPixels, struct winsize, ws_ypixel);

    C(IoctlRequest, TCGETS);
    C(IoctlRequest, TCSETS);
    C(IoctlRequest, TCSETSW);
    C(IoctlRequest, TCSETSF);
    C(IoctlRequest, TCFLSH);
    C(IoctlRequest, TIOCEXCL);
    C(IoctlRequest, TIOCNXCL);
    C(IoctlRequest, TIOCSCTTY);
    C(IoctlRequest, TIOCGPGRP);
    C(IoctlRequest, TIOCSPGRP);
    C(IoctlRequest, TIOCOUTQ);
    C(IoctlRequest, TIOCSTI);
    C(IoctlRequest, TIOCGWINSZ);
    C(IoctlRequest, TIOCSWINSZ);
    C(IoctlRequest, FIONREAD);
    C(IoctlRequest, TIOCPKT);
    C(IoctlRequest, FIONBIO);
    C(IoctlRequest, TIOCNOTTY);
    C(IoctlRequest, TIOCSETD);
    C(IoctlRequest, TIOCGETD);
    C(IoctlRequest, TIOCGSID);
    C(IoctlRequest, TIOCGPTN);
    C(IoctlRequest, TIOCSPTLCK);
    C(IoctlRequest, TIOCGDEV);
    C(IoctlRequest, TIOCGPKT);
    C(IoctlRequest, TIOCGPTLCK);
    C(IoctlRequest, TIOCGEXCL);
    C(IoctlRequest, TIOCGPTPEER);
}
