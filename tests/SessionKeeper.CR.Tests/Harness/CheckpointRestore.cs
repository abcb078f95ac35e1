namespace SessionKeeper.CR.Tests.Harness;

/// <summary>Where a test tree runs.</summary>
public enum NamespaceMode
{
    /// <summary>In the harness's own namespaces. The tree root is the test's daemon.</summary>
    Host,

    /// <summary>
    /// In fresh pid, mount, net and ipc namespaces made by <c>unshare</c>, under
    /// <c>tests/zdtm/lib/ns_init.c</c> as pid 1 (which brings up <c>lo</c>, reaps orphans and
    /// forwards SIGTERM to the whole namespace). The tree root is ns_init: a pid namespace can
    /// only be checkpointed whole, with its init. The test's daemon is usually pid 3 inside.
    /// </summary>
    Namespaces,
}

/// <summary>What a checkpoint/restore step gets to work on.</summary>
/// <param name="RootPid">Host pid of the root of the tree to checkpoint (see <see cref="NamespaceMode"/>).</param>
/// <param name="TestPid">Host pid of the test program's own root (equal to <paramref name="RootPid"/> in host mode).</param>
/// <param name="Mode">Whether the tree lives in namespaces of its own.</param>
/// <param name="KeepRunning">
/// True: checkpoint and leave the original tree running (like <c>keeper save</c>); the step
/// returns <paramref name="RootPid"/>. False: checkpoint, end the tree, restore it from the
/// images (like <c>keeper save --stop</c> then <c>keeper restore</c>); the step returns the
/// root of the restored tree.
/// </param>
/// <param name="WorkDirectory">The test's directory: pidfile, outfile and log live here.</param>
/// <param name="ImagesDirectory">An empty scratch directory for the step's images.</param>
/// <param name="Log">Appends a line to the harness's log for this test (shown on failure).</param>
public sealed record CheckpointRestoreContext(
    int RootPid,
    int TestPid,
    NamespaceMode Mode,
    bool KeepRunning,
    string WorkDirectory,
    string ImagesDirectory,
    Action<string> Log);

/// <summary>
/// What the harness does to a ready test tree before it sends SIGTERM. Whatever the step does
/// must be invisible to the test program: it checks its own state afterwards.
/// </summary>
public interface ICheckpointRestoreStep
{
    /// <summary>A short name for logs and test names.</summary>
    string Name { get; }

    /// <summary>Runs the step; returns the host pid of the tree root afterwards.</summary>
    /// <exception cref="Exception">Any exception fails the test; the harness then kills the tree.</exception>
    int Run(CheckpointRestoreContext context, CancellationToken cancellationToken);
}

/// <summary>Leaves the tree alone: tests the programs and the harness themselves.</summary>
public sealed class NoOpStep : ICheckpointRestoreStep
{
    /// <inheritdoc/>
    public string Name => "noop";

    /// <inheritdoc/>
    public int Run(CheckpointRestoreContext context, CancellationToken cancellationToken) => context.RootPid;
}
