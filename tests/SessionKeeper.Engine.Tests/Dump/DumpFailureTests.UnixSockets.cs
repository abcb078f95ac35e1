using SessionKeeper.Engine.Dump;

namespace SessionKeeper.Engine.Tests.Dump;

/// <summary>Unix sockets the dump cannot save are refused before anything is written, with the reason.</summary>
public sealed partial class DumpFailureTests
{
    /// <summary>Starts python3 running <paramref name="setup"/>, then sleeping; waits until $DIR/ready exists.</summary>
    private static DumpTarget StartPython(string setup)
    {
        string script = $"import os, socket, array, sys, time\n{setup}\nopen(sys.argv[1] + '/ready', 'w').close()\ntime.sleep(1000)\n";
        DumpTarget target = DumpTarget.Start("python3", $"python3 -c \"{script.Replace("\"", "\\\"", StringComparison.Ordinal)}\" \"$DIR\"");
        string ready = Path.Combine(target.Directory, "ready");
        for (int i = 0; i < 500 && !File.Exists(ready); i++)
        {
            Thread.Sleep(10);
        }
        return File.Exists(ready) ? target : throw new TimeoutException("python3 did not set up its sockets");
    }

    private void AssertRefused(DumpTarget target, string reason)
    {
        var error = Assert.Throws<UnsupportedObjectException>(() => Dumper.Dump(target.Pid, _imageDir, new DumpOptions()));
        TestContext.Out.WriteLine(error!.Message);
        Assert.Multiple(() =>
        {
            Assert.That(error.Pid, Is.EqualTo(target.Pid));
            Assert.That(error.Kind, Does.Contain("unix socket"));
            Assert.That(error.Message, Does.Contain(reason));
            Assert.That(Directory.Exists(_imageDir) && Directory.EnumerateFileSystemEntries(_imageDir).Any(), Is.False, "nothing written");
            Assert.That(DumpTarget.TracerPid(target.Pid), Is.Zero, "not traced any more");
        });
    }

    [Test]
    public void Dump_ListenerWithConnectionNotYetAccepted_IsRefused()
    {
        using DumpTarget target = StartPython(
            "s = socket.socket(socket.AF_UNIX)\ns.bind('\\0keeper-test-' + str(os.getpid()))\ns.listen(4)\n" +
            "c = socket.socket(socket.AF_UNIX)\nc.connect('\\0keeper-test-' + str(os.getpid()))");
        AssertRefused(target, "waiting in its accept queue");
    }

    [Test]
    public void Dump_DescriptorInFlight_IsRefused()
    {
        using DumpTarget target = StartPython(
            "a, b = socket.socketpair()\nb.sendmsg([b'x'], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array('i', [0]))])");
        AssertRefused(target, "SCM_RIGHTS");
    }
}
