using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using SessionKeeper.Engine.ProcFs;
using SessionKeeper.Native;

namespace SessionKeeper.Sessions.Tests;

/// <summary>A client attached to a session from a pseudo-terminal made by <c>script</c>.</summary>
/// <param name="Script">The <c>script</c> process, whose pty the client runs on.</param>
/// <param name="ClientPid">The screen/tmux client process (the child of <c>script</c>).</param>
internal sealed record TerminalClient(Process Script, int ClientPid);

/// <summary>A VNC server started by <c>vncserver</c> for a test.</summary>
/// <param name="Display">The display number N (RFB port 5900+N).</param>
/// <param name="WrapperPid">The perl vncserver process, parent of the X server and of xstartup.</param>
/// <param name="ServerPid">The Xtigervnc process.</param>
/// <param name="StartupChildren">The processes xstartup started (two sleeps).</param>
internal sealed record VncServer(int Display, int WrapperPid, int ServerPid, int[] StartupChildren);

/// <summary>
/// Real screen, tmux and vnc sessions started for one test, with unique names, and everything
/// they started killed again on <see cref="Dispose"/>, also when the test failed.
/// </summary>
internal sealed class LiveSessions : IDisposable
{
    private static readonly TimeSpan s_readyLimit = TimeSpan.FromSeconds(30);

    private readonly List<int> _roots = [];
    private readonly List<string> _files = [];
    private readonly List<Process> _clients = [];
    private readonly List<int> _vncDisplays = [];
    private readonly string _scratch = Directory.CreateTempSubdirectory("keeper-sessions-").FullName;

    /// <summary>A directory of this test's own, removed with everything in it.</summary>
    public string Scratch => _scratch;

    /// <summary>A new directory below <see cref="Scratch"/> with mode 0700 (screen insists on it for SCREENDIR).</summary>
    public string PrivateDirectory(string name)
    {
        string path = Path.Combine(_scratch, name);
        Directory.CreateDirectory(path);
        if (OperatingSystem.IsLinux())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        return path;
    }

    /// <summary>A name no other test (or other user of this machine) uses.</summary>
    public static string UniqueName(string prefix) => $"{prefix}{Environment.ProcessId}x{Random.Shared.Next(100000, 999999)}";

    /// <summary>
    /// Starts <c>screen -dmS NAME</c> with <paramref name="windows"/> windows each running sleep,
    /// its socket in <paramref name="screendir"/> when given; returns the SCREEN pid.
    /// </summary>
    public int StartScreen(string name, int windows, string? screendir = null)
        => StartScreen(name, windows, screendir, $"/run/screen/S-{Environment.UserName}", []);

    /// <summary>Starts a one-window screen session as the user <c>nobody</c>; returns the SCREEN pid.</summary>
    public int StartScreenAsNobody(string name)
        => StartScreen(name, 1, null, $"/run/screen/S-{Nobody}", AsUser(NobodyUid));

    /// <summary>The user the tests run sessions of another user as.</summary>
    public const string Nobody = "nobody";

    /// <summary>nobody's uid on Debian.</summary>
    public const int NobodyUid = 65534;

    /// <summary>The command prefix that runs a program as <paramref name="uid"/> (group = uid, no supplementary groups).</summary>
    public static string[] AsUser(int uid) =>
        ["setpriv", $"--reuid={uid}", $"--regid={uid}", "--clear-groups", "env", "HOME=/tmp"];

