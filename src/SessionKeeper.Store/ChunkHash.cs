using System.Buffers.Binary;
using SessionKeeper.Native;

namespace SessionKeeper.Store;

/// <summary>
/// The address of a chunk: SHA-256 of its uncompressed contents. SHA-256 rather than a faster
/// non-cryptographic hash because chunks are shared by content between snapshots, and page
/// contents can be chosen by whoever sends data to a saved program; with SHA-NI it hashes at
/// about the speed LZ4 compresses (see the README's dependency notes).
/// </summary>
public readonly record struct ChunkHash(ulong A, ulong B, ulong C, ulong D)
{
    /// <summary>Length of the hash in bytes.</summary>
    public const int Length = 32;

    /// <summary>Hashes <paramref name="contents"/>.</summary>
    public static ChunkHash Of(ReadOnlySpan<byte> contents)
    {
        Span<byte> digest = stackalloc byte[Length];
        Sha256.HashData(contents, digest);
        return Read(digest);
    }

    /// <summary>Reads a hash from its 32 bytes.</summary>
    public static ChunkHash Read(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Length)
        {
            throw new InvalidDataException($"a chunk hash has {Length} bytes, not {bytes.Length}");
        }
        return new ChunkHash(
            BinaryPrimitives.ReadUInt64BigEndian(bytes),
            BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]),
            BinaryPrimitives.ReadUInt64BigEndian(bytes[16..]),
            BinaryPrimitives.ReadUInt64BigEndian(bytes[24..]));
    }

    /// <summary>Writes the 32 bytes of the hash.</summary>
    public void Write(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, A);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], B);
        BinaryPrimitives.WriteUInt64BigEndian(destination[16..], C);
        BinaryPrimitives.WriteUInt64BigEndian(destination[24..], D);
    }

    /// <summary>The 32 bytes as a new array.</summary>
    public byte[] ToArray()
    {
        byte[] bytes = new byte[Length];
        Write(bytes);
        return bytes;
    }

    /// <summary>Lower-case hex, as messages show it.</summary>
    public override string ToString() => Convert.ToHexStringLower(ToArray());
}
