using SessionKeeper.Engine.Dump;
using SessionKeeper.Native;

namespace SessionKeeper.Engine.Kinds.Tty;

/// <summary>
/// Device numbers of Unix98 pseudo-terminals (Documentation/admin-guide/devices.txt) and the
/// termios work both the dump and the restore do on a pair: reading the queued data out of it
/// and writing it back in without the line discipline changing a byte.
/// </summary>
internal static class PtyDevice
{
    /// <summary>/dev/ptmx (and every devpts instance's ptmx) is character device 5:2.</summary>
    private const uint PtmxMajor = 5;

    /// <summary>Major of /dev/tty, /dev/console and /dev/ptmx (TTYAUX_MAJOR).</summary>
    private const uint TtyAuxMajor = 5;

    /// <summary>Major of the virtual consoles (TTY_MAJOR).</summary>
    private const uint VirtualConsoleMajor = 4;
    private const uint PtmxMinor = 2;

    /// <summary>Slaves use majors 136-143 (UNIX98_PTY_SLAVE_MAJOR and the next seven), 256 minors each.</summary>
    private const uint SlaveMajorFirst = 136;
    private const uint SlaveMajorLast = 143;

    // termios bits (asm-generic/termbits.h).
    private const uint Icanon = 0x2;
    private const uint Isig = 0x1;
    private const uint EchoBits = 0x8 | 0x10 | 0x20 | 0x40 | 0x200 | 0x400 | 0x800; // ECHO ECHOE ECHOK ECHONL ECHOCTL ECHOPRT ECHOKE
    private const uint Iexten = 0x8000;
    private const uint InputProcessing = 0x20 | 0x40 | 0x80 | 0x100 | 0x200 | 0x400 | 0x1000; // ISTRIP INLCR IGNCR ICRNL IUCLC IXON IXOFF
    private const uint Opost = 0x1;

    /// <summary>The kernel's N_TTY_BUF_SIZE: no queue of a pty holds more.</summary>
    public const int MaxQueued = 4096;

    public static bool IsMaster(ulong rdev) => FdClassifier.Major(rdev) == TtyAuxMajor && FdClassifier.Minor(rdev) == PtmxMinor;

    /// <summary>/dev/tty, the caller's controlling terminal, is 5:0.</summary>
    public static bool IsControllingTerminal(ulong rdev) => FdClassifier.Major(rdev) == TtyAuxMajor && FdClassifier.Minor(rdev) == 0;

    /// <summary>/dev/console (5:1) and the virtual consoles /dev/tty0-63 (major 4, minors 0-63; higher minors are serial ports).</summary>
    public static bool IsConsole(ulong rdev) =>
        (FdClassifier.Major(rdev) == TtyAuxMajor && FdClassifier.Minor(rdev) == 1)
        || (FdClassifier.Major(rdev) == VirtualConsoleMajor && FdClassifier.Minor(rdev) < 64);

    public static bool IsSlave(ulong rdev) => FdClassifier.Major(rdev) is >= SlaveMajorFirst and <= SlaveMajorLast;

    /// <summary>N of /dev/pts/N for a slave's device number.</summary>
    public static uint SlaveIndex(ulong rdev) => ((FdClassifier.Major(rdev) - SlaveMajorFirst) * 256) + FdClassifier.Minor(rdev);

    /// <summary>
    /// The pty index of a /proc/PID/stat tty_nr (major in bits 15-8, minor in 31-20 and 7-0),
    /// or null when it is 0 or not a pty slave.
    /// </summary>
    public static uint? IndexOfTtyNr(int ttyNr)
    {
        if (ttyNr == 0)
        {
            return null;
        }
        uint major = ((uint)ttyNr >> 8) & 0xfff;
        uint minor = ((uint)ttyNr & 0xff) | (((uint)ttyNr >> 12) & 0xfff00);
        return major is >= SlaveMajorFirst and <= SlaveMajorLast ? ((major - SlaveMajorFirst) * 256) + minor : null;
    }