    private int StartScreen(string name, int windows, string? screendir, string defaultDirectory, string[] asUser)
    {
        string directory = screendir ?? defaultDirectory;
        // Every screen command runs through env (after setpriv for another user), with SCREENDIR when given.
        string[] prefix = [.. asUser.Length > 0 ? asUser : ["env"], .. screendir is null ? [] : new[] { $"SCREENDIR={screendir}" }];
        var before = ScreenSockets(directory, name).ToHashSet();
        Run(prefix[0], [.. prefix[1..], "screen", "-dmS", name, "sleep", "100001"]);
        string socket = WaitFor(() => ScreenSockets(directory, name).FirstOrDefault(s => !before.Contains(s)), $"screen session {name} to create its socket");
        int pid = int.Parse(Path.GetFileName(socket).Split('.')[0], CultureInfo.InvariantCulture);
        _roots.Add(pid);
        _files.Add(socket);
        for (int i = 1; i < windows; i++)
        {
            Run(prefix[0], [.. prefix[1..], "screen", "-S", $"{pid}.{name}", "-X", "screen", "sleep", $"{100001 + i}"]);
        }
        WaitFor(() => Tree(pid).Count == 1 + windows ? "" : null, $"screen session {name} to have {windows} windows");
        return pid;
    }

    /// <summary>Starts a tmux server on socket <c>-L SOCKET</c> with one session per name; returns the server pid.</summary>
    public int StartTmux(string socket, params string[] sessions)
        => StartTmuxOnPath($"/tmp/tmux-{UserAccountUid()}/{socket}", sessions);

    /// <summary>Starts a tmux server on socket <c>-S PATH</c> with one session per name; returns the server pid.</summary>
    public int StartTmuxOnPath(string path, params string[] sessions)
    {
        _files.Add(path);
        Run("tmux", "-S", path, "new-session", "-d", "-s", sessions[0], "sleep 100001");
        int pid = int.Parse(Run("tmux", "-S", path, "display-message", "-p", "#{pid}").Trim(), CultureInfo.InvariantCulture);
        _roots.Add(pid);
        foreach (string session in sessions.Skip(1))
        {
            Run("tmux", "-S", path, "new-session", "-d", "-s", session, "sleep 100002");
        }
        WaitFor(() => Tree(pid).Count == 1 + sessions.Length ? "" : null, $"tmux server {path} to run {sessions.Length} panes");
        return pid;
    }

    /// <summary>Runs <paramref name="command"/> (e.g. <c>screen -r ID</c>) on a fresh pty and waits until the server holds its terminal.</summary>
    public TerminalClient Attach(string command, Func<bool> attached) => Attach(command, attached, []);

    /// <summary>As <see cref="Attach(string, Func{bool})"/>, with <c>script</c> and its pty owned by <paramref name="uid"/>.</summary>
    public TerminalClient AttachAs(int uid, string command, Func<bool> attached) => Attach(command, attached, AsUser(uid));

    private TerminalClient Attach(string command, Func<bool> attached, string[] asUser)
    {
        string[] scriptCommand = ["script", "-qfc", command, "/dev/null"];
        ProcessStartInfo start = asUser.Length > 0 ? StartInfo(asUser[0], [.. asUser[1..], .. scriptCommand]) : StartInfo(scriptCommand[0], scriptCommand[1..]);
        start.Environment["TERM"] = "xterm";
        Process script = Process.Start(start)!;
        _clients.Add(script);
        // The terminal's output is not looked at; reading it keeps the pipe from filling up.
        script.OutputDataReceived += (_, _) => { };
        script.ErrorDataReceived += (_, _) => { };
        script.BeginOutputReadLine();
        script.BeginErrorReadLine();
        WaitFor(() => attached() ? "" : null, $"`{command}` to attach");
        // script runs the command through $SHELL -c, which may exec it or fork it: the client is the last one.
        int client = Tree(script.Id).Last();
        return new TerminalClient(script, client);
    }

