using System.CommandLine;
using System.Globalization;
using SessionKeeper.Sessions;
using SessionKeeper.Store;

namespace SessionKeeper.Cli.Commands;

/// <summary>
/// What the snapshot commands share: the <c>--store</c> option, the translation of store
/// errors into <c>error:</c> lines, sizes for humans, and progress that shows on a terminal and
/// stays quiet in scripts.
/// </summary>
internal static class StoreCli
{
    /// <summary>Global <c>--store DIR</c>.</summary>
    public static readonly Option<string?> StoreOption = new("--store")
    {
        Description = "Snapshot store directory (default: $KEEPER_STORE, else /var/lib/keeper for root, $XDG_DATA_HOME/keeper for others).",
        Recursive = true,
    };

    /// <summary><c>--json</c>.</summary>
    public static Option<bool> JsonOption() => new("--json") { Description = "Print JSON instead of a table." };

    /// <summary>Opens the store the command line names.</summary>
    public static SnapshotStore Open(ParseResult parse, bool create) => SnapshotStore.Open(parse.GetValue(StoreOption), create);

    /// <summary>Sets a handler whose store and session errors become one <c>error:</c> line.</summary>
    public static void SetHandler(Command command, Func<ParseResult, TextWriter, ReturnCode> handler) =>
        CommandRunner.SetHandler(command, (parse, stdout) =>
        {
            try
            {
                return handler(parse, stdout);
            }
            catch (StoreException e)
            {
                throw new KeeperException(e.Message, ReturnCode.Error, e);
            }
            catch (SessionLookupException e)
            {
                throw new KeeperException(e.Message, ReturnCode.Error, e);
            }
        });

    /// <summary>Bytes as a human reads them.</summary>
    public static string Size(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:F1} KiB"),
        < 1024L * 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):F1} MiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024 * 1024):F2} GiB"),
    };

    /// <summary>A progress line that rewrites itself on a terminal (stderr) and is silent otherwise.</summary>
    public sealed class ProgressLine : IDisposable
    {
        private readonly bool _enabled = !Console.IsErrorRedirected;
        private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();
        private long _lastShown = -1000;
        private int _width;

        /// <summary>Shows <paramref name="text"/> (at most 10 times a second).</summary>
        public void Show(string text)
        {
            if (!_enabled || _clock.ElapsedMilliseconds - _lastShown < 100)
            {
                return;
            }
            lock (this)
            {
                _lastShown = _clock.ElapsedMilliseconds;
                Console.Error.Write("\r" + text.PadRight(_width));
                _width = text.Length;
            }
        }

        /// <summary>Clears the line.</summary>
        public void Dispose()
        {
            if (_enabled && _width > 0)
            {
                Console.Error.Write("\r" + new string(' ', _width) + "\r");
            }
        }
    }
}
