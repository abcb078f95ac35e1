using SessionKeeper.Engine.Restore;
using SessionKeeper.ProcessControl;
using SessionKeeper.Store.V1;

namespace SessionKeeper.Store;

/// <summary>What a restore brought back.</summary>
/// <param name="Generation">The generation restored.</param>
/// <param name="RootPid">The root's pid as keeper sees it.</param>
/// <param name="Ended">Processes of the live session ended first (--replace).</param>
public sealed record RestoreResult(Generation Generation, int RootPid, int Ended);

/// <summary>
/// <c>keeper restore NAME</c>: refuses while the saved session still runs (unless told to end
/// it), verifies the whole generation while writing its images (not its page contents, which
/// the engine reads from the chunks) as a raw image directory under tmp/, and only then ends
/// the live session (--replace) and hands the directory to the engine.
/// </summary>
public static class SnapshotRestorer
{
    /// <summary>Restores the generation <paramref name="spec"/> names.</summary>
    /// <param name="store">The store.</param>
    /// <param name="spec">NAME, NAME@N or NAME@auto.</param>
    /// <param name="replace">End the session first if it still runs (else refuse).</param>
    /// <param name="detail">Engine detail lines (--verbose).</param>
    /// <param name="progress">Verification progress.</param>
    /// <param name="tcpClose">Give established TCP connections back as reset (<c>--tcp-close</c>).</param>
    /// <param name="warning">Warnings the user must see (e.g. TCP connections that cannot come back transparently).</param>
    /// <param name="cancellation">
    /// An interruption, honoured until the snapshot is checked and before anything is ended or
    /// created (<see cref="OperationCanceledException"/>); from then on the restore completes
    /// or fails as a whole.
    /// </param>
    public static RestoreResult Restore(SnapshotStore store, string spec, bool replace, Action<string>? detail, Action<ReadProgress>? progress,
        bool tcpClose = false, Action<string>? warning = null, CancellationToken cancellation = default)
    {
        using StoreLock storeLock = store.LockStore(exclusive: false, detail);
        Generation generation = store.Resolve(spec);
        List<SavedProcess> running = store.Running(generation);
        if (running.Count > 0 && !replace)
        {
            SavedProcess first = running[0];
            throw new StoreException($"the session saved as {generation.Name} still runs ({running.Count} process(es), pid {first.Pid} {first.Comm}): " +
                $"end it first, or use `keeper restore {spec} --replace` to end it and restore the snapshot");
        }
        // The process the tree is cloned from starts while the snapshot is checked.
        using HostProcess host = HostProcess.Start();
        string staging = store.CreateStaging("restore");
        try
        {
            // Everything is checked before anything runs; the page files stay in their chunks
            // (decoded straight into the restored processes), the other images are copied.
            ChunkHash[] hashes = ChunkedFile.ManifestHashes(generation, what => SnapshotReader.Unrestorable(generation, what));
            ChunkIndex index = ChunkIndex.Load(store.PacksDirectory, hashes.ToHashSet());
            detail?.Invoke($"found {generation.Spec} and where its {index.Count} chunks lie");
            SnapshotReader.Read(store, generation, staging, progress, pagesToo: false, index);
            detail?.Invoke($"checked {generation.Spec} and wrote its images to {staging}");
            cancellation.ThrowIfCancellationRequested();
            if (running.Count > 0)
            {
                LiveTree.End(() => store.Running(generation), TimeSpan.FromSeconds(10));
                detail?.Invoke($"ended {running.Count} process(es) of the running session");
            }
            // The shared store lock is held until the restore ends: gc cannot take the packs away meanwhile.
            using var pages = new ChunkedPages(generation, index);
            int root = Restorer.Restore(staging, new RestoreOptions
            {
                Progress = detail,
                TcpClose = tcpClose,
                Warning = warning,
                LockDirectory = generation.Directory,
                Pages = pages,
                Host = host,
            });
            SessionRecord saved = generation.Manifest.Session ?? new SessionRecord();
            var live = new SessionRecord { Kind = saved.Kind, SessionName = saved.SessionName, RootPid = (uint)root, BootId = LiveTree.BootId() };
            live.Processes.AddRange(LiveTree.Snapshot(root));
            store.RecordLive(generation.Name, live);
            return new RestoreResult(generation, root, running.Count);
        }
        finally
        {
            StoreFiles.DeleteTree(staging);
        }
    }

    /// <summary>Whether the session saved in <paramref name="generation"/> still runs.</summary>
    public static bool IsRunning(SnapshotStore store, Generation generation) => store.Running(generation).Count > 0;
}
