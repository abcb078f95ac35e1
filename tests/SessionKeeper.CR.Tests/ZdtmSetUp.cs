using SessionKeeper.CR.Tests.Harness;

namespace SessionKeeper.CR.Tests;

/// <summary>Once per test run, before any C/R test.</summary>
[SetUpFixture]
public sealed class ZdtmSetUp
{
    [OneTimeSetUp]
    public void KillTreesOfEarlierRuns()
    {
        foreach (string killed in ZdtmRunner.KillLeftoversOfEarlierRuns())
        {
            TestContext.Progress.WriteLine($"killed a process left by an earlier run: {killed}");
        }
    }
}
