using System.CommandLine;
using SessionKeeper.Cli.Commands;

namespace SessionKeeper.Cli;

internal static class Program
{
    private static int Main(string[] args)
    {
        var root = new RootCommand(
            "keeper — keep screen, tmux and VNC sessions alive across reboots and move them between machines.");
        root.Options.Add(CommandRunner.Verbose);
        root.Subcommands.Add(ImageCommand.Create());
        root.Subcommands.Add(EngineCommands.CreateDump());
        root.Subcommands.Add(EngineCommands.CreateRestore());
        root.Subcommands.Add(CheckCommand.Create());
        root.Subcommands.Add(BenchCommand.Create());
        root.Subcommands.Add(DemoCommand.Create());
        root.Subcommands.Add(ListCommand.Create());
        root.Options.Add(StoreCli.StoreOption);
        root.Subcommands.Add(SaveCommand.Create());
        root.Subcommands.Add(SnapshotsCommand.Create());
        root.Subcommands.Add(SnapshotsCommand.CreateShow());
        root.Subcommands.Add(StoreCommands.CreateRm());
        root.Subcommands.Add(StoreCommands.CreateGc());
        root.Subcommands.Add(StoreCommands.CreateVerify());
        root.Subcommands.Add(StoreCommands.CreateExport());
        root.Subcommands.Add(StoreCommands.CreateImport());
        root.Subcommands.Add(WatchCommand.Create());
        root.Subcommands.Add(AutosaveCommand.Create());
        return root.Parse(args).Invoke();
    }
}
