using SessionKeeper.CR.Tests.Harness;

namespace SessionKeeper.CR.Tests;

/// <summary>
/// Every C/R test program, in the host's namespaces and in fresh ones, through every step.
/// The only step is <see cref="NoOpStep"/> until the engine can checkpoint and restore; the
/// programs and the harness are already held to the protocol. A new step is one more entry in
/// <see cref="s_steps"/>.
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

    private static readonly StepVariant[] s_steps = [new(new NoOpStep(), KeepRunning: true)];

    private static IEnumerable<TestCaseData> Programs() =>
        from program in ZdtmProgram.Discover(ZdtmProgram.TestGroups)
        from mode in Enum.GetValues<NamespaceMode>()
        from step in s_steps
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

    /// <summary>
    /// Programs whose kernel objects the engine saves and restores today, in the host's
    /// namespaces and in fresh ones (where the tree is rooted at ns_init, pid 1 of its own pid
    /// namespace, and is restored into new namespaces).
    /// </summary>
    private static IEnumerable<TestCaseData> EnginePrograms() =>
        from program in ZdtmProgram.Discover(ZdtmProgram.TestGroups)
        where program.Id is "static/pid_ppid" or "static/env_mem" or "static/sleeping" or "streaming/counter"
        from mode in Enum.GetValues<NamespaceMode>()
        select new TestCaseData(program, mode).SetArgDisplayNames(program.Id, mode.ToString());

    [TestCaseSource(nameof(EnginePrograms))]
    public void Program_DumpKillRestore_ChecksItsOwnStateAndPasses(ZdtmProgram program, NamespaceMode mode)
    {
        var options = new ZdtmRunOptions { Mode = mode, Step = new EngineStep(), KeepRunning = false };

        ZdtmResult result = ZdtmRunner.Run(program, options);

        Assert.Multiple(() =>
        {
            Assert.That(result.Verdict, Is.EqualTo(ZdtmVerdict.Pass), result.Describe);
            Assert.That(result.Survivors, Is.Empty, result.Describe);
        });
    }
}
