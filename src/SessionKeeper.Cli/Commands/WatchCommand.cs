using System.CommandLine;
using System.Runtime.InteropServices;
using SessionKeeper.Autosave;
using Tmds.DBus.Protocol;

namespace SessionKeeper.Cli.Commands;

/// <summary><c>keeper watch</c>: save every session before shutdown (and suspend), holding a logind delay lock.</summary>
internal static class WatchCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var bus = new Option<string>("--bus")
        {
            Description = "D-Bus address of the system bus (default: $DBUS_SYSTEM_BUS_ADDRESS, else "
                + "unix:path=/var/run/dbus/system_bus_socket).",
        };
        var sleep = new Option<bool>("--sleep")
        {
            Description = "Also save before suspend and hibernation; the lock then covers sleep too.",
        };
        var timeout = new Option<int>("--save-timeout")
        {
            Description = "Seconds a save may take before it is killed and the lock released anyway.",
            DefaultValueFactory = _ => 120,
        };
        // For tests: the save command is run as `WRAPPER keeper save --all --auto`, so a test can
        // see what was run and make it fail or block.
        var wrapper = new Option<string>("--save-wrapper") { Hidden = true };
        var command = new Command(
            "watch",
            "Stay running (as keeper-watch.service) holding a logind delay inhibitor lock on the system bus; when logind "
            + "announces a shutdown (PrepareForShutdown), and with --sleep a suspend, run `keeper save --all --auto` "
            + "as a child, then release the lock so the shutdown goes on. The lock is taken again when the shutdown is "
            + "cancelled or the machine resumes. Every step is logged on stderr (the journal). logind waits at most "
            + "InhibitDelayMaxSec (logind.conf, 5 s by default) for the lock. Exits 0 on SIGTERM, 1 when the bus is "
            + "missing or lost or logind refuses the lock.")
        {
            bus, sleep, timeout, wrapper,
        };
        CommandRunner.SetHandler(command, (parse, _) =>
        {
            int seconds = parse.GetValue(timeout);
            if (seconds <= 0)
            {
                throw new KeeperException($"--save-timeout must be a positive number of seconds, not {seconds}", ReturnCode.UsageError);
            }
            var options = new WatchOptions
            {
                BusAddress = parse.GetValue(bus) ?? DBusAddress.System
                    ?? throw new KeeperException("no system bus address: give --bus or set DBUS_SYSTEM_BUS_ADDRESS"),
                SaveBeforeSleep = parse.GetValue(sleep),
                Save = SessionKeeper.Autosave.SaveCommand.SaveAll(parse.GetValue(wrapper)),
                SaveTimeout = TimeSpan.FromSeconds(seconds),
                Log = Log,
            };
            using var stop = new CancellationTokenSource();
            using PosixSignalRegistration term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
            using PosixSignalRegistration interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
            try
            {
                ShutdownWatcher.RunAsync(options, stop.Token).GetAwaiter().GetResult();
            }
            catch (WatchException e)
            {
                throw new KeeperException(e.Message, ReturnCode.Error, e);
            }
            return ReturnCode.Success;

            void Stop(PosixSignalContext context)
            {
                context.Cancel = true;
                stop.Cancel();
            }
        });
        return command;
    }

    private static void Log(string line)
    {
        Console.Error.WriteLine($"keeper watch: {line}");
        Console.Error.Flush();
    }
}
