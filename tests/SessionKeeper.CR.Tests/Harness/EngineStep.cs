using SessionKeeper.Engine.Dump;
using SessionKeeper.Engine.Restore;

namespace SessionKeeper.CR.Tests.Harness;

/// <summary>
/// The real step: dump the tree with the engine, end it, restore it from the images. With
/// KeepRunning the dump leaves the tree running and it is ended only afterwards, so the
/// original's continuation after its dump is exercised too.
/// </summary>
public sealed class EngineStep : ICheckpointRestoreStep
{
    /// <inheritdoc/>
    public string Name => "engine";

    /// <inheritdoc/>
    public int Run(CheckpointRestoreContext context, CancellationToken cancellationToken)
    {
        DumpResult dump = Dumper.Dump(context.RootPid, context.ImagesDirectory, new DumpOptions
        {
            Mode = context.KeepRunning ? DumpMode.LeaveRunning : DumpMode.Kill,
            Progress = context.Log,
        });
        context.Log($"dumped {dump.Pids.Count} processes, freeze {dump.FreezeDuration.TotalMilliseconds:F1} ms");
        return context.KeepRunning ? context.RootPid : Restorer.Restore(context.ImagesDirectory, context.Log);
    }
}
