namespace SessionKeeper.Native.Tests;

public sealed class FileTests
{
    private string _directory = "";

    [SetUp]
    public void CreateDirectory() => _directory = Directory.CreateTempSubdirectory("keeper-native-").FullName;

    [TearDown]
    public void RemoveDirectory() => Directory.Delete(_directory, recursive: true);

    [Test]
    public void Open_MissingPath_ThrowsEnoentNamingThePath()
    {
        string path = Path.Combine(_directory, "missing");

        var error = Assert.Throws<ErrnoException>(() => Interop.Open(path, OpenFlags.O_RDONLY))!;

        Assert.Multiple(() =>
        {
            Assert.That(error.Errno, Is.EqualTo(Errno.ENOENT));
            Assert.That(error.Call, Is.EqualTo("open"));
            Assert.That(error.Message, Does.Contain(path).And.Contain("ENOENT"));
        });
    }

    [Test]
    public void TryListNumericEntries_ManyEntries_ListsEveryNumericNameAndNothingElse()
    {
        // More entries than one getdents64 call returns, mixed with names that are not numbers.
        var expected = Enumerable.Range(0, 1500).Select(i => i * 7).ToList();
        foreach (int n in expected)
        {
            File.WriteAllBytes(Path.Combine(_directory, n.ToString(System.Globalization.CultureInfo.InvariantCulture)), []);
        }
        File.WriteAllBytes(Path.Combine(_directory, "12a"), []);
        Directory.CreateDirectory(Path.Combine(_directory, "self"));
        var numbers = new List<int>();

        bool found = Interop.TryListNumericEntries(_directory, numbers);

        Assert.Multiple(() =>
        {
            Assert.That(found, Is.True);
            Assert.That(numbers, Is.EquivalentTo(expected));
        });
    }

    [Test]
    public void TryListNumericEntries_OwnFds_MatchWhatTheProcessHoldsOpen()
    {
        using SafeFd fd = Interop.Open("/dev/null", OpenFlags.O_RDONLY);
        using FdLease lease = fd.Lease();
        var numbers = new List<int>();

        Interop.TryListNumericEntries($"/proc/{Environment.ProcessId}/fd", numbers);

        Assert.That(numbers, Does.Contain(lease.Fd).And.Contain(0));
    }

    [Test]
    public void TryListNumericEntries_MissingDirectory_ReturnsFalse()
    {
        Assert.That(Interop.TryListNumericEntries(Path.Combine(_directory, "missing"), []), Is.False);
    }

    [Test]
    public void TryOpen_MissingPath_ReturnsNull()
    {
        Assert.That(Interop.TryOpen(Path.Combine(_directory, "missing"), OpenFlags.O_RDONLY), Is.Null);
    }

    [Test]
    public void Open_AnyFile_SetsCloseOnExec()
    {
        using SafeFd fd = Interop.Open("/dev/null", OpenFlags.O_RDONLY);

        Assert.That(Interop.GetCloseOnExec(fd), Is.True);
    }

    [Test]
    public void PwriteThenPread_AtOffset_RoundTripsWithoutMovingThePosition()
    {
        using SafeFd fd = Interop.Open(Path.Combine(_directory, "data"), OpenFlags.O_RDWR | OpenFlags.O_CREAT, 0x180);
        byte[] data = [1, 2, 3, 4, 5];

        Interop.Pwrite(fd, data, 4096);
        var back = new byte[5];
        int n = Interop.Pread(fd, back, 4096);

        Assert.Multiple(() =>
        {
            Assert.That(n, Is.EqualTo(5));
            Assert.That(back, Is.EqualTo(data));
            Assert.That(Interop.Lseek(fd, 0, SeekWhence.SEEK_CUR), Is.EqualTo(0));
            Assert.That(Interop.Fstat(fd).Size, Is.EqualTo(4096 + 5));
        });
    }

    [Test]
    public void Pipe2_WriteThenRead_DeliversTheBytes()
    {
        (SafeFd read, SafeFd write) = Interop.Pipe2();
        using (read)
        using (write)
        {
            Interop.WriteAll(write, "hello"u8);
            var buffer = new byte[16];
            int n = Interop.Read(read, buffer);

            Assert.Multiple(() =>
            {
                Assert.That(buffer[..n], Is.EqualTo("hello"u8.ToArray()));
                Assert.That(Interop.Fstat(read).FileType, Is.EqualTo(Stat.TypeFifo));
            });
        }
    }

    [Test]
    public void SetStatusFlags_NonBlock_IsReportedByGetStatusFlags()
    {
        (SafeFd read, SafeFd write) = Interop.Pipe2();
        using (read)
        using (write)
        {
            Interop.SetStatusFlags(read, Interop.GetStatusFlags(read) | OpenFlags.O_NONBLOCK);

            Assert.That(Interop.GetStatusFlags(read) & OpenFlags.O_NONBLOCK, Is.EqualTo(OpenFlags.O_NONBLOCK));
            var error = Assert.Throws<ErrnoException>(() => Interop.Read(read, new byte[1]))!;
            Assert.That(error.Errno, Is.EqualTo(Errno.EAGAIN));
        }
    }

    [Test]
    public void Dup3_ToChosenNumber_SharesTheOpenFileDescription()
    {
        using SafeFd original = Interop.Open("/dev/null", OpenFlags.O_RDONLY);
        using SafeFd copy = Interop.Dup3(original, 900, closeOnExec: false);

        int self = Environment.ProcessId;
        Assert.Multiple(() =>
        {
            Assert.That(copy.Fd, Is.EqualTo(900));
            Assert.That(Interop.GetCloseOnExec(copy), Is.False);
            Assert.That(Interop.Kcmp(self, self, KcmpType.KCMP_FILE, (ulong)original.Fd, 900), Is.EqualTo(KcmpOrder.Equal));
        });
    }

    [Test]
    public void Readlink_TargetLongerThanFirstBuffer_ReturnsWholeTarget()
    {
        string target = "/" + string.Join('/', Enumerable.Repeat(new string('x', 200), 10));
        string link = Path.Combine(_directory, "link");
        File.CreateSymbolicLink(link, target);

        Assert.That(Interop.Readlink(link), Is.EqualTo(target));
    }

    [Test]
    public void TryReadlink_MissingLink_ReturnsNull()
    {
        Assert.That(Interop.TryReadlink(Path.Combine(_directory, "missing")), Is.Null);
    }

    [Test]
    public void SafeFd_Disposed_ClosesTheDescriptor()
    {
        SafeFd fd = Interop.Open("/dev/null", OpenFlags.O_RDONLY);
        int number = fd.Fd;

        fd.Dispose();

        Assert.That(Interop.TryReadlink($"/proc/self/fd/{number}"), Is.Null);
    }
}
