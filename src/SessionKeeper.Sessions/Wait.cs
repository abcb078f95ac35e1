namespace SessionKeeper.Sessions;

/// <summary>Waits for a session server to act on a request it accepted (it does so asynchronously).</summary>
internal static class Wait
{
    /// <summary>How long a server gets to drop its clients; they normally go within milliseconds.</summary>
    private static readonly TimeSpan s_limit = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan s_poll = TimeSpan.FromMilliseconds(20);

    /// <summary>Polls <paramref name="done"/> until it holds; throws <see cref="SessionPrepareException"/> with <paramref name="failure"/> past the limit.</summary>
    public static void Until(Func<bool> done, string failure)
    {
        DateTime deadline = DateTime.UtcNow + s_limit;
        while (!done())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new SessionPrepareException(failure);
            }
            Thread.Sleep(s_poll);
        }
    }
}
