using System.Runtime.ExceptionServices;

namespace SessionKeeper.ProcessControl;

/// <summary>
/// The one OS thread that issues every ptrace request. The kernel accepts requests for a
/// tracee only from the thread that attached it (others get ESRCH), so ptrace work never runs
/// on the thread pool or across an <c>await</c>: callers hand it work with <see cref="Invoke{T}"/>.
/// </summary>
public sealed class TracerThread : IDisposable
{
    private readonly HandOffQueue<Action> _work = new();
    private readonly Thread _thread;

    /// <summary>Starts the thread.</summary>
    public TracerThread(string name = "keeper-tracer")
    {
        // Tracee stops then wake only waitpid, not a SIGCHLD handler as well.
        Native.Interop.QuietChildStops();
        _thread = new Thread(Loop) { IsBackground = true, Name = name };
        _thread.Start();
    }

    /// <summary>True when called on the tracer thread itself.</summary>
    public bool IsCurrent => Thread.CurrentThread == _thread;

    /// <summary>Runs <paramref name="work"/> on the tracer thread and returns its result (exceptions rethrown here).</summary>
    public T Invoke<T>(Func<T> work)
    {
        if (IsCurrent)
        {
            return work();
        }
        T result = default!;
        ExceptionDispatchInfo? error = null;
        // No spinning while the tracer works: the caller's core is better left to the tracees.
        using var done = new ManualResetEventSlim(initialState: false, spinCount: 0);
        _work.Add(() =>
        {
            try
            {
                result = work();
            }
            catch (Exception e)
            {
                error = ExceptionDispatchInfo.Capture(e);
            }
            finally
            {
                done.Set();
            }
        });
        done.Wait();
        error?.Throw();
        return result;
    }

    /// <summary>Runs <paramref name="work"/> on the tracer thread.</summary>
    public void Invoke(Action work) => Invoke(() =>
    {
        work();
        return true;
    });

    /// <summary>Asserts that the caller is the tracer thread; ptrace from elsewhere fails with ESRCH.</summary>
    public void VerifyAccess()
    {
        if (!IsCurrent)
        {
            throw new InvalidOperationException("ptrace work must run on the tracer thread that attached the tracee");
        }
    }

    private void Loop()
    {
        while (_work.TryTake(out Action? action))
        {
            action();
        }
    }

    /// <summary>Stops the thread once queued work is done.</summary>
    public void Dispose()
    {
        _work.CompleteAdding();
        if (!IsCurrent)
        {
            _thread.Join();
        }
    }
}
