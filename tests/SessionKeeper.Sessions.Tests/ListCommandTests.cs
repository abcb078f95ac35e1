using System.Globalization;
using System.Text.Json;
using SessionKeeper.Tests.Shared;

namespace SessionKeeper.Sessions.Tests;

/// <summary><c>keeper list</c>, run as the user runs it.</summary>
[TestFixture]
public sealed class ListCommandTests : LiveSessionTest
{
    [Test]
    public void List_Table_ShowsEachSessionInARowWithItsColumns()
    {
        string screen = LiveSessions.UniqueName("scr");
        string tmux = LiveSessions.UniqueName("tmx");
        int screenPid = Live.StartScreen(screen, windows: 2);
        int tmuxPid = Live.StartTmux(tmux, "a", "b");

        (int code, string stdout, string stderr) = KeeperProcess.Run(null, "list");

        Assert.That(code, Is.Zero, stderr);
        string[] lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(Cells(lines[0]), Is.EqualTo(new[] { "NAME", "KIND", "PID", "PROCS", "MEMORY", "ATTACHED" }));
        string[] screenRow = Cells(lines.Single(l => l.StartsWith(screen + " ", StringComparison.Ordinal)));
        Assert.That(screenRow[..4], Is.EqualTo(new[] { screen, "screen", Pid(screenPid), "3" }));
        Assert.That(screenRow[^1], Is.EqualTo("no"));
        string[] tmuxRow = Cells(lines.Single(l => l.StartsWith(tmux + " ", StringComparison.Ordinal)));
        Assert.That(tmuxRow[..4], Is.EqualTo(new[] { tmux, "tmux", Pid(tmuxPid), "3" }));
        Assert.That(tmuxRow[^2], Does.Match("^(B|KiB|MiB|GiB)$"), "memory is a number and a unit");
    }

    [Test]
    public void List_Verbose_ShowsSocketAndOtherNamesBelowTheRow()
    {
        string tmux = LiveSessions.UniqueName("tmx");
        Live.StartTmux(tmux, "first", "second");

        (int code, string stdout, string stderr) = KeeperProcess.Run(null, "list", "--verbose");

        Assert.That(code, Is.Zero, stderr);
        Assert.That(stdout, Does.Contain("  -> also answers to: first, second"));
        Assert.That(stdout, Does.Contain($"  -> socket /tmp/tmux-0/{tmux}").Or.Contain($"/{tmux}\n"));
    }

    [Test]
    public void List_Json_HoldsEverySessionWithItsFields()
    {
        string screen = LiveSessions.UniqueName("scr");
        int screenPid = Live.StartScreen(screen, windows: 1);
        string tmux = LiveSessions.UniqueName("tmx");
        int tmuxPid = Live.StartTmux(tmux, "one", "two");

        (int code, string stdout, string stderr) = KeeperProcess.Run(null, "list", "--json");

        Assert.That(code, Is.Zero, stderr);
        using JsonDocument document = JsonDocument.Parse(stdout);
        JsonElement[] sessions = document.RootElement.GetProperty("sessions").EnumerateArray().ToArray();
        JsonElement s = sessions.Single(e => e.GetProperty("name").GetString() == screen);
        Assert.Multiple(() =>
        {
            Assert.That(s.GetProperty("kind").GetString(), Is.EqualTo("screen"));
            Assert.That(s.GetProperty("pid").GetInt32(), Is.EqualTo(screenPid));
            Assert.That(s.GetProperty("processes").GetInt32(), Is.EqualTo(2));
            Assert.That(s.GetProperty("residentBytes").GetInt64(), Is.GreaterThan(0));
            Assert.That(s.GetProperty("attached").GetBoolean(), Is.False);
            Assert.That(s.GetProperty("aliases").EnumerateArray().Select(a => a.GetString()), Is.EqualTo(new[] { $"{screenPid}.{screen}" }));
            Assert.That(s.GetProperty("socket").GetString(), Does.EndWith($"{screenPid}.{screen}"));
        });
        JsonElement t = sessions.Single(e => e.GetProperty("name").GetString() == tmux);
        Assert.That(t.GetProperty("pid").GetInt32(), Is.EqualTo(tmuxPid));
        Assert.That(t.GetProperty("sessions").EnumerateArray().Select(a => a.GetString()), Is.EqualTo(new[] { "one", "two" }));
        Assert.That(t.GetProperty("clients").GetArrayLength(), Is.Zero);
    }

    private static string Pid(int pid) => pid.ToString(CultureInfo.InvariantCulture);

    private static string[] Cells(string row) => row.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
