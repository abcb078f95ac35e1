using System.Runtime.InteropServices;

namespace SessionKeeper.Cli;

/// <summary>
/// SIGINT, SIGTERM and SIGHUP while a save or restore runs. The first of them asks the work to
/// stop at its next safe point, where it fails the way any failed save or restore does: the
/// session is left running as it was and nothing half made is kept (exit code 130). A second
/// signal ends keeper at once, as it would without this.
/// </summary>
internal sealed class Interruption : IDisposable
{
    private readonly CancellationTokenSource _source = new();
    private readonly PosixSignalRegistration[] _registrations;
    private int _signals;

    /// <summary>Starts catching the signals until disposed.</summary>
    public Interruption()
    {
        _registrations = [Register(PosixSignal.SIGINT), Register(PosixSignal.SIGTERM), Register(PosixSignal.SIGHUP)];
    }

    /// <summary>Cancelled by the first signal.</summary>
    public CancellationToken Token => _source.Token;

    public void Dispose()
    {
        foreach (PosixSignalRegistration registration in _registrations)
        {
            registration.Dispose();
        }
        _source.Dispose();
    }

    private PosixSignalRegistration Register(PosixSignal signal) => PosixSignalRegistration.Create(signal, context =>
    {
        if (Interlocked.Increment(ref _signals) > 1)
        {
            // The second one takes its default action: keeper ends.
            return;
        }
        context.Cancel = true;
        try
        {
            Console.Error.WriteLine($"keeper: {signal}: stopping at the next safe point and leaving the session as it was (send it again to end keeper at once)");
        }
        catch (IOException)
        {
            // SIGHUP: the terminal may be gone.
        }
        _source.Cancel();
    });
}
