using System.Runtime.ExceptionServices;
using SessionKeeper.Engine.Memory;
using SessionKeeper.ProcessControl;
using V1 = SessionKeeper.Images.V1;

namespace SessionKeeper.Engine.Dump;

/// <summary>
/// Hands each process's pages to the page sink on a thread of its own as soon as the process
/// has been read, in order: the sink hashes and compresses them on the other cores while the
/// tracer goes on with the next process's injected calls, instead of after the last one.
/// </summary>
internal sealed class PageSinkQueue : IDisposable
{
    private readonly IPageSink _sink;
    private readonly HandOffQueue<(string File, int Pid, PageBuffer Pages, IReadOnlyList<V1.PagemapEntry> Pagemap)> _queue = new();
    private readonly Thread _thread;
    private ExceptionDispatchInfo? _error;

    public PageSinkQueue(IPageSink sink)
    {
        _sink = sink;
        _thread = new Thread(Run) { IsBackground = true, Name = "keeper-pages" };
        _thread.Start();
    }

    /// <summary>Queues the pages of one process; <paramref name="pages"/> must stay alive until <see cref="Complete"/> or <see cref="Dispose"/> returns.</summary>
    public void Add(string file, int pid, PageBuffer pages, IReadOnlyList<V1.PagemapEntry> pagemap)
    {
        _error?.Throw();
        _queue.Add((file, pid, pages, pagemap));
    }

    /// <summary>Waits until the sink has taken everything queued; throws the sink's first error.</summary>
    public void Complete()
    {
        _queue.CompleteAdding();
        _thread.Join();
        _error?.Throw();
    }

    /// <summary>Stops taking pages and waits for the thread (the page buffers may be freed after this).</summary>
    public void Dispose()
    {
        if (!_queue.IsAddingCompleted)
        {
            _queue.CompleteAdding();
        }
        _thread.Join();
    }

    private void Run()
    {
        while (_queue.TryTake(out (string File, int Pid, PageBuffer Pages, IReadOnlyList<V1.PagemapEntry> Pagemap) item))
        {
            (string file, int pid, PageBuffer pages, IReadOnlyList<V1.PagemapEntry> pagemap) = item;
            if (_error is not null)
            {
                continue;
            }
            try
            {
                _sink.Write(file, pid, pages, pagemap);
            }
            catch (Exception e)
            {
                // Kept for the dump thread, which rethrows it with its own stack trace.
                _error = ExceptionDispatchInfo.Capture(e);
            }
        }
    }
}