    public static int GetInt(SafeFd fd, IoctlRequest request) => Interop.IoctlGet<int>(fd, request);

    public static void SetInt(SafeFd fd, IoctlRequest request, int value) => Interop.IoctlSet(fd, request, value);

    /// <summary>
    /// Takes everything the slave side has not read yet out of its input queue. With ICANON
    /// the queue also holds a line not finished yet, which a read would not return and FIONREAD
    /// would not count; switching ICANON off for the moment makes every queued byte readable.
    /// </summary>
    public static byte[] TakeInput(SafeFd slave, in Termios saved)
    {
        Termios raw = saved;
        raw.LocalFlags &= ~Icanon;
        Interop.SetTermios(slave, raw);
        try
        {
            return ReadQueued(slave);
        }
        finally
        {
            Interop.SetTermios(slave, saved);
        }
    }

    /// <summary>
    /// Takes everything the master side has not read yet. Packet mode must be off (see
    /// <see cref="TtyDump"/>), so the bytes come without packet headers.
    /// </summary>
    public static byte[] TakeOutput(SafeFd master) => ReadQueued(master);

    /// <summary>Reads exactly what FIONREAD counts (a read never blocks, whatever O_NONBLOCK says).</summary>
    private static byte[] ReadQueued(SafeFd fd)
    {
        int queued = GetInt(fd, IoctlRequest.FIONREAD);
        var data = new byte[Math.Min(queued, MaxQueued)];
        int done = 0;
        while (done < data.Length)
        {
            int n = Interop.Read(fd, data.AsSpan(done));
            if (n <= 0)
            {
                break;
            }
            done += n;
        }
        return data[..done];
    }

    /// <summary>
    /// Puts bytes back into the slave's input queue: written to the master with the slave's
    /// input processing, echo and signal characters off, so that they land as they were read
    /// (already processed once), with ICANON as saved so that lines form again; then waits until
    /// the line discipline has taken them, and sets <paramref name="saved"/> again.
    /// </summary>
    public static void PutInput(SafeFd master, SafeFd slave, in Termios saved, ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }
        Termios quiet = saved;
        quiet.InputFlags &= ~InputProcessing;
        quiet.LocalFlags &= ~(EchoBits | Isig | Iexten);
        Interop.SetTermios(slave, quiet);
        try
        {
            Interop.WriteAll(master, data);
            // A pty hands written bytes to the other side's line discipline from a work item.
            // In canonical mode FIONREAD counts complete lines only: wait for those, then give
            // the same work item a moment for the unfinished line after them.
            bool canonical = (saved.LocalFlags & Icanon) != 0;
            int expected = canonical ? data.LastIndexOf((byte)'\n') + 1 : data.Length;
            WaitQueued(slave, expected);
            if (canonical && expected < data.Length)
            {
                Thread.Sleep(20);
            }
        }
        finally
        {
            Interop.SetTermios(slave, saved);
        }
    }

    /// <summary>
    /// Puts bytes back into the master's read queue: written to the slave with OPOST off, so
    /// output processing (ONLCR and the like), which they went through already, is not applied
    /// twice; then waits until the master's line discipline has them.
    /// </summary>
    public static void PutOutput(SafeFd master, SafeFd slave, in Termios saved, ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }
        Termios plain = saved;
        plain.OutputFlags &= ~Opost;
        Interop.SetTermios(slave, plain);
        try
        {
            int before = GetInt(master, IoctlRequest.FIONREAD);
            Interop.WriteAll(slave, data);
            WaitQueued(master, before + data.Length);
        }
        finally
        {
            Interop.SetTermios(slave, saved);
        }
    }

    private static void WaitQueued(SafeFd fd, int expected)
    {
        for (int i = 0; i < 2000 && GetInt(fd, IoctlRequest.FIONREAD) < expected; i++)
        {
            Thread.Sleep(1);
        }
        int now = GetInt(fd, IoctlRequest.FIONREAD);
        if (now < expected)
        {
            throw new InvalidOperationException($"the pty took {now} of {expected} queued bytes back within 2 s");
        }
    }
}
