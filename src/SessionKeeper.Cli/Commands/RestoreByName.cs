using System.CommandLine;
using SessionKeeper.Store;

namespace SessionKeeper.Cli.Commands;

/// <summary>
/// <c>keeper restore NAME[@GEN] [--replace]</c> and <c>keeper restore --all --auto</c>: the named
/// snapshot forms of <c>keeper restore</c>, beside <c>--images DIR</c>.
/// </summary>
internal static class RestoreByName
{
    private static readonly Argument<string?> Name = new("NAME") { Description = "Snapshot to restore: NAME (its newest generation), NAME@N or NAME@auto.", Arity = ArgumentArity.ZeroOrOne };
    private static readonly Option<bool> Replace = new("--replace") { Description = "If the saved session still runs, end it first (default: refuse)." };
    private static readonly Option<bool> All = new("--all") { Description = "With --auto: restore the newest autosave of every name whose session is not running (used at login)." };
    private static readonly Option<bool> Auto = new("--auto") { Description = "With --all: restore autosaves." };

    /// <summary><c>--tcp-close</c>, shared with the --images form (the restore command owns it).</summary>
    public static Option<bool> TcpClose { get; } = new("--tcp-close")
    {
        Description = "Give established TCP connections back as reset (the application sees ECONNRESET) instead of rebuilding them.",
    };

    /// <summary>Adds the NAME argument and the snapshot options to the restore command.</summary>
    public static void Extend(Command restore)
    {
        restore.Arguments.Add(Name);
        restore.Options.Add(Replace);
        restore.Options.Add(All);
        restore.Options.Add(Auto);
        Option images = restore.Options.First(o => o.Name == "--images");
        restore.Validators.Add(result =>
        {
            if (result.GetResult(images) is not null && (result.GetValue(Name) is not null || result.GetValue(All) || result.GetValue(Replace)))
            {
                result.AddError("restore either a snapshot NAME or an image directory (--images), not both");
            }
        });
    }

    /// <summary>Runs a restore by name (the command line gave no --images).</summary>
    public static ReturnCode Run(ParseResult parse, TextWriter stdout)
    {
        try
        {
            return RunStore(parse, stdout);
        }
        catch (StoreException e)
        {
            throw new KeeperException(e.Message, ReturnCode.Error, e);
        }
    }

    private static ReturnCode RunStore(ParseResult parse, TextWriter stdout)
    {
        string? name = parse.GetValue(Name);
        if (parse.GetValue(All))
        {
            if (!parse.GetValue(Auto) || name is not null)
            {
                throw new KeeperException("--all restores autosaves: use `keeper restore --all --auto` without a NAME", ReturnCode.UsageError);
            }
            return RestoreAutosaves(parse, stdout);
        }
        if (name is null)
        {
            throw new KeeperException("name the snapshot to restore (`keeper snapshots` lists them), or give --images DIR", ReturnCode.UsageError);
        }
        Restore(parse, stdout, StoreCli.Open(parse, create: false), name, parse.GetValue(Replace));
        return ReturnCode.Success;
    }

    private static void Restore(ParseResult parse, TextWriter stdout, SnapshotStore store, string spec, bool replace)
    {
        RestoreResult result;
        using (var interruption = new Interruption())
        using (var progress = new StoreCli.ProgressLine())
        {
            result = SnapshotRestorer.Restore(store, spec, replace, CommandRunner.Detail(parse),
                p => progress.Show($"restoring {spec}: checked {StoreCli.Size(p.Done)} of {StoreCli.Size(p.Total)}"),
                tcpClose: parse.GetValue(TcpClose), warning: line => Console.Error.WriteLine($"warning: {line}"), interruption.Token);
        }
        var session = result.Generation.Manifest.Session;
        stdout.WriteLine($"restored {result.Generation.Spec}: {session?.Processes.Count ?? 0} process(es), the tree of pid {result.RootPid} runs again" +
            (result.Ended > 0 ? $" (ended {result.Ended} process(es) of the session that ran)" : ""));
        string? hint = session?.Kind switch
        {
            "screen" => $"attach with: screen -r {session.SessionName}",
            "tmux" => $"attach with: tmux -L {session.SessionName} attach",
            "vnc" => $"connect a VNC viewer to display {session.SessionName}",
            _ => null,
        };
        if (hint is not null)
        {
            stdout.WriteLine(hint);
        }
    }

    private static ReturnCode RestoreAutosaves(ParseResult parse, TextWriter stdout)
    {
        SnapshotStore store;
        try
        {
            store = StoreCli.Open(parse, create: false);
        }
        catch (StoreException)
        {
            // No store yet: nothing was ever autosaved, which at login is no error.
            return ReturnCode.Success;
        }
        int failed = 0;
        foreach (string name in store.Names())
        {
            try
            {
                if (!store.GenerationDirectories(name).Contains(SnapshotStore.AutoGeneration))
                {
                    continue;
                }
                Generation auto = store.Resolve($"{name}@{SnapshotStore.AutoGeneration}");
                if (SnapshotRestorer.IsRunning(store, auto))
                {
                    stdout.WriteLine($"{auto.Spec}: the session still runs; left as it is");
                    continue;
                }
                Restore(parse, stdout, store, auto.Spec, replace: false);
            }
            catch (Exception e) when (e is StoreException or IOException or InvalidDataException or Engine.Restore.RestoreException or Native.ErrnoException)
            {
                // One snapshot that cannot come back must not keep the others away.
                Console.Error.WriteLine($"error: {name}@auto: {e.Message}");
                failed++;
            }
        }
        return failed == 0 ? ReturnCode.Success : ReturnCode.Error;
    }
}
