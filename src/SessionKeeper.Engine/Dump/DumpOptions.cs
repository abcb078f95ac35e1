namespace SessionKeeper.Engine.Dump;

/// <summary>What happens to the tree once its images are complete.</summary>
public enum DumpMode
{
    /// <summary>Release the tree as soon as its state is copied; it runs on as if nothing happened.</summary>
    LeaveRunning,

    /// <summary>Keep the tree frozen until every image is written and fsynced, then kill it (for moves and shutdown).</summary>
    Kill,
}

/// <summary>Options of <see cref="Dumper.Dump"/>.</summary>
public sealed class DumpOptions
{
    /// <summary>Leave the tree running (the default) or kill it after the dump.</summary>
    public DumpMode Mode { get; init; } = DumpMode.LeaveRunning;

    /// <summary>
    /// Called with a short line per step ("froze 3 processes in 1.2 ms", "wrote core-123.img").
    /// Runs on the dumping threads, including the tracer thread while the tree is frozen, so it
    /// must be quick and must not block.
    /// </summary>
    public Action<string>? Progress { get; init; }

    /// <summary>
    /// Save a pty slave whose master is outside the tree (the terminal the user started the
    /// program in) for re-binding, instead of refusing it: restore puts the tasks on a new
    /// terminal with the same settings and hands its master to the caller.
    /// </summary>
    public bool RebindOutsideTerminals { get; init; }

    /// <summary>
    /// Where page contents go instead of raw <c>pages-PID.img</c> files in the image directory;
    /// null (the default) writes the raw files.
    /// </summary>
    public Memory.IPageSink? PageSink { get; init; }

    /// <summary>
    /// Make the other image files durable before the inventory is written (the default), so
    /// that a directory without an inventory is recognisably incomplete. A caller that
    /// publishes the directory atomically itself (the snapshot store renames it into place
    /// once its manifest is durable) turns this off: everything is then fsynced in one pass.
    /// Either way the files are durable before the dump returns and before a tree saved in
    /// kill mode is ended.
    /// </summary>
    public bool InventoryLast { get; init; } = true;

    /// <summary>
    /// An interruption (the user's Ctrl-C), checked between steps: before the freeze, before
    /// each process is read, before the images are written and before a tree in kill mode is
    /// ended. The dump then fails as any failed dump does (<see cref="OperationCanceledException"/>):
    /// nothing is kept and the tree runs on as it was. Once the tree is ended it is too late,
    /// and the dump completes.
    /// </summary>
    public CancellationToken Cancellation { get; init; }
}
