using System.Diagnostics;
using System.Text.RegularExpressions;

namespace SessionKeeper.CR.Tests.Harness;

/// <summary>
/// A real screen or tmux session run as a <see cref="RealProgram"/>: its server is the root of
/// the tree (started without forking, as a session leader of its own), its windows run bash,
/// top and vim. After a checkpoint a client is attached from a pane of a separate "driver"
/// tmux server whose screen the test reads (capture-pane) and types into (send-keys), as a
/// user at a terminal would.
/// </summary>
internal abstract class TerminalSession : IDisposable
{
    /// <summary>Size of the driver's terminal: what the attached client sees.</summary>
    public const int Columns = 100;

    /// <summary>Rows of the driver's terminal.</summary>
    public const int Rows = 30;

    private static readonly TimeSpan s_command = TimeSpan.FromSeconds(15);
    private bool _driverStarted;

    protected TerminalSession(RealProgram program, string name)
    {
        Program = program;
        Name = name;
        // Socket addresses hold 108 bytes, which a checkout deep in the file system
        // overruns: the sockets live in a short directory that only its owner can enter.
        Sockets = Directory.CreateTempSubdirectory("keeper-tty-").FullName;
        File.SetUnixFileMode(Sockets, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        DriverSocket = Path.Combine(Sockets, "driver.sock");
        NotesFile = program.PathOf("notes.txt");
    }

    /// <summary>The tree: the server and its windows.</summary>
    public RealProgram Program { get; }

    /// <summary>The session's name.</summary>
    public string Name { get; }

    /// <summary>The file vim edits (never written before the test saves it).</summary>
    public string NotesFile { get; }

    /// <summary>Names of the bash, top and vim windows, for <see cref="SelectWindow"/>.</summary>
    public abstract IReadOnlyList<string> Windows { get; }

    /// <summary>A short directory (mode 0700) for the sessions' sockets; removed on dispose.</summary>
    protected string Sockets { get; }

    private string DriverSocket { get; }

    /// <summary>Starts the server and its windows and types the state the test checks later.</summary>
    public abstract void Start();

    /// <summary>Makes window <paramref name="window"/> the one the attached client shows.</summary>
    public abstract void SelectWindow(string window);

    /// <summary>The command line that attaches a client to the session.</summary>
    protected abstract string AttachCommand { get; }

    /// <summary>Environment every command of the session's tool needs.</summary>
    protected virtual IReadOnlyDictionary<string, string> ToolEnvironment { get; } = new Dictionary<string, string>();

    /// <summary>Attaches a client in the driver's terminal.</summary>
    public void Attach()
    {
        string environment = string.Join(' ', ToolEnvironment.Select(pair => $"{pair.Key}={pair.Value}"));
        Driver("new-session", "-d", "-s", "driver", "-x", $"{Columns}", "-y", $"{Rows}",
            $"env -u TMUX {environment} {AttachCommand}");
        _driverStarted = true;
        Driver("set-option", "-t", "driver", "status", "off");
        Driver("set-option", "-t", "driver", "window-size", "manual");
        Driver("resize-window", "-t", "driver", "-x", $"{Columns}", "-y", $"{Rows}");
        // The client starts in the background: a window selected before it is attached is
        // not what it shows (screen's select needs a display).
        if (!RealProgram.Poll(IsAttached, TimeSpan.FromSeconds(10)))
        {
            throw new TimeoutException($"the client never attached; the driver shows:\n{Screen()}");
        }
    }

    /// <summary>Whether a client is attached to the session.</summary>
    protected abstract bool IsAttached();

    /// <summary>What the attached client's terminal shows now.</summary>
    public string Screen() => Driver("capture-pane", "-p", "-t", "driver");

    /// <summary>Types keys into the attached client (tmux send-keys key names).</summary>
    public void Type(params string[] keys) => Driver(["send-keys", "-t", "driver", .. keys]);

    /// <summary>Types <paramref name="line"/> literally and presses Enter.</summary>
    public void TypeLine(string line)
    {
        Driver("send-keys", "-t", "driver", "-l", line);
        Driver("send-keys", "-t", "driver", "Enter");
    }

    /// <summary>Waits until the screen matches <paramref name="pattern"/>; returns the match.</summary>
    public Match WaitForScreen(string pattern, TimeSpan? timeout = null)
    {
        var regex = new Regex(pattern, RegexOptions.Multiline);
        Match match = Match.Empty;
        string last = "";
        bool seen = RealProgram.Poll(() => (match = regex.Match(last = Screen())).Success, timeout ?? TimeSpan.FromSeconds(10));
        return seen ? match : throw new TimeoutException($"the screen never showed /{pattern}/; it shows:\n{last}");
    }

    /// <summary>Ends the driver and its client; the session's tree is <see cref="Program"/>'s to end.</summary>
    public void Dispose()
    {
        if (_driverStarted)
        {
            Run(["tmux", "-S", DriverSocket, "kill-server"], check: false);
            _driverStarted = false;
        }
        Directory.Delete(Sockets, recursive: true);
    }

    /// <summary>A command of the driver tmux server.</summary>
    protected string Driver(params string[] arguments) => Run(["tmux", "-S", DriverSocket, "-f", "/dev/null", .. arguments]);

    /// <summary>Runs a client command with the session's environment; returns its output.</summary>
    /// <exception cref="InvalidOperationException">It failed (the message has its output).</exception>
    protected string Run(IEnumerable<string> command, bool check = true)
    {
        var start = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = Program.Directory,
        };
        foreach (string word in command)
        {
            if (start.FileName.Length == 0)
            {
                start.FileName = word;
            }
            else
            {
                start.ArgumentList.Add(word);
            }
        }
        foreach ((string key, string value) in ToolEnvironment)
        {
            start.Environment[key] = value;
        }
        start.Environment.Remove("TMUX");
        using var process = System.Diagnostics.Process.Start(start)!;
        process.StandardInput.Close();
        Task<string> error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(s_command))
        {
            process.Kill();
            throw new TimeoutException($"{start.FileName} {string.Join(' ', start.ArgumentList)} did not end");
        }
        string line = $"{start.FileName} {string.Join(' ', start.ArgumentList)} -> {process.ExitCode}";
        Program.Log(line);
        if (check && process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{line}: {output}{error.Result}");
        }
        return output;
    }
}

