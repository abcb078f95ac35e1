namespace SessionKeeper.ProcessControl.Tests;

/// <summary>The queue between the tracer thread and its callers: order, completion, and a taker that waits.</summary>
public sealed class HandOffQueueTests
{
    [Test]
    public void TryTake_FromAnotherThread_GetsEveryItemInOrderThenFalseOnceComplete()
    {
        var queue = new HandOffQueue<int>();
        var taken = new List<int>();
        var taker = new Thread(() =>
        {
            while (queue.TryTake(out int item))
            {
                taken.Add(item);
            }
        });
        taker.Start();

        for (int i = 0; i < 1000; i++)
        {
            queue.Add(i);
        }
        queue.CompleteAdding();

        Assert.That(taker.Join(TimeSpan.FromSeconds(10)), Is.True, "the taker returned once the queue was drained and complete");
        Assert.That(taken, Is.EqualTo(Enumerable.Range(0, 1000)));
    }

    [Test]
    public void TryTake_OnAnEmptyQueue_WaitsForTheNextItem()
    {
        var queue = new HandOffQueue<string>();
        string? got = null;
        var taker = new Thread(() => got = queue.TryTake(out string item) ? item : "none");
        taker.Start();

        Assert.That(taker.Join(TimeSpan.FromMilliseconds(200)), Is.False, "still waiting: nothing was added");
        queue.Add("late");

        Assert.That(taker.Join(TimeSpan.FromSeconds(10)), Is.True);
        Assert.That(got, Is.EqualTo("late"));
    }

    [Test]
    public void Add_AfterCompleteAdding_Throws()
    {
        var queue = new HandOffQueue<int>();
        queue.CompleteAdding();

        Assert.That(() => queue.Add(1), Throws.InvalidOperationException);
        Assert.That(queue.IsAddingCompleted, Is.True);
        Assert.That(queue.TryTake(out _), Is.False);
    }
}
