using SessionKeeper.Autosave.Tests.Fixtures;

namespace SessionKeeper.Autosave.Tests;

/// <summary>
/// integrations/completion: the bash script registers itself for keeper (complete -p) and its
/// function offers commands, options and the names a stand-in keeper prints; the zsh one is
/// valid zsh that compinit binds to keeper.
/// </summary>
[TestFixture]
public sealed class CompletionTests
{
    private string _bin = null!;

    private static string Completion => Path.Combine(AutosaveCommandTests.RepositoryRoot(), "integrations", "completion");

    [SetUp]
    public void SetUp()
    {
        _bin = Directory.CreateTempSubdirectory("keeper-completion-").FullName;
        // A keeper that knows three snapshots and two live sessions.
        Shell.WriteScript(Path.Combine(_bin, "keeper"), """
            case "$*" in
                "snapshots --names") printf 'work\nweb\nmail@auto\n' ;;
                "list --json") printf '[\n  {"kind": "tmux", "name": "dev", "pid": 10},\n  {"kind": "screen", "name": "irc", "pid": 11}\n]\n' ;;
                *) echo "error: unexpected $*" >&2; exit 2 ;;
            esac
            """);
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_bin, recursive: true);

    [Test]
    public void Bash_RegistersTheCompletionFunctionForKeeper()
    {
        (int code, string stdout, string stderr) = Shell.Run("/bin/bash", $"source {Shell.Quote(Path.Combine(Completion, "keeper.bash"))}; complete -p keeper");

        Assert.That(code, Is.Zero, stderr);
        Assert.That(stdout.Trim(), Is.EqualTo("complete -F _keeper keeper"));
    }

    [TestCase("keeper re", "restore")]
    [TestCase("keeper s", "save show snapshots")]
    [TestCase("keeper restore w", "work web")]
    [TestCase("keeper restore ", "work web mail@auto")]
    [TestCase("keeper rm m", "mail@auto")]
    [TestCase("keeper save ", "dev irc")]
    [TestCase("keeper save --a", "--all --auto")]
    [TestCase("keeper autosave ", "enable disable status")]
    [TestCase("keeper autosave enable --", "--restore --watch --keeper --help --verbose")]
    [TestCase("keeper watch --s", "--sleep --save-timeout")]
    [TestCase("keeper image ", "decode encode")]
    public void Bash_CompletesCommandsOptionsAndNames(string line, string expected)
    {
        Assert.That(BashComplete(line), Is.EquivalentTo(expected.Split(' ')));
    }

    [Test]
    public void Bash_KeeperFailing_CompletesNothingAndPrintsNothing()
    {
        Shell.WriteScript(Path.Combine(_bin, "keeper"), "echo 'error: store missing' >&2; exit 1");

        (int code, string stdout, string stderr) = BashRun("keeper restore ");

        Assert.That(code, Is.Zero, stderr);
        Assert.That(stdout, Is.Empty);
        Assert.That(stderr, Is.Empty);
    }

    [Test]
    public void Zsh_IsValidAndCompinitBindsItToKeeper()
    {
        string functions = Directory.CreateTempSubdirectory("keeper-zsh-").FullName;
        try
        {
            File.Copy(Path.Combine(Completion, "_keeper"), Path.Combine(functions, "_keeper"));
            (int syntax, _, string syntaxErrors) = Shell.Run("/usr/bin/zsh", $"zsh -n {Shell.Quote(Path.Combine(functions, "_keeper"))}");
            Assert.That(syntax, Is.Zero, syntaxErrors);

            (int code, string stdout, string stderr) = Shell.Run("/usr/bin/zsh",
                $"fpath=({Shell.Quote(functions)} $fpath); autoload -U compinit; compinit -u -d {Shell.Quote(Path.Combine(functions, "zcompdump"))}; print -r -- $_comps[keeper]");

            Assert.That(code, Is.Zero, stderr);
            Assert.That(stdout.Trim(), Is.EqualTo("_keeper"));
        }
        finally
        {
            Directory.Delete(functions, recursive: true);
        }
    }

    private string[] BashComplete(string line)
    {
        (int code, string stdout, string stderr) = BashRun(line);
        Assert.That(code, Is.Zero, stderr);
        return stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>Calls the completion function as bash would for <paramref name="line"/> (cursor at its end).</summary>
    private (int ExitCode, string Stdout, string Stderr) BashRun(string line)
    {
        string script = $$"""
            source {{Shell.Quote(Path.Combine(Completion, "keeper.bash"))}}
            line={{Shell.Quote(line)}}
            read -r -a COMP_WORDS <<< "$line"
            [ "${line: -1}" = " " ] && COMP_WORDS+=("")
            COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
            COMP_LINE="$line"; COMP_POINT=${#line}
            _keeper keeper "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
            [ ${#COMPREPLY[@]} -eq 0 ] || printf '%s\n' "${COMPREPLY[@]}"
            """;
        return Shell.Run("/bin/bash", script, _bin);
    }
}
