using SessionKeeper.Autosave.Tests.Fixtures;

namespace SessionKeeper.Autosave.Tests;

/// <summary>
/// integrations/tmux/keeper.tmux loaded into a real tmux server: the key bindings it makes, and
/// what the save binding does when run — keeper save with the server's name, from a process
/// outside the server's tree, and the outcome in @keeper-status.
/// </summary>
[TestFixture]
public sealed class TmuxPluginTests
{
    private const string Tmux = "/usr/bin/tmux";

    private FakeKeeper _keeper = null!;
    private string _socket = null!;

    private static string Plugin => Path.Combine(AutosaveCommandTests.RepositoryRoot(), "integrations", "tmux", "keeper.tmux");

    [SetUp]
    public void SetUp()
    {
        if (!File.Exists(Tmux))
        {
            Assert.Fail("tmux is not installed (scripts/deps.sh installs it; the tests need it and do not skip)");
        }
        _keeper = new FakeKeeper();
        _socket = $"keeper-test-{Guid.NewGuid():N}"[..24];
        // The server keeps the environment it was started with: run-shell finds the stand-in keeper.
        TmuxOk("-f /dev/null new-session -d -s main");
    }

    [TearDown]
    public void TearDown()
    {
        Shell.Run("/bin/sh", $"{Tmux} -L {_socket} kill-server");
        _keeper.Dispose();
    }

    [Test]
    public void Plugin_BindsSaveAndRestoreUnderThePrefix()
    {
        TmuxOk($"run-shell {Shell.Quote(Plugin)}");

        Assert.That(TmuxOk("list-keys -T prefix C-s"), Does.Contain("run-shell -b").And.Contain("keeper-run.sh' save '#{socket_path}'"));
        Assert.That(TmuxOk("list-keys -T prefix C-r"), Does.Contain("command-prompt -p \"keeper restore:\"").And.Contain("restore '#{socket_path}' '%%'"));
    }

    [Test]
    public void Plugin_KeysCanBeChosen()
    {
        TmuxOk("set-option -g @keeper-save-key M-s");
        TmuxOk($"run-shell {Shell.Quote(Plugin)}");

        Assert.That(TmuxOk("list-keys -T prefix M-s"), Does.Contain("keeper-run.sh' save"));
    }

    [Test]
    public void SaveBinding_RunsKeeperSaveWithTheServerNameOutsideItsTreeAndReportsIt()
    {
        TmuxOk($"run-shell {Shell.Quote(Plugin)}");
        int server = int.Parse(TmuxOk("display-message -p '#{pid}'").Trim(), System.Globalization.CultureInfo.InvariantCulture);

        RunBinding("C-s");

        Assert.That(_keeper.WaitForRun(), Is.EqualTo(new[] { "save", _socket }));
        Assert.That(_keeper.Ancestors, Does.Not.Contain(server), "keeper runs outside the tmux server's process tree");
        Assert.That(() => Status(), Is.EqualTo($"keeper: save {_socket} done").After(30_000, 20));
    }

    [Test]
    public void SaveBinding_KeeperFails_StatusShowsItsError()
    {
        _keeper.Answer(1, $"error: no session is called {_socket}");
        TmuxOk($"run-shell {Shell.Quote(Plugin)}");

        RunBinding("C-s");

        Assert.That(() => Status(), Is.EqualTo($"keeper: save {_socket} failed: error: no session is called {_socket}").After(30_000, 20));
    }

    [Test]
    public void RestoreCommand_RunsKeeperRestoreWithTheNameTyped()
    {
        TmuxOk($"run-shell {Shell.Quote(Plugin)}");
        // What the prompt of the restore binding runs once a name was typed.
        string script = Path.Combine(Path.GetDirectoryName(Plugin)!, "scripts", "keeper-run.sh");

        TmuxOk($"run-shell -b {Shell.Quote($"'{script}' restore '#{{socket_path}}' 'web@auto'")}");

        Assert.That(_keeper.WaitForRun(), Is.EqualTo(new[] { "restore", "web@auto" }));
        Assert.That(() => Status(), Is.EqualTo("keeper: restore web@auto done").After(30_000, 20));
    }

    /// <summary>Runs the command bound to prefix + <paramref name="key"/>, as pressing the key would.</summary>
    private void RunBinding(string key)
    {
        string binding = TmuxOk($"list-keys -T prefix {key}").Trim();
        string prefix = $"bind-key -T prefix {key} ";
        Assert.That(binding, Does.StartWith(prefix));
        string file = Path.Combine(_keeper.Root, "binding.conf");
        File.WriteAllText(file, binding[prefix.Length..] + "\n");
        TmuxOk($"source-file {Shell.Quote(file)}");
    }

    private string Status() => Shell.Run("/bin/sh", $"{Tmux} -L {_socket} show-option -gqv @keeper-status").Stdout.Trim();

    private string TmuxOk(string arguments)
    {
        (int code, string stdout, string stderr) = Shell.Run("/bin/sh", $"{Tmux} -L {_socket} {arguments}", _keeper.Bin);
        Assert.That(code, Is.Zero, $"tmux {arguments}: {stderr}");
        return stdout;
    }
}
