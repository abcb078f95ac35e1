using System.Buffers.Binary;
using Google.Protobuf;
using SessionKeeper.Native;
using SessionKeeper.Store.V1;

namespace SessionKeeper.Store;

/// <summary>
/// Reads and writes <c>manifest.pb</c>: a small header with the SHA-256 of the Manifest message
/// that follows (layout in proto/keeper/store/v1/manifest.proto).
/// </summary>
public static class ManifestFile
{
    /// <summary>File name of the manifest in a generation directory.</summary>
    public const string FileName = "manifest.pb";

    private const int Version = 1;
    private const int HeaderLength = 48;
    private static ReadOnlySpan<byte> Magic => "KEEPSNAP"u8;

    /// <summary>The bytes of <paramref name="manifest"/> as the file holds them.</summary>
    public static byte[] Encode(Manifest manifest)
    {
        byte[] body = manifest.ToByteArray();
        byte[] file = new byte[HeaderLength + body.Length];
        Magic.CopyTo(file);
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(8), Version);
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(12), body.Length);
        Sha256.HashData(body, file.AsSpan(16, 32));
        body.CopyTo(file.AsSpan(HeaderLength));
        return file;
    }

    /// <summary>Parses the bytes of a manifest file; <paramref name="path"/> names it in errors.</summary>
    public static Manifest Decode(ReadOnlySpan<byte> file, string path)
    {
        if (file.Length < HeaderLength || !file[..8].SequenceEqual(Magic))
        {
            throw new StoreException($"{path}: not a snapshot manifest (bad magic or too short)");
        }
        int version = BinaryPrimitives.ReadInt32LittleEndian(file[8..]);
        if (version != Version)
        {
            throw new StoreException($"{path}: manifest version {version} is not known to this keeper (it reads {Version}); use a newer keeper");
        }
        int length = BinaryPrimitives.ReadInt32LittleEndian(file[12..]);
        if (length < 0 || HeaderLength + length != file.Length)
        {
            throw new StoreException($"{path}: manifest is {file.Length} bytes, its header says {HeaderLength + length} (truncated?)");
        }
        ReadOnlySpan<byte> body = file[HeaderLength..];
        Span<byte> digest = stackalloc byte[32];
        Sha256.HashData(body, digest);
        if (!digest.SequenceEqual(file.Slice(16, 32)))
        {
            throw new StoreException($"{path}: manifest checksum mismatch (the file is damaged)");
        }
        try
        {
            return Manifest.Parser.ParseFrom(body);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new StoreException($"{path}: manifest does not parse: {e.Message}", e);
        }
    }

    /// <summary>Reads the manifest of the generation directory <paramref name="directory"/>.</summary>
    public static Manifest Read(string directory)
    {
        string path = Path.Combine(directory, FileName);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (FileNotFoundException e)
        {
            throw new StoreException($"{path}: missing; the generation is incomplete", e);
        }
        return Decode(bytes, path);
    }

    /// <summary>Writes the manifest into <paramref name="directory"/> (mode 0600) and fsyncs it.</summary>
    public static void Write(string directory, Manifest manifest) =>
        StoreFiles.WriteDurable(Path.Combine(directory, FileName), Encode(manifest));
}
