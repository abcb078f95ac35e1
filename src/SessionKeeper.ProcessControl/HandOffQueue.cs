namespace SessionKeeper.ProcessControl;

/// <summary>
/// A first-in first-out queue between threads whose taker blocks without spinning
/// (BlockingCollection spins and yields before it sleeps). On a machine with two cores a
/// spinning tracer or page thread takes the CPU the frozen tree needs to run its injected
/// calls and the store needs to hash.
/// </summary>
/// <typeparam name="T">What is handed over.</typeparam>
public sealed class HandOffQueue<T>
{
    private readonly Queue<T> _items = new();
    private bool _completed;

    /// <summary>Whether <see cref="CompleteAdding"/> was called.</summary>
    public bool IsAddingCompleted
    {
        get
        {
            lock (_items)
            {
                return _completed;
            }
        }
    }

    /// <summary>Queues <paramref name="item"/>; throws once adding is completed.</summary>
    public void Add(T item)
    {
        lock (_items)
        {
            if (_completed)
            {
                throw new InvalidOperationException("the queue takes no more items");
            }
            _items.Enqueue(item);
            Monitor.Pulse(_items);
        }
    }

    /// <summary>No more items will come; a taker waiting on an empty queue returns false.</summary>
    public void CompleteAdding()
    {
        lock (_items)
        {
            _completed = true;
            Monitor.PulseAll(_items);
        }
    }

    /// <summary>Waits for the next item; false once the queue is empty and complete.</summary>
    public bool TryTake(out T item)
    {
        lock (_items)
        {
            while (_items.Count == 0)
            {
                if (_completed)
                {
                    item = default!;
                    return false;
                }
                Monitor.Wait(_items);
            }
            item = _items.Dequeue();
            return true;
        }
    }
}
