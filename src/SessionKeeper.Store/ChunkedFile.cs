using SessionKeeper.Store.V1;

namespace SessionKeeper.Store;

/// <summary>
/// A chunked file of a generation as its manifest lays it out: the offset in the file where
/// each chunk starts (and, last, the file's length), each chunk's hash and raw length.
/// </summary>
internal sealed record ChunkedFile(long[] Offsets, ChunkHash[] Hashes, int[] RawLengths)
{
    /// <summary>Bytes in the file.</summary>
    public long Length => Offsets[^1];

    /// <summary>Every chunk hash of the generation's manifest, in manifest order; a malformed one fails with <paramref name="fail"/>'s message.</summary>
    public static ChunkHash[] ManifestHashes(Generation generation, Func<string, string> fail) =>
        generation.Manifest.Chunks.Select(c => c.Hash.Length == ChunkHash.Length
            ? ChunkHash.Read(c.Hash.Span)
            : throw new StoreException(fail($"{Path.Combine(generation.Directory, ManifestFile.FileName)} holds a chunk hash of {c.Hash.Length} bytes"))).ToArray();

    /// <summary>
    /// The layout of <paramref name="file"/>; a chunk the manifest does not list, or chunks that
    /// do not add up to the file's size, fail with <paramref name="fail"/>'s message.
    /// </summary>
    public static ChunkedFile Of(Manifest manifest, StoredFile file, ChunkHash[] manifestHashes, Func<string, string> fail)
    {
        var offsets = new long[file.ChunkIndexes.Count + 1];
        var hashes = new ChunkHash[file.ChunkIndexes.Count];
        var rawLengths = new int[file.ChunkIndexes.Count];
        for (int i = 0; i < hashes.Length; i++)
        {
            uint chunk = file.ChunkIndexes[i];
            if (chunk >= manifest.Chunks.Count)
            {
                throw new StoreException(fail($"{file.Name} refers to chunk {chunk}, which the manifest does not list"));
            }
            hashes[i] = manifestHashes[chunk];
            rawLengths[i] = (int)manifest.Chunks[(int)chunk].RawLength;
            offsets[i + 1] = offsets[i] + rawLengths[i];
        }
        if ((ulong)offsets[^1] != file.Size)
        {
            throw new StoreException(fail($"the chunks of {file.Name} add up to {offsets[^1]} bytes, not {file.Size}"));
        }
        return new ChunkedFile(offsets, hashes, rawLengths);
    }
}
