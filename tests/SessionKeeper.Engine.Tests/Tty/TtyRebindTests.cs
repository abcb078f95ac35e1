using System.Globalization;
using System.Text.RegularExpressions;
using SessionKeeper.Engine.Tests.Dump;
using SessionKeeper.Native;
using SessionKeeper.Tests.Shared;

namespace SessionKeeper.Engine.Tests.Tty;

/// <summary>
/// A program started in a terminal that is not part of the tree (the test holds its master,
/// as a terminal emulator holds the user's): `keeper dump --rebind-tty` saves it anyway, and
/// `keeper restore` puts the program on a new terminal with the same settings, which it relays
/// to its own standard input and output until the program closes it.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed partial class TtyRebindTests
{
    private string _root = null!;

    [SetUp]
    public void SetUp() => _root = Directory.CreateTempSubdirectory("keeper-rebind-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_root, true);

    [Test]
    public void DumpRebindTty_ThenRestore_ProgramRunsOnANewTerminalWithItsSettingsRelayedThroughKeeper()
    {
        using SafeFd master = Interop.Open("/dev/ptmx", OpenFlags.O_RDWR | OpenFlags.O_NOCTTY | OpenFlags.O_CLOEXEC);
        Interop.UnlockPty(master);
        string slave = $"/dev/pts/{Interop.GetPtyIndex(master).ToString(CultureInfo.InvariantCulture)}";
        // A session leader on that terminal: no echo, 33 rows and 77 columns, then a loop that
        // answers each line with what it sees of its terminal.
        const string loop = "stty -echo cols 77 rows 33; echo > \"$DIR/ready\"; "
            + "while read l; do echo \"got:$l tty:$(tty) size:$(stty size)$(stty -a | grep -o -- \" -echo \")\"; [ \"$l\" = quit ] && exit 0; done";
        using DumpTarget target = DumpTarget.Start("bash", $"env DIR=\"$DIR\" setsid -c bash --norc -c '{loop}' <{slave} >{slave} 2>&1");
        Assert.That(() => File.Exists(Path.Combine(target.Directory, "ready")), Is.True.After(10_000, 20), "the loop did not start");
        string pid = target.Pid.ToString(CultureInfo.InvariantCulture);
        string images = Path.Combine(_root, "images");

        (int refusedCode, _, string refused) = KeeperProcess.Run(null, "dump", "--pid", pid, "--images", Path.Combine(_root, "refused"));
        Assert.That(refusedCode, Is.Not.Zero, "without --rebind-tty the outside terminal is refused");
        Assert.That(refused, Does.Contain("--rebind-tty").And.Contain($"pid {pid}"));

        (int dumpCode, _, string dumpErr) = KeeperProcess.Run(null, "dump", "--pid", pid, "--images", images, "--rebind-tty");
        Assert.That(dumpCode, Is.Zero, dumpErr);
        Assert.That(DumpTarget.WaitGone(target.Pid, 5000), Is.True, "the dump ends the tree");

        (int code, string stdout, string stderr) = KeeperProcess.Run("hello\nquit\n", "restore", "--images", images);

        Assert.That(code, Is.Zero, stderr);
        Match answer = Answer().Match(stdout);
        Assert.Multiple(() =>
        {
            Assert.That(answer.Success, Is.True, $"no answer from the restored loop:\n{stdout}\n{stderr}");
            Assert.That(answer.Groups["tty"].Value, Does.StartWith("/dev/pts/").And.Not.EqualTo(slave), "a new terminal");
            Assert.That(answer.Groups["size"].Value, Is.EqualTo("33 77"), "the window size is kept");
            Assert.That(answer.Groups["echo"].Value, Is.EqualTo(" -echo "), "the settings are kept");
            Assert.That(stdout, Does.Contain("got:quit"), "the relay carried every line");
            Assert.That(stderr, Does.Contain("re-bound"));
            Assert.That(DumpTarget.WaitGone(target.Pid, 5000), Is.True, "the program ended after quit, and keeper with it");
        });
    }

    [GeneratedRegex(@"got:hello tty:(?<tty>\S+) size:(?<size>\d+ \d+)(?<echo> -echo )?")]
    private static partial Regex Answer();
}
