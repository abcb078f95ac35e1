using System.Text;
using SessionKeeper.Engine.Dump;
using SessionKeeper.Images;
using SessionKeeper.Images.V1;
using SessionKeeper.Native;

namespace SessionKeeper.Engine.Tests.Dump;

// Pipes and FIFOs in a dump: their data saved without being consumed, and pipes to the outside refused.
public sealed partial class DumperTests
{
    [Test]
    public void Dump_FifoWithData_SavesTheBytesAndLeavesThemInTheFifo()
    {
        using DumpTarget target = DumpTarget.Start("sleep", "bash -c \"mkfifo $DIR/f; exec sleep 1011 3<>$DIR/f\"");
        string fifo = Path.Combine(target.Directory, "f");
        using (SafeFd writer = Interop.Open(fifo, OpenFlags.O_WRONLY | OpenFlags.O_NONBLOCK))
        {
            Interop.WriteAll(writer, "hello"u8);
        }

        Dumper.Dump(target.Pid, _imageDir, new DumpOptions { Mode = DumpMode.LeaveRunning });

        FileEntry end = ImageReader.ReadFile<FileEntry>(Path.Combine(_imageDir, "files.img")).Single(f => f.KindCase == FileEntry.KindOneofCase.Fifo);
        using SafeFd reader = Interop.Open(fifo, OpenFlags.O_RDONLY | OpenFlags.O_NONBLOCK);
        byte[] left = new byte[16];
        int n = Interop.Read(reader, left);
        Assert.Multiple(() =>
        {
            Assert.That(end.Fifo.Path, Is.EqualTo(fifo));
            Assert.That(end.Flags & (uint)OpenFlags.O_ACCMODE, Is.EqualTo((uint)OpenFlags.O_RDWR));
            Assert.That(end.Fifo.Data.Data.InlineData.ToStringUtf8(), Is.EqualTo("hello"));
            Assert.That(end.Fifo.Data.PipeSize, Is.EqualTo(65536));
            Assert.That(Encoding.UTF8.GetString(left, 0, n), Is.EqualTo("hello"), "the data is still in the FIFO");
        });
    }

    [Test]
    public void Dump_PipeWhoseWriterIsGone_SavesItsDataOnce()
    {
        // <(printf) is a pipe whose writer exits at once: only read ends are left, in sleep.
        using DumpTarget target = DumpTarget.Start("sleep", "bash -c 'exec sleep 1012 3< <(printf hello)'");
        Thread.Sleep(200);

        Dumper.Dump(target.Pid, _imageDir, new DumpOptions { Mode = DumpMode.LeaveRunning });

        List<FileEntry> ends = ImageReader.ReadFile<FileEntry>(Path.Combine(_imageDir, "files.img"))
            .Where(f => f.KindCase == FileEntry.KindOneofCase.Pipe).ToList();
        Assert.That(ends, Is.Not.Empty);
        Assert.Multiple(() =>
        {
            Assert.That(ends.Select(e => e.Pipe.PipeId).Distinct().Count(), Is.EqualTo(1), "one pipe");
            Assert.That(ends.Count(e => e.Pipe.Data is not null), Is.EqualTo(1), "its data saved once");
            Assert.That(ends.Single(e => e.Pipe.Data is not null).Pipe.Data.Data.InlineData.ToStringUtf8(), Is.EqualTo("hello"));
        });
    }

    [Test]
    public void Dump_PipeToAProcessOutsideTheTree_FailsNamingBothWritesNothingAndReleasesTheTree()
    {
        // Two sleeps joined by a pipe; only the writer is dumped, its reader is a sibling.
        using DumpTarget shell = DumpTarget.Start("bash", "bash -c 'sleep 1013 | sleep 1014; :'");
        int[] children = DumpTarget.WaitForChildren(shell.Pid, 2);
        int writer = children.Single(c => Interop.Readlink($"/proc/{c}/fd/1").StartsWith("pipe:", StringComparison.Ordinal));
        int reader = children.Single(c => c != writer);

        var error = Assert.Throws<UnsupportedObjectException>(() => Dumper.Dump(writer, _imageDir, new DumpOptions()));
        TestContext.Out.WriteLine(error!.Message);
        Assert.Multiple(() =>
        {
            Assert.That(error.Pid, Is.EqualTo(writer));
            Assert.That(error.Fd, Is.EqualTo(1));
            Assert.That(error.Message, Does.Contain("outside the tree").And.Contain($"pid {reader} fd 0"));
            Assert.That(Directory.Exists(_imageDir) && Directory.EnumerateFileSystemEntries(_imageDir).Any(), Is.False, "nothing written");
            Assert.That(DumpTarget.TracerPid(writer), Is.Zero, "not traced any more");
            Assert.That(() => DumpTarget.State(writer), Is.EqualTo('S').After(2000, 10));
        });
    }
}
