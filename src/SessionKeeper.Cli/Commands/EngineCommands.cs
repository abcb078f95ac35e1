using System.CommandLine;
using SessionKeeper.Engine.Dump;
using SessionKeeper.Engine.Restore;

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
        var command = new Command("dump", "Checkpoint a process tree into a raw image directory.") { pid, images, leaveRunning };
        CommandRunner.SetHandler(command, (parse, stdout) =>
        {
            DumpResult result = Dumper.Dump(parse.GetValue(pid), parse.GetValue(images)!, new DumpOptions
            {
                Mode = parse.GetValue(leaveRunning) ? DumpMode.LeaveRunning : DumpMode.Kill,
                Progress = parse.GetValue(CommandRunner.Verbose) ? line => Console.Error.WriteLine(line) : null,
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
        var images = new Option<string>("--images", "-D") { Description = "Raw image directory written by `keeper dump`.", Required = true };
        var tcpClose = new Option<bool>("--tcp-close") { Description = "Give established TCP connections back as reset (the application sees ECONNRESET) instead of rebuilding them." };
        var command = new Command("restore", "Restore a process tree from a raw image directory, with its original PIDs; returns once it runs on its own.") { images, tcpClose };
        CommandRunner.SetHandler(command, (parse, stdout) =>
        {
            int root = Restorer.Restore(parse.GetValue(images)!, new RestoreOptions
            {
                TcpClose = parse.GetValue(tcpClose),
                Progress = parse.GetValue(CommandRunner.Verbose) ? line => Console.Error.WriteLine(line) : null,
                Warning = line => Console.Error.WriteLine($"warning: {line}"),
            });
            stdout.WriteLine($"restored the tree of pid {root}");
            return ReturnCode.Success;
        });
        return command;
    }
}
