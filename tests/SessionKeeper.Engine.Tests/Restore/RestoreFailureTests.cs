using System.Security.Cryptography;
using SessionKeeper.Engine.Dump;
using SessionKeeper.Engine.Restore;
using SessionKeeper.Engine.Tests.Dump;
using SessionKeeper.Images;
using SessionKeeper.Images.V1;
using SessionKeeper.Native;

namespace SessionKeeper.Engine.Tests.Restore;

/// <summary>A restore that fails removes everything it created and leaves the images as they were.</summary>
[TestFixture]
public sealed class RestoreFailureTests
{
    private string _images = null!;

    [SetUp]
    public void SetUp() => _images = Path.Combine(Directory.CreateTempSubdirectory("keeper-restore-").FullName, "images");

    [TearDown]
    public void TearDown() => Directory.Delete(Path.GetDirectoryName(_images)!, true);

    [Test]
    public void Restore_NoSuchDirectory_FailsNamingIt()
    {
        var error = Assert.Throws<FileNotFoundException>(() => Restorer.Restore(_images + "-missing"));
        Assert.That(error!.Message, Does.Contain(_images + "-missing"));
    }

    [Test]
    public void Restore_TruncatedPages_IsRefusedBeforeAnythingStarts()
    {
        int pid = DumpAndEnd("sleep", "sleep 1005");
        string pages = Path.Combine(_images, $"pages-{pid}.img");
        using (var stream = new FileStream(pages, FileMode.Open))
        {
            stream.SetLength(stream.Length / 2);
        }
        int hostsBefore = CountHosts();

        var error = Assert.Throws<InvalidDataException>(() => Restorer.Restore(_images));

        Assert.That(error!.Message, Does.Contain(pages));
        // At most the zombie of the dumped original, which init reaps late.
        Assert.That(DumpTarget.State(pid), Is.AnyOf('?', 'Z'), "nothing was started");
        Assert.That(CountHosts(), Is.LessThanOrEqualTo(hostsBefore));
    }

    [Test]
    public void Restore_WhileTheOriginalRuns_FailsNamingThePidAndItsOwner()
    {
        using DumpTarget sleeper = DumpTarget.Start("sleep", "sleep 1006");
        Dumper.Dump(sleeper.Pid, _images, new DumpOptions { Mode = DumpMode.LeaveRunning });
        int hostsBefore = CountHosts();

        var error = Assert.Throws<RestoreException>(() => Restorer.Restore(_images));

        Assert.Multiple(() =>
        {
            Assert.That(error!.Message, Does.Contain($"PID {sleeper.Pid}").And.Contain("sleep"));
            Assert.That(() => DumpTarget.State(sleeper.Pid), Is.EqualTo('S').After(2000, 10), "the original is untouched");
            Assert.That(DumpTarget.TracerPid(sleeper.Pid), Is.Zero);
            Assert.That(CountHosts(), Is.LessThanOrEqualTo(hostsBefore), "no restore host left behind");
        });
    }

    [Test]
    public void Restore_FailingHalfway_KillsEveryProcessItCreatedAndKeepsTheImages()
    {
        // A parent with two children; the last child's executable is missing, so the restore
        // fails after all three processes exist and the first ones are rebuilt.
        using DumpTarget shell = DumpTarget.Start("bash", "bash -c 'sleep 1007 & sleep 1008 & wait'");
        int[] children = DumpTarget.WaitForChildren(shell.Pid, 2);
        Dumper.Dump(shell.Pid, _images, new DumpOptions { Mode = DumpMode.Kill });
        int[] pids = [shell.Pid, .. children];
        foreach (int pid in pids)
        {
            Assert.That(DumpTarget.WaitGone(pid, 5000), Is.True);
        }
        string mmPath = Path.Combine(_images, $"mm-{children.Max()}.img");
        Mm mm = ImageReader.ReadFile<Mm>(mmPath).Single();
        mm.ExeFile.Path = "/nonexistent/keeper-test-exe";
        ImageWriter.WriteFile(mmPath, [mm]);
        string before = HashDirectory(_images);
        int hostsBefore = CountHosts();

        var error = Assert.Throws<RestoreException>(() => Restorer.Restore(_images));
        TestContext.Out.WriteLine(error!.Message);

        Assert.Multiple(() =>
        {
            Assert.That(error.Pid, Is.EqualTo(children.Max()));
            Assert.That(error.Message, Does.Contain("/nonexistent/keeper-test-exe"));
            foreach (int pid in pids)
            {
                Assert.That(DumpTarget.WaitGone(pid, 5000), Is.True, $"pid {pid} was removed");
            }
            Assert.That(CountHosts(), Is.LessThanOrEqualTo(hostsBefore), "no restore host left behind");
            Assert.That(HashDirectory(_images), Is.EqualTo(before), "the images are untouched");
        });
    }

    private int DumpAndEnd(string comm, string command)
    {
        using DumpTarget target = DumpTarget.Start(comm, command);
        Dumper.Dump(target.Pid, _images, new DumpOptions { Mode = DumpMode.Kill });
        Assert.That(DumpTarget.WaitGone(target.Pid, 5000), Is.True);
        return target.Pid;
    }

    // Restore hosts are `sleep infinity` processes.
    private static int CountHosts() => Directory.EnumerateDirectories("/proc")
        .Count(d => int.TryParse(Path.GetFileName(d), out _)
            && (TryRead(Path.Combine(d, "cmdline")) ?? "") == "sleep\0infinity\0");

    private static string? TryRead(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string HashDirectory(string directory) => string.Join(",",
        Directory.EnumerateFiles(directory).Order(StringComparer.Ordinal)
            .Select(f => $"{Path.GetFileName(f)}:{Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f)))}"));
}
