using System.Threading.Channels;
using SessionKeeper.Native;
using Tmds.DBus.Protocol;

namespace SessionKeeper.Autosave;

/// <summary>What <see cref="ShutdownWatcher"/> needs to run.</summary>
public sealed class WatchOptions
{
    /// <summary>D-Bus address of the system bus (logind lives there).</summary>
    public required string BusAddress { get; init; }

    /// <summary>Also save before suspend and hibernation (the lock then covers <c>sleep</c> too).</summary>
    public bool SaveBeforeSleep { get; init; }

    /// <summary>The command that saves every session.</summary>
    public required SaveCommand Save { get; init; }

    /// <summary>How long a save may take before it is killed and the lock released anyway.</summary>
    public TimeSpan SaveTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Where every line of the watcher's log goes (the journal, through stderr).</summary>
    public required Action<string> Log { get; init; }
}

/// <summary>The watcher cannot go on: the bus is missing or was lost, or logind refused the lock.</summary>
public sealed class WatchException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// <c>keeper watch</c>: holds a logind delay inhibitor lock, saves every session when logind
/// announces a shutdown (and, optionally, a suspend), then releases the lock so that logind
/// goes on; takes the lock again when the shutdown is cancelled or the machine resumes.
/// </summary>
/// <remarks>
/// Signals are queued and handled one at a time on the caller's flow, so a save never overlaps
/// another and the lock is released by exactly one path. Whatever ends the watcher — a lost
/// bus, a refused lock, cancellation — closes the lock's descriptor first, so logind is never
/// left waiting for a process that has stopped watching.
/// </remarks>
public sealed class ShutdownWatcher
{
    private const string Who = "keeper";
    private const string Why = "Saving screen, tmux and VNC sessions";

    private readonly WatchOptions _options;
    private readonly Channel<Event> _events = Channel.CreateUnbounded<Event>(new UnboundedChannelOptions { SingleReader = true });
    private SafeFd? _lock;

    private ShutdownWatcher(WatchOptions options) => _options = options;

    private enum EventKind
    {
        Shutdown,
        Sleep,
        Lost,
        Stop,
    }

    /// <summary>What the lock covers.</summary>
    public string What => _options.SaveBeforeSleep ? "shutdown:sleep" : "shutdown";

    /// <summary>
    /// Watches until <paramref name="cancellation"/> fires (returns normally) or the bus
    /// fails (throws <see cref="WatchException"/>).
    /// </summary>
    public static Task RunAsync(WatchOptions options, CancellationToken cancellation) =>
        new ShutdownWatcher(options).RunAsync(cancellation);

    private async Task RunAsync(CancellationToken cancellation)
    {
        using var connection = new DBusConnection(_options.BusAddress);
        try
        {
            await connection.ConnectAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new WatchException($"cannot connect to the system bus at {_options.BusAddress}: {e.Message}", e);
        }
        _options.Log($"connected to the system bus at {_options.BusAddress}");

        using CancellationTokenRegistration stop = cancellation.Register(() => Post(EventKind.Stop));
        _ = connection.DisconnectedAsync().ContinueWith(
            t => Post(EventKind.Lost, error: t.Result), TaskScheduler.Default);
        using IDisposable shutdownWatch = await SubscribeAsync(connection, Logind.PrepareForShutdown, EventKind.Shutdown).ConfigureAwait(false);
        using IDisposable? sleepWatch = _options.SaveBeforeSleep
            ? await SubscribeAsync(connection, Logind.PrepareForSleep, EventKind.Sleep).ConfigureAwait(false)
            : null;
        try
        {
            await TakeLockAsync(connection).ConfigureAwait(false);
            await foreach (Event e in _events.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
            {
                if (!await HandleAsync(connection, e).ConfigureAwait(false))
                {
                    return;
                }
            }
        }
        finally
        {
            ReleaseLock();
        }
    }

    /// <summary>Handles one event; false when the watcher is to end.</summary>
    private async Task<bool> HandleAsync(DBusConnection connection, Event e)
    {
        switch (e.Kind)
        {
            case EventKind.Stop:
                _options.Log("stopping");
                return false;
            case EventKind.Lost:
                ReleaseLock();
                throw new WatchException(
                    $"lost the system bus connection at {_options.BusAddress}: {e.Error?.Message ?? "closed"}", e.Error);
            case EventKind.Shutdown when e.Starting:
                await SaveThenReleaseAsync("shutdown announced").ConfigureAwait(false);
                return true;
            case EventKind.Sleep when e.Starting:
                await SaveThenReleaseAsync("suspend announced").ConfigureAwait(false);
                return true;
            default:
                _options.Log(e.Kind == EventKind.Shutdown ? "shutdown cancelled" : "resumed");
                if (_lock is null)
                {
                    await TakeLockAsync(connection).ConfigureAwait(false);
                }
                return true;
        }
    }

    private async Task SaveThenReleaseAsync(string reason)
    {
        _options.Log($"{reason}: running {_options.Save}");
        try
        {
            SaveOutcome outcome = await Task.Run(() => _options.Save.Run(_options.SaveTimeout, _options.Log)).ConfigureAwait(false);
            _options.Log($"save {outcome.Describe(_options.SaveTimeout)}");
        }
        finally
        {
            ReleaseLock();
        }
    }

    private async Task TakeLockAsync(DBusConnection connection)
    {
        try
        {
            _lock = await Logind.InhibitDelayAsync(connection, What, Who, Why).ConfigureAwait(false);
        }
        catch (DBusErrorReplyException e)
        {
            throw new WatchException(
                $"logind at {_options.BusAddress} refused a delay inhibitor lock for {What}: {e.ErrorName}: {e.ErrorMessage}", e);
        }
        catch (Exception e) when (e is not WatchException and not OperationCanceledException)
        {
            throw new WatchException($"could not take a delay inhibitor lock from logind at {_options.BusAddress}: {e.Message}", e);
        }
        _options.Log($"holding a delay inhibitor lock for {What} (fd {_lock.Fd})");
    }

    private void ReleaseLock()
    {
        if (_lock is not null)
        {
            int fd = _lock.Fd;
            _lock.Dispose();
            _lock = null;
            _options.Log($"released the inhibitor lock (fd {fd})");
        }
    }

    private async Task<IDisposable> SubscribeAsync(DBusConnection connection, string signal, EventKind kind)
    {
        try
        {
            return await Logind.WatchAsync(connection, signal, starting => Post(kind, starting)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new WatchException($"could not subscribe to logind's {signal} on {_options.BusAddress}: {e.Message}", e);
        }
    }

    private void Post(EventKind kind, bool starting = false, Exception? error = null) =>
        _events.Writer.TryWrite(new Event(kind, starting, error));

    private readonly record struct Event(EventKind Kind, bool Starting, Exception? Error);
}
