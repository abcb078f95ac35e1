using System.CommandLine;
using SessionKeeper.Cli.Demo;
using SessionKeeper.Sessions;
using SessionKeeper.Store;

namespace SessionKeeper.Cli.Commands;

/// <summary>
/// <c>keeper demo</c>: shows the whole job on a throwaway screen session — start it (bash, top,
/// vim with unsaved text), save it with <c>--stop</c>, see it gone, restore it, check that vim
/// still holds its text, and tell the user how to look at it.
/// </summary>
internal static class DemoCommand
{
    private const string SessionName = "keeper-demo";

    public static Command Create()
    {
        var command = new Command("demo",
            $"Start a throwaway screen session `{SessionName}` (bash, top, vim with unsaved text), save it into the store "
            + "as the snapshot keeper-demo and end it, restore it with its pids, check that vim still holds the unsaved "
            + "text, and say how to attach. An earlier demo session of that name is ended first. Needs root and screen.");
        StoreCli.SetHandler(command, (parse, stdout) =>
        {
            SnapshotStore store = StoreCli.Open(parse, create: true);
            if (DemoScreen.FindPid(SessionName) is int old)
            {
                stdout.WriteLine($"ending the demo session of an earlier run (pid {old})");
                DemoScreen.QuitRunning(old, SessionName);
            }
            stdout.WriteLine($"1. starting screen session {SessionName}: window 0 bash, window 1 top, window 2 vim with a line it never saved");
            DemoScreen demo = DemoScreen.Start(SessionName);
            try
            {
                SessionInfo session = SessionFinder.Resolve(SessionName);
                foreach (string line in SessionFinder.PrepareForSave(session))
                {
                    stdout.WriteLine("   " + line);
                }
                stdout.WriteLine($"2. keeper save {SessionName} --stop");
                SaveResult saved = SnapshotSaver.Save(store, new SaveRequest
                {
                    Name = SessionName,
                    RootPid = session.RootPid,
                    Kind = "screen",
                    SessionName = session.Name,
                    Stop = true,
                    Detail = CommandRunner.Detail(parse),
                });
                // The killed processes are reaped by their parents (the root's is init, which can take a moment).
                bool gone = ExternalCommand.Poll(() => saved.Dump.Pids.All(pid => !File.Exists($"/proc/{pid}/stat")), TimeSpan.FromSeconds(10));
                stdout.WriteLine($"   saved {saved.Generation.Spec}: {saved.Dump.Pids.Count} processes in {saved.Dump.TotalDuration.TotalMilliseconds:F0} ms " +
                    $"(frozen {saved.Dump.FreezeDuration.TotalMilliseconds:F0} ms); the session was ended: " +
                    (gone ? "none of its processes runs" : "some of its processes are still there"));
                stdout.WriteLine($"3. keeper restore {SessionName}");
                var clock = System.Diagnostics.Stopwatch.StartNew();
                RestoreResult restored = SnapshotRestorer.Restore(store, SessionName, replace: false, CommandRunner.Detail(parse), null);
                stdout.WriteLine($"   restored in {clock.Elapsed.TotalMilliseconds:F0} ms: pid {restored.RootPid} runs again with bash, top and vim ({DemoScreen.TreeOf(restored.RootPid).Count} processes)");
                bool kept = demo.WindowShows("2", DemoScreen.UnsavedText);
                stdout.WriteLine(kept
                    ? "4. vim still holds its unsaved line (read from the window with screen's hardcopy)"
                    : "4. WARNING: vim's window does not show its unsaved line");
                stdout.WriteLine();
                stdout.WriteLine($"Look at it:      screen -r {SessionName}     (switch windows with Ctrl-a 0/1/2, detach with Ctrl-a d)");
                stdout.WriteLine($"End it:          screen -S {SessionName} -X quit");
                stdout.WriteLine($"The snapshot:    keeper snapshots; keeper show {SessionName}; keeper rm {SessionName}");
                return kept ? ReturnCode.Success : ReturnCode.Error;
            }
            catch
            {
                demo.Quit();
                throw;
            }
        });
        return command;
    }
}
