using SessionKeeper.Engine.Dump;
using SessionKeeper.Images;
using SessionKeeper.Images.V1;

namespace SessionKeeper.Engine.Tests.Dump;

/// <summary>What the dump records of epoll instances, checked in files.img.</summary>
[TestFixture]
[NonParallelizable]
public sealed class EventFileDumpTests
{
    // An epoll with an eventfd target registered under fd A; then the eventfd moves to fd B
    // (dup2 + close), so A no longer names it. With "orphan", a child keeps the eventfd and the
    // parent closes its last fd of it: the registration lives on with no fd of the parent.
    private const string Script = """
        import os, select, sys, time
        e = os.eventfd(3)
        ep = select.epoll()
        ep.register(e, select.EPOLLIN | select.EPOLLET)
        parent = os.getpid()
        if sys.argv[2] == "orphan":
            if os.fork() == 0:
                while os.getppid() == parent:
                    time.sleep(0.05)
                os._exit(0)
            os.close(e)
            moved = -1
        else:
            moved = os.dup2(e, 40)
            os.close(e)
        with open(sys.argv[1] + "/ready.tmp", "w") as f:
            f.write(f"epoll={ep.fileno()}\nadded={e}\nmoved={moved}\n")
        os.rename(sys.argv[1] + "/ready.tmp", sys.argv[1] + "/ready")
        time.sleep(3600)
        """;

    private string _imageDir = null!;
    private string _script = null!;

    [SetUp]
    public void SetUp()
    {
        _imageDir = Path.Combine(Path.GetTempPath(), $"keeper-dump-{Guid.NewGuid():N}");
        _script = Path.Combine(Path.GetTempPath(), $"keeper-epoll-{Guid.NewGuid():N}.py");
        File.WriteAllText(_script, Script);
    }

    [TearDown]
    public void TearDown()
    {
        File.Delete(_script);
        if (Directory.Exists(_imageDir))
        {
            Directory.Delete(_imageDir, recursive: true);
        }
    }

    private DumpTarget Start(string variant)
    {
        DumpTarget target = DumpTarget.Start("python3", $"python3 '{_script}' \"$DIR\" {variant}");
        string ready = Path.Combine(target.Directory, "ready");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!File.Exists(ready))
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(10))
            {
                target.Dispose();
                Assert.Fail("the script did not get ready");
            }
            Thread.Sleep(5);
        }
        Thread.Sleep(50); // into its sleep
        foreach (string line in File.ReadAllLines(ready))
        {
            int eq = line.IndexOf('=');
            target.Values[line[..eq]] = line[(eq + 1)..];
        }
        return target;
    }

    [Test]
    public void Dump_EpollTargetMovedToAnotherFd_RecordsBothNumbersAndTheFile()
    {
        using DumpTarget target = Start("moved");
        int epollFd = target.IntValue("epoll");
        int added = target.IntValue("added");
        int moved = target.IntValue("moved");

        Dumper.Dump(target.Pid, _imageDir, new DumpOptions());

        List<FileEntry> files = ImageReader.ReadFile<FileEntry>(Path.Combine(_imageDir, "files.img"));
        List<FdEntry> fds = ImageReader.ReadFile<FdEntry>(Path.Combine(_imageDir, $"fdinfo-{target.Pid}.img"));
        FileEntry epoll = files.Single(f => f.Id == fds.Single(e => e.Fd == epollFd).FileId);
        FileEntry eventfd = files.Single(f => f.Id == fds.Single(e => e.Fd == moved).FileId);
        EpollTarget registered = epoll.Epoll.Targets.Single();
        Assert.Multiple(() =>
        {
            Assert.That(eventfd.Eventfd.Counter, Is.EqualTo(3));
            Assert.That(registered.Fd, Is.EqualTo(added));
            Assert.That(registered.CurrentFd, Is.EqualTo(moved));
            Assert.That(registered.FileId, Is.EqualTo(eventfd.Id));
            // epoll_ctl always adds EPOLLERR and EPOLLHUP.
            Assert.That(registered.Events, Is.EqualTo(0x80000019u));
            Assert.That(registered.Data, Is.EqualTo((ulong)added));
        });
    }

    [Test]
    public void Dump_EpollTargetOpenInNoFdOfTheProcess_FailsNamingTheTarget()
    {
        using DumpTarget target = Start("orphan");
        int epollFd = target.IntValue("epoll");
        int added = target.IntValue("added");

        var error = Assert.Throws<UnsupportedObjectException>(() => Dumper.Dump(target.Pid, _imageDir, new DumpOptions()));

        TestContext.Out.WriteLine(error!.Message);
        Assert.Multiple(() =>
        {
            Assert.That(error.Pid, Is.EqualTo(target.Pid));
            Assert.That(error.Fd, Is.EqualTo(epollFd));
            Assert.That(error.Message, Does.Contain($"target fd {added}").And.Contain("no longer open"));
            Assert.That(DumpTarget.TracerPid(target.Pid), Is.Zero, "not traced any more");
        });
    }
}
