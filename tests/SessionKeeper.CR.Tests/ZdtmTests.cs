using SessionKeeper.CR.Tests.Harness;

namespace SessionKeeper.CR.Tests;

/// <summary>
/// Every C/R test program, in the host's namespaces and in fresh ones. The step between
/// "ready" and SIGTERM is <see cref="NoOpStep"/> until the engine can checkpoint and restore;
/// the programs and the harness are already held to the protocol.
/// </summary>
[TestFixture]
public sealed class ZdtmTests
{
    private static IEnumerable<TestCaseData> Programs() =>
        from program in ZdtmProgram.Discover(ZdtmProgram.TestGroups)
        from mode in Enum.GetValues<NamespaceMode>()
        select new TestCaseData(program, mode).SetArgDisplayNames(program.Id, mode.ToString());

    [TestCaseSource(nameof(Programs))]
    public void Program_RunThroughStep_ReportsPassAndLeavesNothingRunning(ZdtmProgram program, NamespaceMode mode)
    {
        ZdtmResult result = ZdtmRunner.Run(program, new ZdtmRunOptions { Mode = mode, Step = new NoOpStep() });

        Assert.Multiple(() =>
        {
            Assert.That(result.Verdict, Is.EqualTo(ZdtmVerdict.Pass), result.Describe);
            Assert.That(result.KilledAfterVerdict, Is.Empty, result.Describe);
            Assert.That(result.Survivors, Is.Empty, result.Describe);
        });
    }
}
