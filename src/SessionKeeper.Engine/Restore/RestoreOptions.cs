namespace SessionKeeper.Engine.Restore;

/// <summary>Options of <see cref="Restorer.Restore(string, RestoreOptions)"/>.</summary>
public sealed class RestoreOptions
{
    /// <summary>
    /// Give established TCP connections back as reset instead of rebuilding them
    /// (<c>keeper restore --tcp-close</c>): the application sees ECONNRESET rather than a
    /// connection whose peer may have given up long ago.
    /// </summary>
    public bool TcpClose { get; init; }

    /// <summary>A short line per step; see <see cref="Dump.DumpOptions.Progress"/>.</summary>
    public Action<string>? Progress { get; init; }

    /// <summary>
    /// Things the user should know although the restore goes on, e.g. a TCP connection restored
    /// from a snapshot whose tree ran on after the save.
    /// </summary>
    public Action<string>? Warning { get; init; }

    /// <summary>
    /// The directory whose network lock (left by the dump for the tree's TCP connections) these
    /// images stand for; null: the image directory itself. The snapshot store restores from a
    /// rebuilt copy and names the snapshot's own directory here.
    /// </summary>
    public string? LockDirectory { get; init; }

    /// <summary>
    /// Where the page contents come from; null: the <c>pages-PID.img</c> files of the image
    /// directory. The snapshot store passes its chunks here.
    /// </summary>
    public Memory.IPageSource? Pages { get; init; }

    /// <summary>
    /// A host started ahead of the restore (<see cref="ProcessControl.HostProcess.Start"/>),
    /// which the restore takes over; null: the restore starts its own. The caller disposes it
    /// (which kills it if no restore took it).
    /// </summary>
    public ProcessControl.HostProcess? Host { get; init; }
}
