using System.CommandLine;
using System.Globalization;
using SessionKeeper.Sessions;
using SessionKeeper.Store;

namespace SessionKeeper.Cli.Commands;

/// <summary><c>keeper save</c>: checkpoint a session (or any tree with --pid) into a named snapshot.</summary>
internal static class SaveCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var name = new Argument<string?>("NAME") { Description = "The session to save (as `keeper list` shows it), or with --pid the snapshot name.", Arity = ArgumentArity.ZeroOrOne };
        var pid = new Option<int?>("--pid", "-p") { Description = "Save the process tree of PID instead of a session found by name." };
        var stop = new Option<bool>("--stop") { Description = "End the session once it is safely saved (for moves and shutdown)." };
        var saveAs = new Option<string?>("--as") { Description = "Snapshot name to save under (default: NAME)." };
        var auto = new Option<bool>("--auto") { Description = "Write the autosave generation NAME@auto (one per name, replaced by the next autosave) instead of a new numbered one." };
        var all = new Option<bool>("--all") { Description = "Save every session `keeper list` finds, each under its own name." };
        var command = new Command("save", "Checkpoint a session into a named snapshot; it runs on unless --stop.") { name, pid, stop, saveAs, auto, all };
        StoreCli.SetHandler(command, (parse, stdout) =>
        {
            SnapshotStore store = StoreCli.Open(parse, create: true);
            bool isAuto = parse.GetValue(auto);
            bool doStop = parse.GetValue(stop);
            if (parse.GetValue(all))
            {
                if (parse.GetValue(name) is not null || parse.GetValue(pid) is not null || parse.GetValue(saveAs) is not null)
                {
                    throw new KeeperException("--all saves every session under its own name: give no NAME, --pid or --as with it", ReturnCode.UsageError);
                }
                int failed = 0;
                foreach (SessionInfo session in SessionFinder.List())
                {
                    try
                    {
                        SaveSession(parse, stdout, store, session, session.Name, isAuto, doStop);
                    }
                    catch (Exception e) when (e is StoreException or KeeperException or SessionLookupException or IOException or InvalidDataException or Engine.Dump.UnsupportedObjectException)
                    {
                        // One session that cannot be saved must not keep the others from being saved.
                        Console.Error.WriteLine($"error: session {session.Name}: {e.Message}");
                        failed++;
                    }
                }
                return failed == 0 ? ReturnCode.Success : ReturnCode.Error;
            }
            string target = parse.GetValue(name) ?? throw new KeeperException("name the session to save (`keeper list` shows them), or use --all", ReturnCode.UsageError);
            string snapshot = parse.GetValue(saveAs) ?? target;
            SnapshotStore.CheckName(snapshot);
            if (parse.GetValue(pid) is int root)
            {
                Save(parse, stdout, store, new SaveRequest { Name = snapshot, RootPid = root, Auto = isAuto, Stop = doStop, Detail = CommandRunner.Detail(parse) });
                return ReturnCode.Success;
            }
            SessionInfo found = SessionFinder.Resolve(target);
            SaveSession(parse, stdout, store, found, snapshot, isAuto, doStop);
            return ReturnCode.Success;
        });
        return command;
    }

    private static void SaveSession(ParseResult parse, TextWriter stdout, SnapshotStore store, SessionInfo session, string snapshot, bool auto, bool stop)
    {
        foreach (string line in SessionFinder.PrepareForSave(session))
        {
            stdout.WriteLine(line);
        }
        Save(parse, stdout, store, new SaveRequest
        {
            Name = snapshot,
            RootPid = session.RootPid,
            Kind = session.Kind.ToString().ToLowerInvariant(),
            SessionName = session.Name,
            Auto = auto,
            Stop = stop,
            Detail = CommandRunner.Detail(parse),
        });
    }

    private static void Save(ParseResult parse, TextWriter stdout, SnapshotStore store, SaveRequest request)
    {
        SaveResult result;
        using (var interruption = new Interruption())
        using (var progress = new StoreCli.ProgressLine())
        {
            result = SnapshotSaver.Save(store, request with
            {
                Cancellation = interruption.Token,
                Progress = p => progress.Show($"saving {request.Name}: {p.Processes} process(es), {p.PageBytes / Environment.SystemPageSize} pages, {StoreCli.Size(p.PageBytes)} of memory, {StoreCli.Size(p.NewBytes)} written"),
            });
        }
        var manifest = result.Generation.Manifest;
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"saved {result.Generation.Spec}: {result.Dump.Pids.Count} process(es) of pid {request.RootPid}, {StoreCli.Size((long)manifest.MemoryBytes)} of memory, " +
            $"{StoreCli.Size((long)manifest.NewStoredBytes)} new in the store ({result.NewChunks} of {result.TotalChunks} chunks), frozen {result.Dump.FreezeDuration.TotalMilliseconds:F1} ms") +
            (request.Stop ? "; the session was ended" : "; the session runs on"));
        if (parse.GetValue(CommandRunner.Verbose))
        {
            stdout.WriteLine($"  {result.Generation.Directory}");
        }
    }
}
