using Microsoft.Win32.SafeHandles;
using SessionKeeper.Native;
using SessionKeeper.Store.V1;

namespace SessionKeeper.Store;

/// <summary>Progress of a verify or restore: bytes checked so far of the total.</summary>
/// <param name="Done">Bytes checked.</param>
/// <param name="Total">Bytes in all.</param>
public readonly record struct ReadProgress(long Done, long Total);

/// <summary>
/// Checks a generation against its manifest — every image file's SHA-256, every chunk's record,
/// decoding and SHA-256 — and, for a restore, writes it out as a raw image directory the
/// engine reads (image files copied, raw page files rebuilt from their chunks when asked) in
/// the same pass, so what was checked is exactly what is restored.
/// </summary>
public static class SnapshotReader
{
    // 1 MiB of page contents per span at 16 KiB chunks.
    private const int SpanChunks = ReadWindows.Chunks;

    // Per worker thread, reused from span to span and file to file: the span's contents when
    // they are written out, else one chunk at a time.
    [ThreadStatic]
    private static byte[]? t_raw;

    [ThreadStatic]
    private static byte[]? t_chunk;

    /// <summary>
    /// Verifies <paramref name="generation"/>; with <paramref name="output"/>, also writes its
    /// raw image directory there — the chunked page files too unless <paramref name="pagesToo"/>
    /// is false (a restore that reads them through <see cref="ChunkedPages"/>). Throws
    /// <see cref="StoreException"/> naming the snapshot and the damaged file on the first problem.
    /// <paramref name="index"/> is the store's chunk index when the caller has loaded it already.
    /// </summary>
    public static void Read(SnapshotStore store, Generation generation, string? output, Action<ReadProgress>? progress = null, bool pagesToo = true, ChunkIndex? index = null)
    {
        Manifest manifest = generation.Manifest;
        string Fail(string what) => Unrestorable(generation, what);
        ChunkHash[] hashes = ChunkedFile.ManifestHashes(generation, Fail);
        long total = manifest.Files.Sum(f => (long)f.Size);
        long done = 0;

        foreach (StoredFile file in manifest.Files.Where(f => !f.Chunked))
        {
            string path = Path.Combine(generation.Directory, file.Name);
            CheckName(file.Name, Fail);
            byte[] bytes;
            try
            {
                bytes = File.ReadAllBytes(path);
            }
            catch (FileNotFoundException e)
            {
                throw new StoreException(Fail($"{path} is missing"), e);
            }
            if ((ulong)bytes.Length != file.Size || !Sha256.HashData(bytes).AsSpan().SequenceEqual(file.Sha256.Span))
            {
                throw new StoreException(Fail($"{path} fails its checksum (the file is damaged)"));
            }
            if (output is not null)
            {
                // A restore's working copy, deleted when the restore ends: nothing to fsync.
                using FileStream copy = StoreFiles.CreateNew(Path.Combine(output, file.Name), 0);
                copy.Write(bytes);
            }
            done += bytes.Length;
            progress?.Invoke(new ReadProgress(done, total));
        }

        using var reader = new ChunkReader(index ?? ChunkIndex.Load(store.PacksDirectory));
        // Every file's spans of up to SpanChunks chunks in one loop over the cores (a session's
        // page files are mostly smaller than a span each); a span's records usually lie back to
        // back in one pack and come in with one read.
        var files = new List<(ChunkedFile Layout, SafeFileHandle? Target)>();
        var spans = new List<(int File, int First, int Count)>();
        try
        {
            foreach (StoredFile file in manifest.Files.Where(f => f.Chunked))
            {
                CheckName(file.Name, Fail);
                ChunkedFile layout = ChunkedFile.Of(manifest, file, hashes, Fail);
                SafeFileHandle? target = output is null || !pagesToo ? null : File.OpenHandle(Path.Combine(output, file.Name), FileMode.CreateNew, FileAccess.Write, FileShare.None, FileOptions.None, (long)file.Size);
                files.Add((layout, target));
                for (int first = 0; first < layout.Hashes.Length; first += SpanChunks)
                {
                    spans.Add((files.Count - 1, first, Math.Min(SpanChunks, layout.Hashes.Length - first)));
                }
            }
            Parallelism.For(spans.Count, i =>
            {
                (int which, int first, int count) = spans[i];
                (ChunkedFile layout, SafeFileHandle? target) = files[which];
                int length = (int)(layout.Offsets[first + count] - layout.Offsets[first]);
                byte[] window = ReadWindows.Rent();
                try
                {
                    if (target is null)
                    {
                        reader.CheckRun(layout.Hashes.AsSpan(first, count), layout.RawLengths.AsSpan(first, count), t_chunk ??= new byte[PackFormat.MaxChunkLength], window);
                    }
                    else
                    {
                        Span<byte> raw = (t_raw ??= new byte[SpanChunks * PackFormat.MaxChunkLength]).AsSpan(0, length);
                        reader.ReadRun(layout.Hashes.AsSpan(first, count), layout.RawLengths.AsSpan(first, count), raw, window);
                        RandomAccess.Write(target, raw, layout.Offsets[first]);
                    }
                }
                catch (StoreException e)
                {
                    throw new StoreException(Fail(e.Message), e);
                }
                finally
                {
                    ReadWindows.Return(window);
                }
                progress?.Invoke(new ReadProgress(Interlocked.Add(ref done, length), total));
            });
        }
        finally
        {
            files.ForEach(file => file.Target?.Dispose());
        }
    }

    /// <summary>The message for a generation that fails a check: what is wrong, and what to do.</summary>
    internal static string Unrestorable(Generation generation, string what) =>
        $"snapshot {generation.Spec}: {what}; it cannot be restored (remove it with `keeper rm {generation.Spec}`)";

    /// <summary>A file name from a manifest must stay inside the directory it is written to.</summary>
    private static void CheckName(string name, Func<string, string> fail)
    {
        if (name.Length == 0 || name.Contains('/') || name is "." or ".." || name == ManifestFile.FileName)
        {
            throw new StoreException(fail($"the manifest lists a file named '{name}'"));
        }
    }
}
