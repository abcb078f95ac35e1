namespace SessionKeeper.Autosave;

/// <summary>How to run this keeper binary again, for the units and the save command.</summary>
public static class KeeperSelf
{
    /// <summary>Where install.sh puts keeper, and what the unit files in systemd-user/ name.</summary>
    public const string InstalledPath = "/usr/local/bin/keeper";

    /// <summary>
    /// The program and leading arguments that start this keeper: the NativeAOT executable
    /// itself, or, for a framework-dependent build (tests), the dotnet host with keeper.dll.
    /// </summary>
    public static IReadOnlyList<string> Command { get; } = Locate();

    /// <summary>
    /// The keeper executable a unit file should run: this process when it is a keeper
    /// executable, otherwise <see cref="InstalledPath"/>.
    /// </summary>
    public static string Executable => Command.Count == 1 ? Command[0] : InstalledPath;

    private static string[] Locate()
    {
        string process = Environment.ProcessPath ?? InstalledPath;
        if (Path.GetFileName(process) == "dotnet")
        {
            return [process, Path.Combine(AppContext.BaseDirectory, "keeper.dll")];
        }
        return [process];
    }
}
