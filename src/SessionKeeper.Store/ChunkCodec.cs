using K4os.Compression.LZ4;

namespace SessionKeeper.Store;

/// <summary>How a chunk's bytes are kept in its pack.</summary>
public enum ChunkCoding : byte
{
    /// <summary>As they are (compression would not make them smaller).</summary>
    Stored = 0,

    /// <summary>One LZ4 block.</summary>
    Lz4 = 1,

    /// <summary>All zeros: nothing is stored, only the length.</summary>
    Zero = 2,
}

/// <summary>
/// Compression of chunks. LZ4 in its fast mode: measured on the memory of running programs it
/// compresses about as fast as zstd's fastest level and decompresses 2–3 times faster, which
/// is what restore time depends on (numbers in the README).
/// </summary>
public static class ChunkCodec
{
    /// <summary>Room needed to encode <paramref name="rawLength"/> bytes.</summary>
    public static int MaxEncodedLength(int rawLength) => LZ4Codec.MaximumOutputSize(rawLength);

    /// <summary>
    /// Encodes <paramref name="raw"/> into <paramref name="destination"/> (at least
    /// <see cref="MaxEncodedLength"/> long) and returns the coding and the encoded length.
    /// </summary>
    public static (ChunkCoding Coding, int Length) Encode(ReadOnlySpan<byte> raw, Span<byte> destination)
    {
        if (!raw.ContainsAnyExcept((byte)0))
        {
            return (ChunkCoding.Zero, 0);
        }
        int length = LZ4Codec.Encode(raw, destination, LZ4Level.L00_FAST);
        if (length <= 0 || length >= raw.Length)
        {
            raw.CopyTo(destination);
            return (ChunkCoding.Stored, raw.Length);
        }
        return (ChunkCoding.Lz4, length);
    }

    /// <summary>Decodes a chunk into <paramref name="destination"/>, which is exactly its raw length; false when the bytes do not decode to that length.</summary>
    public static bool TryDecode(ChunkCoding coding, ReadOnlySpan<byte> stored, Span<byte> destination)
    {
        switch (coding)
        {
            case ChunkCoding.Zero:
                destination.Clear();
                return stored.IsEmpty;
            case ChunkCoding.Stored:
                if (stored.Length != destination.Length)
                {
                    return false;
                }
                stored.CopyTo(destination);
                return true;
            case ChunkCoding.Lz4:
                return LZ4Codec.Decode(stored, destination) == destination.Length;
            default:
                return false;
        }
    }
}
