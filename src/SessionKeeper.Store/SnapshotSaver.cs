using System.Reflection;
using Google.Protobuf.WellKnownTypes;
using SessionKeeper.Engine.Dump;
using SessionKeeper.Engine.Kinds.Tcp;
using SessionKeeper.Store.V1;

namespace SessionKeeper.Store;

/// <summary>What to save and how.</summary>
public sealed record SaveRequest
{
    /// <summary>Snapshot name.</summary>
    public required string Name { get; init; }

    /// <summary>Root of the tree.</summary>
    public required int RootPid { get; init; }

    /// <summary>"screen", "tmux", "vnc" or "tree".</summary>
    public string Kind { get; init; } = "tree";

    /// <summary>The session's own name; the root's command for a plain tree.</summary>
    public string? SessionName { get; init; }

    /// <summary>End the tree once it is saved (<c>--stop</c>).</summary>
    public bool Stop { get; init; }

    /// <summary>Write the autosave generation instead of a new numbered one.</summary>
    public bool Auto { get; init; }

    /// <summary>Short lines of what happens (the engine's steps with --verbose).</summary>
    public Action<string>? Detail { get; init; }

    /// <summary>Progress: processes, then page bytes stored so far.</summary>
    public Action<SaveProgress>? Progress { get; init; }

    /// <summary>
    /// An interruption: until the snapshot is committed (with <see cref="Stop"/>: until the
    /// tree is ended), the save then fails with <see cref="OperationCanceledException"/>,
    /// leaving the tree running and no snapshot.
    /// </summary>
    public CancellationToken Cancellation { get; init; }
}

/// <summary>Progress of a save.</summary>
/// <param name="Processes">Processes saved.</param>
/// <param name="PageBytes">Bytes of page contents stored so far.</param>
/// <param name="NewBytes">Bytes written to the chunk store so far.</param>
public readonly record struct SaveProgress(int Processes, long PageBytes, long NewBytes);

/// <summary>What a save committed.</summary>
/// <param name="Generation">The generation written.</param>
/// <param name="Dump">The engine's report.</param>
/// <param name="NewChunks">Chunks the store did not hold before.</param>
/// <param name="TotalChunks">Chunks the generation refers to.</param>
public sealed record SaveResult(Generation Generation, DumpResult Dump, int NewChunks, int TotalChunks);

/// <summary>
/// <c>keeper save</c>: dumps a tree into a staging directory under tmp/, with the page contents
/// going straight into a new chunk pack, writes the manifest, fsyncs, and publishes the
/// directory as a generation in one rename.
/// </summary>
public static class SnapshotSaver
{
    /// <summary>Saves <paramref name="request"/> into <paramref name="store"/>.</summary>
    public static SaveResult Save(SnapshotStore store, SaveRequest request)
    {
        SnapshotStore.CheckName(request.Name);
        using StoreLock storeLock = store.LockStore(exclusive: false, request.Detail);
        using StoreLock nameLock = store.LockName(request.Name, request.Detail);
        store.RemoveLeftovers();

        // Who is saved, read before the dump: with --stop the tree is gone afterwards.
        List<SavedProcess> before = LiveTree.Snapshot(request.RootPid);
        long resident = LiveTree.ResidentBytes(before);
        string staging = store.CreateStaging("save");
        bool keepStaging = false;
        try
        {
            using var pack = new PackWriter(store.PacksDirectory);
            int processes = 0;
            // Read while the tree is frozen and checked; the first pages wait for it.
            Task<ChunkIndex> existing = Task.Run(() =>
            {
                ChunkIndex index = ChunkIndex.Load(store.PacksDirectory);
                request.Detail?.Invoke($"read the index of the chunks the store holds ({index.Count})");
                return index;
            });
            var chunker = new PageChunker(existing, pack)
            {
                Progress = bytes => request.Progress?.Invoke(new SaveProgress(processes, bytes, pack.Length)),
                Cancellation = request.Cancellation,
            };
            DumpResult dump = Dumper.Dump(request.RootPid, staging, new DumpOptions
            {
                Mode = request.Stop ? DumpMode.Kill : DumpMode.LeaveRunning,
                Progress = line =>
                {
                    if (line.StartsWith("pid ", StringComparison.Ordinal))
                    {
                        processes++;
                        request.Progress?.Invoke(new SaveProgress(processes, chunker.RawBytes, pack.Length));
                    }
                    request.Detail?.Invoke(line);
                },
                PageSink = chunker,
                // The directory is published by a rename once the manifest is durable.
                InventoryLast = false,
                Cancellation = request.Cancellation,
            });
            // From here on, with --stop, the staging directory is all that is left of the tree.
            keepStaging = request.Stop;

            string generation = request.Auto ? SnapshotStore.AutoGeneration : store.NextNumber(request.Name).ToString(System.Globalization.CultureInfo.InvariantCulture);
            var manifest = new Manifest
            {
                Name = request.Name,
                Generation = generation,
                CreatedAt = Timestamp.FromDateTime(DateTime.UtcNow),
                Session = Record(request, before, dump),
                Stopped = request.Stop,
                MemoryBytes = (ulong)chunker.RawBytes,
                NewStoredBytes = (ulong)chunker.NewStoredBytes,
                ResidentBytes = (ulong)resident,
                KeeperVersion = KeeperVersion,
            };
            AddImageFiles(manifest, staging);
            AddChunkedFiles(manifest, chunker);
            ManifestFile.Write(staging, manifest);
            request.Detail?.Invoke("wrote the manifest");
            if (!request.Stop)
            {
                // The last point where a save can still be given up; a stopped tree is gone, so its snapshot is committed regardless.
                request.Cancellation.ThrowIfCancellationRequested();
            }
            string path = store.Commit(staging, request.Name, generation);
            request.Detail?.Invoke($"committed {path}");
            // The network lock of the tree's TCP connections belongs to the snapshot now.
            NetworkLock.MoveHeld(staging, path);
            keepStaging = false;
            return new SaveResult(Generation.Load(store, request.Name, generation), dump, chunker.NewChunks, chunker.Chunks.Count);
        }
        catch (Exception e) when (keepStaging)
        {
            throw new StoreException($"the tree of pid {request.RootPid} was saved and ended, but the snapshot could not be committed ({e.Message}); " +
                $"its images are kept in {staging} and its new page chunks in {store.PacksDirectory} (do not run `keeper gc` before they are recovered)", e);
        }
        finally
        {
            if (!keepStaging)
            {
                StoreFiles.DeleteTree(staging);
            }
        }
    }