/// <summary>A GNU screen session: SCREEN run with -D -m (no fork) in a socket directory of its own.</summary>
internal sealed class ScreenSession : TerminalSession
{
    private readonly Dictionary<string, string> _environment;
    private readonly string _sockets;

    public ScreenSession(RealProgram program) : base(program, "keeptest")
    {
        // screen insists on a directory of its own that only its owner can enter.
        _sockets = Directory.CreateDirectory(Path.Combine(Sockets, "screen"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute).FullName;
        _environment = new() { ["SCREENDIR"] = _sockets, ["TERM"] = "xterm", ["HISTFILE"] = program.PathOf("history") };
    }

    /// <inheritdoc/>
    public override IReadOnlyList<string> Windows { get; } = ["0", "1", "2"];

    /// <inheritdoc/>
    protected override IReadOnlyDictionary<string, string> ToolEnvironment => _environment;

    /// <inheritdoc/>
    protected override string AttachCommand => $"screen -c {Program.PathOf("screenrc")} -r {Name}";

    /// <inheritdoc/>
    public override void Start()
    {
        string rc = Program.WriteFile("screenrc", "startup_message off\nvbell off\n");
        Program.Start($"env SCREENDIR={_sockets} TERM=xterm HISTFILE={_environment["HISTFILE"]} screen -c {rc} -D -m -S {Name} bash --norc --noprofile", "screen");
        string socket = Path.Combine(_sockets, $"{Program.Pid}.{Name}");
        if (!RealProgram.Poll(() => File.Exists(socket), TimeSpan.FromSeconds(10)))
        {
            throw new TimeoutException($"screen never made its socket {socket}");
        }
        Screen("screen", "-t", "top", "top", "-d", "1");
        Screen("screen", "-t", "vim", "vim", "-u", "DEFAULTS", "-i", "NONE", NotesFile);
        WaitForWindow("1", "^top - ");
        WaitForWindow("2", "^~");
        Stuff("0", "export KVAR=kept-4242\necho history-marker-1\n");
        Stuff("2", "ihello unsaved text\u001b");
        WaitForWindow("0", "^history-marker-1");
        WaitForWindow("2", "^hello unsaved text");
    }

    /// <inheritdoc/>
    public override void SelectWindow(string window) => Screen("select", window);

    /// <inheritdoc/>
    protected override bool IsAttached() =>
        Run(["screen", "-ls", Name], check: false).Split('\n').Any(line => line.Contains($".{Name}", StringComparison.Ordinal) && line.Contains("(Attached)", StringComparison.Ordinal));

    private void Stuff(string window, string text) => Run(["screen", "-S", Name, "-p", window, "-X", "stuff", text]);

    private string Screen(params string[] command) => Run(["screen", "-S", Name, "-X", .. command]);

    /// <summary>Waits until a window's contents (hardcopy, no client needed) match <paramref name="pattern"/>.</summary>
    private void WaitForWindow(string window, string pattern)
    {
        string copy = Program.PathOf($"hardcopy-{window}");
        var regex = new Regex(pattern, RegexOptions.Multiline);
        bool seen = RealProgram.Poll(() =>
        {
            File.Delete(copy);
            Run(["screen", "-S", Name, "-p", window, "-X", "hardcopy", copy]);
            return RealProgram.Poll(() => File.Exists(copy), TimeSpan.FromSeconds(2)) && regex.IsMatch(File.ReadAllText(copy));
        }, TimeSpan.FromSeconds(10));
        if (!seen)
        {
            throw new TimeoutException($"screen window {window} never showed /{pattern}/:\n{(File.Exists(copy) ? File.ReadAllText(copy) : "")}");
        }
    }
}

/// <summary>
/// A tmux server run with -D (no fork) on a socket of its own; session "work" has a window
/// split into two bash panes, a window with top and one with vim.
/// </summary>
internal sealed class TmuxSession : TerminalSession
{
    private readonly string _socket;

