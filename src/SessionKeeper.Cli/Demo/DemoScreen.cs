using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using SessionKeeper.Store;

namespace SessionKeeper.Cli.Demo;

/// <summary>
/// A throwaway detached screen session like a user's: window 0 a bash with a variable set,
/// window 1 top refreshing every second, window 2 vim holding text that was never written to
/// disk. Used by <c>keeper demo</c> and <c>keeper bench</c>.
/// </summary>
internal sealed partial class DemoScreen
{
    /// <summary>What vim holds unsaved.</summary>
    public const string UnsavedText = "This line exists only in vim's memory: it was never written to disk.";

    private DemoScreen(string name, int pid, string directory)
    {
        Name = name;
        Pid = pid;
        Directory = directory;
    }

    /// <summary>The session's name (screen -S).</summary>
    public string Name { get; }

    /// <summary>The SCREEN server: the root of the tree.</summary>
    public int Pid { get; private set; }

    /// <summary>The session's working directory (vim's file lies there).</summary>
    public string Directory { get; }

    /// <summary>Starts the session and waits until its three windows run.</summary>
    public static DemoScreen Start(string name)
    {
        string directory = System.IO.Directory.CreateTempSubdirectory("keeper-demo-").FullName;
        ExternalCommand.Run("screen", ["-dmS", name, "bash"]);
        int pid = FindPid(name) ?? throw new KeeperException($"screen session {name} did not start (screen -ls does not list it)");
        var demo = new DemoScreen(name, pid, directory);
        demo.Screen("chdir", directory);
        demo.Screen("screen", "-t", "top", "top", "-d", "1");
        demo.Screen("screen", "-t", "vim", "vim", "-u", "DEFAULTS", "-i", "NONE", Path.Combine(directory, "notes.txt"));
        demo.Stuff("0", $"cd {directory}; export KEEPER_DEMO=\"set before the save\"\n");
        demo.Stuff("2", $"i{UnsavedText}\u001b");
        if (!ExternalCommand.Poll(() => TreeOf(pid).Count >= 4, TimeSpan.FromSeconds(10)))
        {
            throw new KeeperException($"screen session {name} (pid {pid}) did not start bash, top and vim");
        }
        // Let top draw its first frame and vim take the keys, and let bash finish its start-up
        // files: a ~/.bashrc may run commands for a while (pyenv's init takes seconds), and a
        // save in the middle would catch them.
        WaitSettled(pid, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(10));
        return demo;
    }

    // Waits until the tree of `pid` has held the same processes for `quiet` (at most `limit`).
    private static void WaitSettled(int pid, TimeSpan quiet, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        var still = Stopwatch.StartNew();
        List<int> seen = TreeOf(pid);
        while (still.Elapsed < quiet && clock.Elapsed < limit)
        {
            Thread.Sleep(100);
            List<int> now = TreeOf(pid);
            if (!now.SequenceEqual(seen))
            {
                seen = now;
                still.Restart();
            }
        }
    }

    /// <summary>Ends the session (screen's quit, then SIGKILL for what is left) and removes its directory.</summary>
    public void Quit()
    {
        QuitRunning(Pid, Name);
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Ends the screen session <paramref name="pid"/>.<paramref name="name"/>: screen's quit, then SIGKILL for what is left.</summary>
    public static void QuitRunning(int pid, string name)
    {
        ExternalCommand.Run("screen", ["-S", $"{pid}.{name}", "-X", "quit"], check: false);
        List<int> left = TreeOf(pid);
        foreach (int process in left)
        {
            SessionKeeper.Native.Interop.TryKill(process, SessionKeeper.Native.Signals.SIGKILL);
        }
        ExternalCommand.Poll(() => !left.Any(p => File.Exists($"/proc/{p}/stat")), TimeSpan.FromSeconds(5));
        // A server that had to be killed leaves its socket behind ("Dead ???" in screen -ls).
        ExternalCommand.Run("screen", ["-wipe", $"{pid}.{name}"], check: false);
    }

    /// <summary>Whether window <paramref name="window"/> shows <paramref name="text"/> (screen's hardcopy; no client needed).</summary>
    public bool WindowShows(string window, string text)
    {
        string copy = Path.Combine(Directory, $"hardcopy-{window}");
        return ExternalCommand.Poll(() =>
        {
            File.Delete(copy);
            ExternalCommand.Run("screen", ["-S", $"{Pid}.{Name}", "-p", window, "-X", "hardcopy", copy], check: false);
            return ExternalCommand.Poll(() => File.Exists(copy), TimeSpan.FromSeconds(2)) && File.ReadAllText(copy).Contains(text, StringComparison.Ordinal);
        }, TimeSpan.FromSeconds(5));
    }

    /// <summary>The pid of the screen session called <paramref name="name"/>, from screen -ls.</summary>
    public static int? FindPid(string name)
    {
        string list = ExternalCommand.Run("screen", ["-ls", name], check: false);
        Match match = SessionLine().Match(list);
        return match.Success && match.Groups[2].Value == name ? int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : null;
    }

    /// <summary>The pid and every live descendant of it.</summary>
    public static List<int> TreeOf(int root) => LiveTree.Snapshot(root).Select(p => (int)p.Pid).ToList();

    /// <summary>Resident memory of the tree of <paramref name="root"/>, in bytes.</summary>
    public static long ResidentBytes(int root) => LiveTree.ResidentBytes(LiveTree.Snapshot(root));

    private void Screen(params string[] command) => ExternalCommand.Run("screen", ["-S", $"{Pid}.{Name}", "-X", .. command]);

    private void Stuff(string window, string text) => ExternalCommand.Run("screen", ["-S", $"{Pid}.{Name}", "-p", window, "-X", "stuff", text]);

    [GeneratedRegex(@"^\s+(\d+)\.(\S+)\s", RegexOptions.Multiline)]
    private static partial Regex SessionLine();
}
