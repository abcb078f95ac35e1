using SessionKeeper.Engine.Memory;
using SessionKeeper.Store.V1;

namespace SessionKeeper.Store;

/// <summary>
/// The raw page files of a generation, decoded from their chunks as the restore asks for them:
/// nothing is rebuilt on disk, so restoring a large session needs no room for a second copy of
/// its memory. Meant for a generation <see cref="SnapshotReader"/> has just verified whole,
/// under a store lock held until the restore ends.
/// </summary>
public sealed class ChunkedPages : IPageSource, IDisposable
{
    // Chunks read with one pread at most: 1 MiB of page contents, what the restore asks for at a time.
    private const int WindowChunks = ReadWindows.Chunks;

    private readonly Dictionary<string, ChunkedFile> _files = [];
    private readonly ChunkReader _reader;
    private readonly byte[] _raw = new byte[PackFormat.MaxChunkLength];
    // Taken from the check that ran just before, so its pages are in memory already.
    private readonly byte[] _window = ReadWindows.Rent();

    /// <summary>Reads the chunked files of <paramref name="generation"/> from the packs <paramref name="index"/> knows.</summary>
    public ChunkedPages(Generation generation, ChunkIndex index)
    {
        string Fail(string what) => $"snapshot {generation.Spec}: {what}";
        ChunkHash[] hashes = ChunkedFile.ManifestHashes(generation, Fail);
        foreach (StoredFile file in generation.Manifest.Files.Where(f => f.Chunked))
        {
            _files[file.Name] = ChunkedFile.Of(generation.Manifest, file, hashes, Fail);
        }
        _reader = new ChunkReader(index);
    }

    /// <inheritdoc/>
    public long Length(string fileName) => _files.TryGetValue(fileName, out ChunkedFile? file) ? file.Length : 0;

    /// <inheritdoc/>
    public void Read(string fileName, long offset, Span<byte> destination)
    {
        if (!_files.TryGetValue(fileName, out ChunkedFile? file) || offset < 0 || offset + destination.Length > file.Length)
        {
            throw new StoreException($"the snapshot holds no bytes [{offset}, {offset + destination.Length}) of {fileName}");
        }
        // The chunk that holds `offset`, then on chunk by chunk; the chunks the range covers
        // whole are decoded straight into the destination, several per read.
        int index = Array.BinarySearch(file.Offsets, offset);
        index = index >= 0 ? index : ~index - 1;
        int done = 0;
        while (done < destination.Length)
        {
            long start = file.Offsets[index];
            int within = (int)(offset + done - start);
            int whole = 0;
            while (within == 0 && whole < WindowChunks && index + whole < file.Hashes.Length
                && file.Offsets[index + whole + 1] - (offset + done) <= destination.Length - done)
            {
                whole++;
            }
            if (whole > 0)
            {
                int length = (int)(file.Offsets[index + whole] - start);
                // The generation was checked whole a moment ago; this pass only decodes.
                _reader.ReadRun(file.Hashes.AsSpan(index, whole), file.RawLengths.AsSpan(index, whole), destination.Slice(done, length), _window, checkHash: false);
                done += length;
                index += whole;
                continue;
            }
            Span<byte> raw = _raw.AsSpan(0, file.RawLengths[index]);
            _reader.Read(file.Hashes[index], raw, _window, checkHash: false);
            int take = Math.Min(raw.Length - within, destination.Length - done);
            raw.Slice(within, take).CopyTo(destination[done..]);
            done += take;
            index++;
        }
    }

    /// <summary>Closes the packs.</summary>
    public void Dispose()
    {
        _reader.Dispose();
        ReadWindows.Return(_window);
    }
}