    public TmuxSession(RealProgram program) : base(program, "work") => _socket = Path.Combine(Sockets, "tmux.sock");

    /// <inheritdoc/>
    public override IReadOnlyList<string> Windows { get; } = ["0", "1", "2"];

    /// <inheritdoc/>
    protected override string AttachCommand => $"tmux -S {_socket} attach -t {Name}";

    /// <inheritdoc/>
    public override void Start()
    {
        string config = Program.WriteFile("tmux.conf", "set -g status off\nset -g default-terminal screen\n");
        Program.Start($"env HISTFILE={Program.PathOf("history")} tmux -S {_socket} -f {config} -D", "tmux: server");
        Tmux("new-session", "-d", "-s", Name, "-x", "100", "-y", "30", "bash --norc --noprofile");
        Tmux("split-window", "-t", $"{Name}:0", "bash --norc --noprofile");
        Tmux("new-window", "-t", $"{Name}:1", "top -d 1");
        Tmux("new-window", "-t", $"{Name}:2", $"vim -u DEFAULTS -i NONE {NotesFile}");
        Tmux("new-session", "-d", "-s", "spare", "bash --norc --noprofile");
        WaitForPane($"{Name}:1", "^top - ");
        WaitForPane($"{Name}:2", "^~");
        SendKeys($"{Name}:0.0", "export KVAR=kept-4242", "Enter", "echo history-marker-1", "Enter");
        SendKeys($"{Name}:2", "ihello unsaved text", "Escape");
        WaitForPane($"{Name}:0.0", "^history-marker-1");
        WaitForPane($"{Name}:2", "^hello unsaved text");
    }

    /// <inheritdoc/>
    public override void SelectWindow(string window) => Tmux("select-window", "-t", $"{Name}:{window}");

    /// <inheritdoc/>
    protected override bool IsAttached() => Run(["tmux", "-S", _socket, "list-clients", "-t", Name], check: false).Trim().Length > 0;

    /// <summary>Makes pane <paramref name="pane"/> of the current window the active one.</summary>
    public void SelectPane(string pane) => Tmux("select-pane", "-t", $"{Name}:0.{pane}");

    /// <summary>Rows and columns tmux gives a pane of the split window, as "ROWS COLS".</summary>
    public string PaneSize(string pane) => Tmux("display-message", "-p", "-t", $"{Name}:0.{pane}", "#{pane_height} #{pane_width}").Trim();

    /// <summary>The names of the server's sessions.</summary>
    public string[] SessionNames() => Tmux("list-sessions", "-F", "#{session_name}").Split('\n', StringSplitOptions.RemoveEmptyEntries);

    private void SendKeys(string target, params string[] keys) => Tmux(["send-keys", "-t", target, .. keys]);

    private string Tmux(params string[] command) => Run(["tmux", "-S", _socket, .. command]);

    private void WaitForPane(string target, string pattern)
    {
        var regex = new Regex(pattern, RegexOptions.Multiline);
        string last = "";
        if (!RealProgram.Poll(() => regex.IsMatch(last = Tmux("capture-pane", "-p", "-t", target)), TimeSpan.FromSeconds(10)))
        {
            throw new TimeoutException($"tmux pane {target} never showed /{pattern}/:\n{last}");
        }
    }
}
