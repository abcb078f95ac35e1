namespace SessionKeeper.Sessions.Tests;

/// <summary>
/// Base of the tests that start real sessions: each test gets its own <see cref="LiveSessions"/>,
/// and everything it started is killed after the test, passed or failed.
/// </summary>
public abstract class LiveSessionTest
{
    /// <summary>The sessions this test started.</summary>
    internal LiveSessions Live { get; private set; } = null!;

    [SetUp]
    public void StartFresh() => Live = new LiveSessions();

    [TearDown]
    public void KillEverythingStarted() => Live.Dispose();
}
