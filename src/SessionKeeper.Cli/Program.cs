using System.CommandLine;

namespace SessionKeeper.Cli;

internal static class Program
{
    private static int Main(string[] args)
    {
        var root = new RootCommand("keeper — keep screen, tmux and VNC sessions alive across reboots and machines.");
        return root.Parse(args).Invoke();
    }
}