    /// <summary>keeper's version, recorded in manifests.</summary>
    public static string KeeperVersion { get; } =
        typeof(SnapshotSaver).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "";

    /// <summary>Adds every file of <paramref name="directory"/> (but the manifest) with its size and SHA-256.</summary>
    public static void AddImageFiles(Manifest manifest, string directory)
    {
        foreach (string path in Directory.EnumerateFiles(directory).Order(StringComparer.Ordinal))
        {
            string name = Path.GetFileName(path);
            if (name == ManifestFile.FileName)
            {
                continue;
            }
            (long size, byte[] sha256) = StoreFiles.Hash(path);
            manifest.Files.Add(new StoredFile
            {
                Name = name,
                Size = (ulong)size,
                Sha256 = Google.Protobuf.UnsafeByteOperations.UnsafeWrap(sha256),
            });
        }
    }

    private static void AddChunkedFiles(Manifest manifest, PageChunker chunker)
    {
        foreach (ChunkUse chunk in chunker.Chunks)
        {
            manifest.Chunks.Add(new ChunkEntry { Hash = Google.Protobuf.ByteString.CopyFrom(chunk.Hash.ToArray()), RawLength = (uint)chunk.RawLength, StoredLength = (uint)chunk.StoredLength });
        }
        foreach ((string name, long size, List<int> indexes) in chunker.Files)
        {
            var file = new StoredFile { Name = name, Size = (ulong)size, Chunked = true };
            file.ChunkIndexes.AddRange(indexes.Select(i => (uint)i));
            manifest.Files.Add(file);
        }
    }

    private static SessionRecord Record(SaveRequest request, List<SavedProcess> before, DumpResult dump)
    {
        var known = before.ToDictionary(p => (int)p.Pid);
        var record = new SessionRecord
        {
            Kind = request.Kind,
            SessionName = request.SessionName ?? (known.TryGetValue(request.RootPid, out SavedProcess? root) ? root.Comm : ""),
            RootPid = (uint)request.RootPid,
            BootId = LiveTree.BootId(),
        };
        foreach (int pid in dump.Pids)
        {
            // A process forked between the look and the freeze has no start time on record:
            // it never counts as "still running".
            record.Processes.Add(known.TryGetValue(pid, out SavedProcess? process) ? process : new SavedProcess { Pid = (uint)pid });
        }
        return record;
    }
}
