using System.CommandLine;
using SessionKeeper.Engine.Dump;
using SessionKeeper.Engine.Restore;
using SessionKeeper.Native;

namespace SessionKeeper.Cli.Commands;

/// <summary>
/// <c>keeper dump</c> and <c>keeper restore --images</c>: the engine on raw image directories,
/// below the named snapshots that the store will add.
/// </summary>
internal static class EngineCommands
{
    /// <summary><c>keeper dump --pid PID --images DIR [--leave-running]</c>.</summary>
    public static Command CreateDump()
    {
        var pid = new Option<int>("--pid", "-p") { Description = "Root of the process tree to checkpoint.", Required = true };
        var images = new Option<string>("--images", "-D") { Description = "Directory to write the images to (created, mode 0700; must not exist or be empty).", Required = true };
        var leaveRunning = new Option<bool>("--leave-running", "-R") { Description = "Let the tree run on after the dump (default: end it once the images are safely written)." };
        var rebindTty = new Option<bool>("--rebind-tty")
        {
            Description = "Save a terminal whose other end is outside the tree (the terminal the program was started in) "
                + "instead of refusing it: `keeper restore` then puts the program on a new terminal and relays it to its own.",
        };
        var command = new Command("dump", "Checkpoint a process tree into a raw image directory.") { pid, images, leaveRunning, rebindTty };
        CommandRunner.SetHandler(command, (parse, stdout) =>
        {
            using var interruption = new Interruption();
            DumpResult result = Dumper.Dump(parse.GetValue(pid), parse.GetValue(images)!, new DumpOptions
            {
                Mode = parse.GetValue(leaveRunning) ? DumpMode.LeaveRunning : DumpMode.Kill,
                RebindOutsideTerminals = parse.GetValue(rebindTty),
                Progress = CommandRunner.Detail(parse),
                Cancellation = interruption.Token,
            });
            stdout.WriteLine($"dumped {result.Pids.Count} process(es) of pid {result.RootPid} to {result.ImageDirectory}: " +
                $"{result.PagesSaved} pages, frozen {result.FreezeDuration.TotalMilliseconds:F1} ms, total {result.TotalDuration.TotalMilliseconds:F1} ms" +
                (parse.GetValue(leaveRunning) ? "; the tree runs on" : "; the tree was ended"));
            return ReturnCode.Success;
        });
        return command;
    }

    /// <summary><c>keeper restore --images DIR</c>.</summary>
    public static Command CreateRestore()
    {
        var images = new Option<string>("--images", "-D") { Description = "Raw image directory written by `keeper dump` (instead of a snapshot NAME)." };
        Option<bool> tcpClose = RestoreByName.TcpClose;
        var command = new Command("restore", "Restore a named snapshot or a raw image directory, with its original PIDs; returns once the tree runs on its own. "
            + "A tree saved with --rebind-tty is put on a new terminal, which keeper relays to its own standard input and output "
            + "until the program closes it.") { images, tcpClose };
        RestoreByName.Extend(command);
        CommandRunner.SetHandler(command, (parse, stdout) =>
        {
            if (parse.GetValue(images) is null)
            {
                return RestoreByName.Run(parse, stdout);
            }
            int root = Restorer.Restore(parse.GetValue(images)!, new RestoreOptions
            {
                TcpClose = parse.GetValue(tcpClose),
                Progress = CommandRunner.Detail(parse),
                Warning = line => Console.Error.WriteLine($"warning: {line}"),
            }, out IReadOnlyList<SafeFd> terminals);
            stdout.WriteLine($"restored the tree of pid {root}");
            ServeReboundTerminals(terminals);
            return ReturnCode.Success;
        });
        return command;
    }

    /// <summary>
    /// Relays the first re-bound terminal to keeper's own until the program closes it; the
    /// others (a tree that had several outside terminals) hang up when keeper exits.
    /// </summary>
    private static void ServeReboundTerminals(IReadOnlyList<SafeFd> terminals)
    {
        if (terminals.Count == 0)
        {
            return;
        }
        try
        {
            Console.Error.WriteLine($"the tree's terminal is re-bound to /dev/pts/{Interop.GetPtyIndex(terminals[0])}; "
                + "keeper relays it here until the program closes it" + (terminals.Count > 1 ? $" ({terminals.Count - 1} more terminal(s) hang up when keeper exits)" : ""));
            Console.Out.Flush();
            if (OperatingSystem.IsLinux())
            {
                Terminal.TerminalRelay.Serve(terminals[0]);
            }
        }
        finally
        {
            foreach (SafeFd terminal in terminals)
            {
                terminal.Dispose();
            }
        }
    }
}
