using SessionKeeper.CR.Tests.Harness;

namespace SessionKeeper.CR.Tests;

/// <summary>
/// Every C/R test program through every step: the no-op step (the programs and the harness
/// themselves), the engine leaving the tree running (the original must continue correctly after
/// its dump), and the engine ending the tree and restoring it from the images (the restored
/// tree must find its own state intact).
/// </summary>
[TestFixture]
public sealed class ZdtmTests
{
    /// <summary>A step and whether the original tree keeps running through it.</summary>
    public sealed record StepVariant(ICheckpointRestoreStep Step, bool KeepRunning)
    {
        /// <inheritdoc/>
        public override string ToString() => KeepRunning ? Step.Name : $"{Step.Name}+stop";
    }

    private static readonly StepVariant[] s_steps =
    [
        new(new NoOpStep(), KeepRunning: true),
        new(new EngineStep(), KeepRunning: true),
        new(new EngineStep(), KeepRunning: false),
    ];

    /// <summary>
    /// Programs whose trees hold objects the engine refuses to dump today; they run through
    /// the no-op step only.
    /// </summary>
    private static readonly HashSet<string> s_needIpc = [];

    private static IEnumerable<TestCaseData> Programs() =>
        from program in ZdtmProgram.Discover(ZdtmProgram.TestGroups)
        from mode in Enum.GetValues<NamespaceMode>()
        from step in s_steps
        where step.Step is NoOpStep || !s_needIpc.Contains(program.Id)
        select new TestCaseData(program, mode, step).SetArgDisplayNames(program.Id, mode.ToString(), step.ToString());

    [TestCaseSource(nameof(Programs))]
    public void Program_ThroughStep_ReportsPassAndLeavesNothingRunning(ZdtmProgram program, NamespaceMode mode, StepVariant step)
    {
        var options = new ZdtmRunOptions { Mode = mode, Step = step.Step, KeepRunning = step.KeepRunning };

        ZdtmResult result = ZdtmRunner.Run(program, options);

        Assert.Multiple(() =>
        {
            Assert.That(result.Verdict, Is.EqualTo(ZdtmVerdict.Pass), result.Describe);
            Assert.That(result.KilledAfterVerdict, Is.Empty, result.Describe);
            Assert.That(result.Survivors, Is.Empty, result.Describe);
        });
    }
}
