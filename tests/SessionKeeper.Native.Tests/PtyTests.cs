namespace SessionKeeper.Native.Tests;

public sealed class PtyTests
{
    private const uint Echo = 0x8; // ECHO in c_lflag (asm-generic/termbits.h)
    private const uint PtySlaveMajorFirst = 136; // UNIX98_PTY_SLAVE_MAJOR

    private SafeFd _master = null!;

    [SetUp]
    public void OpenMaster()
    {
        _master = Interop.Open("/dev/ptmx", OpenFlags.O_RDWR | OpenFlags.O_NOCTTY);
        Interop.UnlockPty(_master);
    }

    [TearDown]
    public void CloseMaster() => _master.Dispose();

    [Test]
    public void GetPtyIndex_NewMaster_MatchesTheSlaveDeviceMinor()
    {
        int index = Interop.GetPtyIndex(_master);
        using SafeFd slave = Interop.OpenPtyPeer(_master);

        Stat st = Interop.Fstat(slave);
        Assert.Multiple(() =>
        {
            Assert.That(st.RdevMajor, Is.GreaterThanOrEqualTo(PtySlaveMajorFirst));
            Assert.That((st.RdevMajor - PtySlaveMajorFirst) * 256 + st.RdevMinor, Is.EqualTo((uint)index));
            Assert.That(Interop.Readlink($"/proc/self/fd/{slave.Fd}"), Is.EqualTo($"/dev/pts/{index}"));
        });
    }

    [Test]
    public void SetWinSize_OnMaster_IsSeenOnTheSlave()
    {
        using SafeFd slave = Interop.OpenPtyPeer(_master);

        Interop.SetWinSize(_master, new WinSize { Rows = 41, Columns = 132, XPixels = 7, YPixels = 9 });

        WinSize size = Interop.GetWinSize(slave);
        Assert.That((size.Rows, size.Columns, size.XPixels, size.YPixels), Is.EqualTo(((ushort)41, (ushort)132, (ushort)7, (ushort)9)));
    }

    [Test]
    public void SetTermios_EchoCleared_TcgetsReportsItCleared()
    {
        using SafeFd slave = Interop.OpenPtyPeer(_master);
        Termios termios = Interop.GetTermios(slave);
        Assume.That(termios.LocalFlags & Echo, Is.EqualTo(Echo), "a new pty starts with ECHO on");

        termios.LocalFlags &= ~Echo;
        Interop.SetTermios(slave, termios);

        Assert.That(Interop.GetTermios(slave).LocalFlags & Echo, Is.Zero);
    }

    [Test]
    public void Tiocpkt_Enabled_TiocgpktReportsPacketMode()
    {
        Assume.That(Interop.IoctlGet<int>(_master, IoctlRequest.TIOCGPKT), Is.Zero);

        Interop.IoctlSet(_master, IoctlRequest.TIOCPKT, 1);

        Assert.That(Interop.IoctlGet<int>(_master, IoctlRequest.TIOCGPKT), Is.EqualTo(1));
    }

    [Test]
    public void Fionread_BytesWrittenToSlave_AreQueuedOnTheMaster()
    {
        using SafeFd slave = Interop.OpenPtyPeer(_master);
        Termios raw = Interop.GetTermios(slave);
        raw.OutputFlags = 0; // no ONLCR: the bytes arrive as written

        Interop.SetTermios(slave, raw);
        Interop.WriteAll(slave, "queued"u8);

        // Slave output reaches the master through the tty flip buffer, pushed by a kernel
        // work item, so the count appears shortly after the write returns.
        Assert.That(() => Interop.IoctlGet<int>(_master, IoctlRequest.FIONREAD), Is.EqualTo(6).After(2000, 10));
    }

    [Test]
    public void Ioctl_TtyRequestOnRegularFile_ThrowsEnotty()
    {
        using SafeFd file = Interop.Open("/etc/hostname", OpenFlags.O_RDONLY);

        var error = Assert.Throws<ErrnoException>(() => Interop.GetTermios(file))!;

        Assert.Multiple(() =>
        {
            Assert.That(error.Errno, Is.EqualTo(Errno.ENOTTY));
            Assert.That(error.Call, Is.EqualTo("ioctl(TCGETS)"));
        });
    }
}
