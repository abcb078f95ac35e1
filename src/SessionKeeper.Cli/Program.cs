using System.CommandLine;
using SessionKeeper.Cli.Commands;

namespace SessionKeeper.Cli;

internal static class Program
{
    private static int Main(string[] args)
    {
        CommandRunner.StartClock();
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
        ParseResult parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            // A wrong command line is exit code 2 (README: Exit codes), one line per problem.
            foreach (System.CommandLine.Parsing.ParseError error in parse.Errors)
            {
                Console.Error.WriteLine($"error: {error.Message}");
            }
            Console.Error.WriteLine($"(see `{CommandPath(parse.CommandResult)} --help`)");
            return (int)ReturnCode.UsageError;
        }
        return parse.Invoke();
    }

    /// <summary>"keeper image decode" for the command a parse ended in.</summary>
    private static string CommandPath(System.CommandLine.Parsing.CommandResult result)
    {
        var names = new List<string>();
        for (System.CommandLine.Parsing.SymbolResult? at = result; at is not null; at = at.Parent)
        {
            if (at is System.CommandLine.Parsing.CommandResult command)
            {
                names.Insert(0, command.Command is RootCommand ? "keeper" : command.Command.Name);
            }
        }
        return string.Join(' ', names);
    }
}
