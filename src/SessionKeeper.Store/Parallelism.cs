using System.Runtime.ExceptionServices;

namespace SessionKeeper.Store;

/// <summary>Parallel loops that fail with the first error itself rather than an AggregateException.</summary>
internal static class Parallelism
{
    /// <summary>Runs <paramref name="body"/> for 0 ≤ i &lt; <paramref name="count"/> on every core.</summary>
    public static void For(int count, Action<int> body) => Unwrap(() => Parallel.For(0, count, body));

    /// <summary>The same with per-thread state made by <paramref name="init"/>.</summary>
    public static void For<T>(int count, Func<T> init, Func<int, ParallelLoopState, T, T> body, Action<T> done) =>
        Unwrap(() => Parallel.For(0, count, init, body, done));

    private static void Unwrap(Action loop)
    {
        try
        {
            loop();
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            ExceptionDispatchInfo.Throw(e.InnerExceptions[0]);
        }
    }
}
