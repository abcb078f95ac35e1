namespace SessionKeeper.Store;

/// <summary>What <c>keeper gc</c> did.</summary>
/// <param name="PacksDeleted">Packs no generation referred to any more.</param>
/// <param name="PacksRewritten">Packs mostly unreferenced, whose live chunks were copied into a new pack.</param>
/// <param name="BytesFreed">Bytes given back (packs, indexes, leftovers in tmp/).</param>
/// <param name="LeftoversRemoved">Unfinished saves, restores and packs removed.</param>
public sealed record GcResult(int PacksDeleted, int PacksRewritten, long BytesFreed, int LeftoversRemoved);

/// <summary>
/// <c>keeper gc</c>: with the store locked exclusively (no save, restore or import runs),
/// removes what crashed or killed commands left in tmp/ and packs without an index, deletes
/// packs no generation refers to, and rewrites packs that are less than half alive.
/// </summary>
public static class GarbageCollector
{
    /// <summary>Collects <paramref name="store"/>.</summary>
    public static GcResult Collect(SnapshotStore store, Action<string>? detail)
    {
        using StoreLock storeLock = store.LockStore(exclusive: true, detail);
        long freed = 0;
        int leftovers = 0;
        foreach (string entry in Directory.EnumerateFileSystemEntries(store.TempDirectory))
        {
            freed += SizeOf(entry);
            if (Directory.Exists(entry))
            {
                StoreFiles.DeleteTree(entry);
            }
            else
            {
                File.Delete(entry);
            }
            leftovers++;
        }

        // Every generation is read before anything is deleted: one that cannot be read stops gc,
        // since its chunks would otherwise look unreferenced.
        var live = new HashSet<ChunkHash>();
        foreach (Generation generation in store.All())
        {
            foreach (V1.ChunkEntry chunk in generation.Manifest.Chunks)
            {
                live.Add(ChunkHash.Read(chunk.Hash.Span));
            }
        }

        ChunkIndex index = ChunkIndex.Load(store.PacksDirectory);
        if (index.Damaged.Count > 0)
        {
            throw new StoreException($"{index.Damaged[0]}; gc stops here so that no chunk is lost — remove the snapshots that need it (`keeper verify` names them) or the damaged index");
        }
        foreach (string pack in Directory.EnumerateFiles(store.PacksDirectory, "*.pack"))
        {
            if (!index.Packs.Contains(Path.GetFileNameWithoutExtension(pack)))
            {
                freed += new FileInfo(pack).Length;
                File.Delete(pack);
                leftovers++;
            }
        }
        foreach (string temporary in Directory.EnumerateFiles(store.PacksDirectory, "*.tmp"))
        {
            File.Delete(temporary);
            leftovers++;
        }

        int deleted = 0;
        int rewritten = 0;
        using var reader = new ChunkReader(index);
        using var fresh = new PackWriter(store.PacksDirectory);
        var retired = new List<string>();
        var kept = new HashSet<ChunkHash>();
        byte[] scratch = new byte[ChunkReader.ScratchLength];
        foreach (string pack in index.Packs)
        {
            string indexPath = Path.Combine(store.PacksDirectory, pack + ".idx");
            List<(ChunkHash Hash, ChunkLocation Location)> entries = ChunkIndex.ReadIndex(indexPath);
            long all = entries.Sum(e => (long)e.Location.StoredLength + PackFormat.RecordHeaderLength);
            var alive = entries.Where(e => live.Contains(e.Hash) && !kept.Contains(e.Hash)).ToList();
            long aliveBytes = alive.Sum(e => (long)e.Location.StoredLength + PackFormat.RecordHeaderLength);
            if (alive.Count == 0)
            {
                retired.Add(pack);
                deleted++;
            }
            else if (aliveBytes * 2 < all)
            {
                foreach ((ChunkHash hash, ChunkLocation location) in alive)
                {
                    ReadOnlySpan<byte> record = reader.ReadRecord(location, scratch);
                    fresh.Append(hash, location.Coding, location.RawLength, record[PackFormat.RecordHeaderLength..]);
                }
                retired.Add(pack);
                rewritten++;
            }
            kept.UnionWith(alive.Select(e => e.Hash));
        }
        // The copies are durable and indexed before any old pack goes.
        fresh.Commit();
        reader.Dispose();
        foreach (string pack in retired)
        {
            foreach (string extension in new[] { ".idx", ".pack" })
            {
                string path = Path.Combine(store.PacksDirectory, pack + extension);
                freed += SizeOf(path);
                File.Delete(path);
            }
        }
        StoreFiles.SyncDirectory(store.PacksDirectory);
        return new GcResult(deleted, rewritten, freed - fresh.Length, leftovers);
    }

    private static long SizeOf(string path)
    {
        if (File.Exists(path))
        {
            return new FileInfo(path).Length;
        }
        return Directory.Exists(path) ? Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length) : 0;
    }
}
