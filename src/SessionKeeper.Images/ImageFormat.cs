using System.Buffers.Binary;
using SessionKeeper.Images.V1;

namespace SessionKeeper.Images;

/// <summary>
/// Constants and header layout of the framed image file format. The layout is documented for
/// other programs in <c>proto/keeper/images/v1/common.proto</c>; this class is its one
/// implementation.
/// </summary>
public static class ImageFormat
{
    /// <summary>The eight bytes every image file starts with: <c>"KEEPIMG\0"</c>.</summary>
    public static ReadOnlySpan<byte> Magic => "KEEPIMG\0"u8;

    /// <summary>Format major version this code writes and the only one it reads.</summary>
    public const ushort CurrentMajor = 1;

    /// <summary>Format minor version this code writes. Any minor of <see cref="CurrentMajor"/> is readable.</summary>
    public const ushort CurrentMinor = 0;

    /// <summary>Size of the file header in bytes.</summary>
    public const int HeaderSize = 24;

    /// <summary>
    /// Largest message a frame may hold (256 MiB). The reader checks a frame's length against
    /// it before allocating, so a corrupt length cannot make it allocate gigabytes; page
    /// contents live in raw pages files or the chunk store, so real messages are far smaller.
    /// </summary>
    public const int MaxMessageSize = 256 * 1024 * 1024;

    /// <summary>Byte offset of the major version in the header.</summary>
    public const int MajorOffset = 8;

    /// <summary>Byte offset of the minor version in the header.</summary>
    public const int MinorOffset = 10;

    /// <summary>Byte offset of the image kind in the header.</summary>
    public const int KindOffset = 12;

    /// <summary>Byte offset of the reserved, zero-filled tail of the header.</summary>
    public const int ReservedOffset = 16;

    /// <summary>Most bytes a frame's varint length prefix may take (a 32-bit value).</summary>
    public const int MaxLengthPrefixSize = 5;

    internal static void WriteHeader(Span<byte> header, ImageKind kind, ushort major, ushort minor)
    {
        header.Clear();
        Magic.CopyTo(header);
        BinaryPrimitives.WriteUInt16LittleEndian(header[MajorOffset..], major);
        BinaryPrimitives.WriteUInt16LittleEndian(header[MinorOffset..], minor);
        BinaryPrimitives.WriteUInt32LittleEndian(header[KindOffset..], (uint)kind);
    }
}