    /// <summary>
    /// Starts <c>vncserver :N</c> on a free display with an xstartup that runs two sleeps, as a
    /// desktop session would run its programs.
    /// </summary>
    public VncServer StartVnc(string desktop)
    {
        int display = FreeDisplay();
        string xstartup = Path.Combine(_scratch, "xstartup");
        File.WriteAllText(xstartup, $"#!/bin/sh\nsleep {200000 + display} &\nsleep {300000 + display} &\nwait\n");
        if (OperatingSystem.IsLinux())
        {
            File.SetUnixFileMode(xstartup, (UnixFileMode)0b111_101_101);
        }
        _vncDisplays.Add(display);
        Run("vncserver", $":{display}", "-SecurityTypes", "None", "-localhost", "yes", "-geometry", "320x240",
            "-desktop", desktop, "-xstartup", xstartup);
        int server = int.Parse(WaitFor(() => FindProcess("Xtigervnc", $":{display}"), $"Xtigervnc :{display} to start"), CultureInfo.InvariantCulture);
        Assert.That(ProcFsReader.TryReadStatus(server, out ProcStatus status), Is.True);
        int wrapper = status.PPid;
        _roots.Add(wrapper);
        int[] children = WaitFor(() => Tree(wrapper).Where(p => Arguments(p).StartsWith("sleep ", StringComparison.Ordinal)).ToArray() is { Length: 2 } found ? found : null,
            $"xstartup of :{display} to start its programs");
        return new VncServer(display, wrapper, server, children);
    }

    /// <summary>
    /// Starts Xtigervnc itself as a child of the test, not through vncserver; returns its pid
    /// once it accepts X clients.
    /// </summary>
    public int StartXvnc(string desktop, out int display, out int rfbPort)
    {
        int n = FreeDisplay();
        display = n;
        // Not 5900+N: the server is told its port, as `-rfbport N` on its command line.
        rfbPort = Enumerable.Range(6100, 100).First(PortFree);
        _files.Add($"/tmp/.X{n}-lock");
        _files.Add($"/tmp/.X11-unix/X{n}");
        Process server = Process.Start(StartInfo("Xtigervnc", $":{n}", "-SecurityTypes", "None", "-localhost=1",
            "-desktop", desktop, "-geometry", "320x240", "-rfbport", rfbPort.ToString(CultureInfo.InvariantCulture)))!;
        _clients.Add(server);
        server.OutputDataReceived += (_, _) => { };
        server.ErrorDataReceived += (_, _) => { };
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();
        WaitFor(() => File.Exists($"/tmp/.X11-unix/X{n}") ? "" : null, $"Xtigervnc :{n} to listen");
        return server.Id;
    }

    private static int FreeDisplay() => Enumerable.Range(40, 50).First(n =>
        !File.Exists($"/tmp/.X{n}-lock") && !File.Exists($"/tmp/.X11-unix/X{n}") && PortFree(5900 + n));

    /// <summary>
    /// Connects a TCP client to <paramref name="port"/> as a viewer does, and returns once the
    /// server has greeted it: only then has the server accepted the connection, and the socket is
    /// the server's. The greeting goes to <paramref name="greeting"/>.
    /// </summary>
    public static TcpClient ConnectViewer(int port, out string greeting)
    {
        var client = new TcpClient(AddressFamily.InterNetwork);
        client.Connect("127.0.0.1", port);
        var bytes = new byte[12];
        client.GetStream().ReadExactly(bytes);
        greeting = System.Text.Encoding.ASCII.GetString(bytes);
        return client;
    }

    /// <summary>The process tree of <paramref name="root"/>, read from /proc by the test itself.</summary>
    public static List<int> Tree(int root)
    {
        var tree = new List<int> { root };
        for (int i = 0; i < tree.Count; i++)
        {
            tree.AddRange(Children(tree[i]));
        }
        return tree;
    }

    /// <summary>True while <paramref name="pid"/> runs (a zombie does not).</summary>
    public static bool IsRunning(int pid) => ProcFsReader.TryReadStat(pid, out ProcStat stat) && stat.State != 'Z';

    /// <summary>Runs a program to its end and returns its stdout; fails the test when it fails.</summary>
    public static string Run(string program, params string[] arguments)
    {
        (int exitCode, string stdout, string stderr) = Exec(program, arguments);
        Assert.That(exitCode, Is.Zero, $"{program} {string.Join(' ', arguments)} failed: {stderr}");
        return stdout;
    }

