using SessionKeeper.Autosave.Tests.Fixtures;

namespace SessionKeeper.Autosave.Tests;

/// <summary>
/// integrations/screen in a real screen session: screenrc-keeper loads, and the command its
/// save binding runs (keeper-screen save, through screen's exec) runs keeper save with the
/// session's name from a process outside the session's tree.
/// </summary>
[TestFixture]
public sealed class ScreenBindingsTests
{
    private const string Screen = "/usr/bin/screen";

    private FakeKeeper _keeper = null!;
    private string _session = null!;

    private static string Folder => Path.Combine(AutosaveCommandTests.RepositoryRoot(), "integrations", "screen");

    [SetUp]
    public void SetUp()
    {
        if (!File.Exists(Screen))
        {
            Assert.Fail("screen is not installed (scripts/deps.sh installs it; the tests need it and do not skip)");
        }
        _keeper = new FakeKeeper();
        _session = $"keeper-test-{Guid.NewGuid():N}"[..24];
        // The bindings as installed, pointing at this checkout instead of /usr/local/share/keeper.
        string screenrc = Path.Combine(_keeper.Root, "screenrc");
        File.WriteAllText(screenrc, File.ReadAllText(Path.Combine(Folder, "screenrc-keeper"))
            .Replace("/usr/local/share/keeper/screen", Folder, StringComparison.Ordinal));
        ScreenOk($"-dmS {_session} -c {Shell.Quote(screenrc)}");
        // -Q waits for the session to answer: its window exists once this succeeds.
        Assert.That(() => Shell.Run("/bin/sh", $"{Screen} -S {_session} -Q windows").ExitCode, Is.Zero.After(30_000, 50));
    }

    [TearDown]
    public void TearDown()
    {
        if (_keeper is not null)
        {
            Shell.Run("/bin/sh", $"{Screen} -S {_session} -X quit");
            _keeper.Dispose();
        }
    }

    [Test]
    public void Screenrc_BindsSaveAndRestore()
    {
        string text = File.ReadAllText(Path.Combine(Folder, "screenrc-keeper"));

        Assert.That(text, Does.Contain("\nbind S exec /usr/local/share/keeper/screen/keeper-screen save\n"));
        Assert.That(text, Does.Contain("\nbind R colon \"exec /usr/local/share/keeper/screen/keeper-screen restore \"\n"));
    }

    [Test]
    public void SaveBinding_RunsKeeperSaveWithTheSessionNameOutsideItsTree()
    {
        int screenPid = ScreenPid();

        ScreenOk($"-S {_session} -X exec {Shell.Quote(Path.Combine(Folder, "keeper-screen"))} save");

        Assert.That(_keeper.WaitForRun(), Is.EqualTo(new[] { "save", _session }));
        Assert.That(_keeper.Ancestors, Does.Not.Contain(screenPid), "keeper runs outside the screen session's process tree");
    }

    private int ScreenPid()
    {
        string listing = Shell.Run("/bin/sh", $"{Screen} -ls").Stdout;
        string line = listing.Split('\n').Single(l => l.Contains($".{_session}", StringComparison.Ordinal));
        return int.Parse(line.Trim().Split('.')[0], System.Globalization.CultureInfo.InvariantCulture);
    }

    private void ScreenOk(string arguments)
    {
        (int code, _, string stderr) = Shell.Run("/bin/sh", $"{Screen} {arguments}", _keeper.Bin);
        Assert.That(code, Is.Zero, $"screen {arguments}: {stderr}");
    }
}
