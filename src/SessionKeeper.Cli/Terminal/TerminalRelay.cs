using System.Runtime.InteropServices;
using SessionKeeper.Native;

namespace SessionKeeper.Cli.Terminal;

/// <summary>
/// Serves the master of a re-bound terminal from keeper's own standard input and output, as
/// a terminal emulator would: keystrokes go to the restored program, its output comes back.
/// On a terminal, keeper's side is put in raw mode (restored afterwards) and window size
/// changes are passed on. Ends when the program side has closed the terminal.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal static class TerminalRelay
{
    // termios bits (asm-generic/termbits.h).
    private const uint RawClearedInput = 0x1 | 0x2 | 0x8 | 0x20 | 0x40 | 0x80 | 0x100 | 0x400; // IGNBRK BRKINT PARMRK ISTRIP INLCR IGNCR ICRNL IXON
    private const uint Opost = 0x1;
    private const uint RawClearedLocal = 0x1 | 0x2 | 0x8 | 0x40 | 0x8000; // ISIG ICANON ECHO ECHONL IEXTEN
    private const uint Csize = 0x30, Cs8 = 0x30, Parenb = 0x100;
    private const int Vtime = 5, Vmin = 6;

    public static void Serve(SafeFd master)
    {
        using var input = new SafeFd(0, ownsHandle: false);
        using var output = new SafeFd(1, ownsHandle: false);
        Termios? saved = TryGetTermios(input);
        using PosixSignalRegistration? resize = saved is null ? null : PosixSignalRegistration.Create(PosixSignal.SIGWINCH, context =>
        {
            CopyWindowSize(input, master);
            context.Cancel = true;
        });
        if (saved is { } original)
        {
            CopyWindowSize(input, master);
            Interop.SetTermios(input, MakeRaw(original));
        }
        try
        {
            Relay(input, output, master);
        }
        finally
        {
            if (saved is { } original2)
            {
                Interop.SetTermios(input, original2);
            }
        }
    }

    private static void Relay(SafeFd input, SafeFd output, SafeFd master)
    {
        var buffer = new byte[1 << 16];
        bool inputOpen = true;
        Span<PollFd> fds = stackalloc PollFd[2];
        while (true)
        {
            fds[0] = new PollFd { Fd = inputOpen ? 0 : -1, Events = PollEvents.POLLIN };
            fds[1] = new PollFd { Fd = master.Fd, Events = PollEvents.POLLIN };
            Interop.Poll(fds, -1);
            if ((fds[1].Revents & (PollEvents.POLLIN | PollEvents.POLLHUP | PollEvents.POLLERR)) != 0)
            {
                int n = ReadOrEnd(master, buffer);
                if (n <= 0)
                {
                    return;
                }
                Interop.WriteAll(output, buffer.AsSpan(0, n));
            }
            if (inputOpen && (fds[0].Revents & (PollEvents.POLLIN | PollEvents.POLLHUP | PollEvents.POLLERR)) != 0)
            {
                int n = ReadOrEnd(input, buffer);
                if (n <= 0)
                {
                    // Nothing more to type; the program's output is still shown until it closes the terminal.
                    inputOpen = false;
                    continue;
                }
                Interop.WriteAll(master, buffer.AsSpan(0, n));
            }
        }
    }

    /// <summary>read(2); 0 at the end, also for EIO, which a master reports once no slave is open.</summary>
    private static int ReadOrEnd(SafeFd fd, byte[] buffer)
    {
        try
        {
            return Interop.Read(fd, buffer);
        }
        catch (ErrnoException e) when (e.Errno == Errno.EIO)
        {
            return 0;
        }
    }

    private static Termios? TryGetTermios(SafeFd fd)
    {
        try
        {
            return Interop.GetTermios(fd);
        }
        catch (ErrnoException)
        {
            return null;
        }
    }

    private static void CopyWindowSize(SafeFd from, SafeFd to)
    {
        try
        {
            Interop.SetWinSize(to, Interop.GetWinSize(from));
        }
        catch (ErrnoException)
        {
            // A size that cannot be read or set leaves the old one: not worth stopping for.
        }
    }

    private static unsafe Termios MakeRaw(Termios termios)
    {
        termios.InputFlags &= ~RawClearedInput;
        termios.OutputFlags &= ~Opost;
        termios.LocalFlags &= ~RawClearedLocal;
        termios.ControlFlags = (termios.ControlFlags & ~(Csize | Parenb)) | Cs8;
        termios.ControlChars[Vmin] = 1;
        termios.ControlChars[Vtime] = 0;
        return termios;
    }
}
