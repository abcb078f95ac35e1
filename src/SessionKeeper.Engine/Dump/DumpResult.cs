namespace SessionKeeper.Engine.Dump;

/// <summary>What a successful dump produced.</summary>
public sealed class DumpResult
{
    /// <summary>The root of the saved tree.</summary>
    public required int RootPid { get; init; }

    /// <summary>The directory holding the images.</summary>
    public required string ImageDirectory { get; init; }

    /// <summary>Pids of the saved processes, parents first.</summary>
    public required IReadOnlyList<int> Pids { get; init; }

    /// <summary>
    /// How long the tree was stopped: from the first seize until it was released (leave-running
    /// mode) or until its state was copied (kill mode, where it stays stopped until killed).
    /// </summary>
    public required TimeSpan FreezeDuration { get; init; }

    /// <summary>How long stopping every task of the tree took (seize, interrupt, re-scans): the freeze itself.</summary>
    public TimeSpan StopDuration { get; init; }

    /// <summary>
    /// Bytes of memory faulted in for the page contents before the freeze, and how long that
    /// took (zero for a tree too small to get a <see cref="Memory.PageMemoryReserve"/>).
    /// </summary>
    public long ReservedBytes { get; init; }

    /// <inheritdoc cref="ReservedBytes"/>
    public TimeSpan ReserveDuration { get; init; }

    /// <summary>Wall time of the whole dump, writing included.</summary>
    public required TimeSpan TotalDuration { get; init; }

    /// <summary>Number of memory pages saved, over all processes.</summary>
    public required long PagesSaved { get; init; }

    /// <summary>Names of the files written, relative to <see cref="ImageDirectory"/>.</summary>
    public required IReadOnlyList<string> Files { get; init; }
}