    /// <summary>Runs a program to its end: exit code (-1 when it hung and was killed), stdout and stderr.</summary>
    public static (int ExitCode, string Stdout, string Stderr) Exec(string program, params string[] arguments)
    {
        using Process process = Process.Start(StartInfo(program, arguments))!;
        process.StandardInput.Close();
        // vncserver leaves the X server holding its stdout and stderr: read them until the
        // program itself has exited, not until end of file.
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill();
            return (-1, "", $"{program} did not exit");
        }
        return (process.ExitCode,
            stdout.Wait(TimeSpan.FromSeconds(2)) ? stdout.Result : "",
            stderr.Wait(TimeSpan.FromSeconds(2)) ? stderr.Result : "");
    }

    /// <summary>
    /// How the tests start programs: as keeper starts screen and tmux, and also without the STY
    /// of a screen session the test run itself may be inside.
    /// </summary>
    private static ProcessStartInfo StartInfo(string program, params string[] arguments)
    {
        ProcessStartInfo start = ExternalTool.CreateStartInfo(program, arguments);
        start.Environment.Remove("STY");
        return start;
    }

    public void Dispose()
    {
        // Every pid first: once vncserver -kill ends the wrapper, the xstartup programs are
        // reparented to init and no longer found below the root.
        var pids = _roots.Concat(_clients.Select(c => c.Id)).SelectMany(Tree).Distinct().ToList();
        foreach (int display in _vncDisplays)
        {
            // Lets vncserver remove its lock, socket and pid files; the kill below ends the rest.
            Exec("vncserver", "-kill", $":{display}");
            _files.Add($"/tmp/.X{display}-lock");
            _files.Add($"/tmp/.X11-unix/X{display}");
            _files.Add(Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".vnc", $"{Environment.MachineName}:{display}.log"));
        }
        foreach (int pid in pids)
        {
            Interop.TryKill(pid, Signals.SIGKILL);
        }
        foreach (Process client in _clients)
        {
            client.WaitForExit(5000);
            client.Dispose();
        }
        foreach (string file in _files)
        {
            File.Delete(file);
        }
        Directory.Delete(_scratch, true);
    }

    private static IEnumerable<string> ScreenSockets(string directory, string name)
    {
        return Directory.Exists(directory) ? Directory.GetFiles(directory, $"*.{name}") : [];
    }

    private static List<int> Children(int pid)
    {
        var children = new List<int>();
        if (ProcFsReader.TryReadTaskIds(pid, out List<int> tids))
        {
            foreach (int tid in tids)
            {
                if (ProcFsReader.TryReadChildren(pid, tid, out List<int> list))
                {
                    children.AddRange(list);
                }
            }
        }
        return children;
    }

    private static string Arguments(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ').Trim();
        }
        catch (IOException)
        {
            return "";
        }
    }

    private static string? FindProcess(string name, string argument)
    {
        foreach (string directory in Directory.GetDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), out int pid)
                && ProcFsReader.TryReadStat(pid, out ProcStat stat) && stat.Comm == name && stat.State != 'Z'
                && Arguments(pid).Split(' ').Contains(argument))
            {
                return pid.ToString(CultureInfo.InvariantCulture);
            }
        }
        return null;
    }

    private static bool PortFree(int port)
    {
        try
        {
            using var listener = new TcpListener(System.Net.IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static uint UserAccountUid() => ProcFsReader.TryReadStatus(Environment.ProcessId, out ProcStatus s) ? s.Uid.Real : 0;

    /// <summary>Polls until <paramref name="probe"/> gives a value; fails the test naming <paramref name="what"/> if it never does.</summary>
    public static T WaitFor<T>(Func<T?> probe, string what) where T : class
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (probe() is T value)
            {
                return value;
            }
            if (clock.Elapsed > s_readyLimit)
            {
                Assert.Fail($"gave up waiting for {what}");
            }
            Thread.Sleep(20);
        }
    }
}
