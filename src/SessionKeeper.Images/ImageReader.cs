using System.Buffers;
using System.Buffers.Binary;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using SessionKeeper.Images.V1;

namespace SessionKeeper.Images;

/// <summary>
/// Reads one framed image file: checks the header on construction, then yields its messages
/// one by one. Every violation of the format is an <see cref="ImageFormatException"/> naming
/// the file and the byte offset, never a half-read message.
/// </summary>
public sealed class ImageReader : IDisposable
{
    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly long _length;
    private readonly Type _type;
    private readonly MessageParser _parser;
    private long _offset;
    private bool _disposed;

    /// <summary>Reads and checks the header of the image on <paramref name="stream"/>.</summary>
    /// <param name="stream">The image, positioned at its header; offsets in errors count from there.</param>
    /// <param name="path">The file name used in error messages.</param>
    /// <param name="expectedKind">
    /// The kind the caller needs; <see langword="null"/> accepts any framed kind (for generic tools).
    /// </param>
    /// <param name="leaveOpen">Leave <paramref name="stream"/> open on <see cref="Dispose"/>.</param>
    /// <exception cref="ImageFormatException">The header is wrong, truncated, or of another kind.</exception>
    public ImageReader(Stream stream, string path, ImageKind? expectedKind, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(path);
        _stream = stream;
        _leaveOpen = leaveOpen;
        Path = path;
        // Knowing the length up front turns a truncated frame into an error before its buffer
        // is allocated; pipes (stdin) have no length and are checked while reading instead.
        _length = stream.CanSeek ? stream.Length - stream.Position : -1;
        (Header, _type, _parser) = ReadHeader(expectedKind);
    }

    /// <summary>Opens <paramref name="path"/> and checks that it is an image of <paramref name="expectedKind"/>.</summary>
    /// <exception cref="ImageFormatException">The header is wrong, truncated, or of another kind.</exception>
    public static ImageReader Open(string path, ImageKind expectedKind) => Open(path, (ImageKind?)expectedKind);

    /// <summary>Opens <paramref name="path"/> as an image of whatever framed kind its header names.</summary>
    /// <exception cref="ImageFormatException">The header is wrong or truncated.</exception>
    public static ImageReader OpenAny(string path) => Open(path, null);

    /// <summary>Reads every message of an image file of <typeparamref name="T"/> messages.</summary>
    /// <exception cref="ImageFormatException">The file is not a valid image of that kind.</exception>
    public static List<T> ReadFile<T>(string path)
        where T : IMessage<T>, new()
    {
        using ImageReader reader = Open(path, ImageRegistry.KindOf<T>());
        return [.. reader.ReadAll<T>()];
    }

    private static ImageReader Open(string path, ImageKind? expectedKind)
    {
        // Read whole: image files are small, and a FileStream's 64 KiB buffer per file was most
        // of a restore's fresh memory (a page fault per page on a virtual machine).
        var file = new MemoryStream(File.ReadAllBytes(path), writable: false);
        try
        {
            return new ImageReader(file, path, expectedKind);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>The file name used in error messages.</summary>
    public string Path { get; }

    /// <summary>The file's header.</summary>
    public ImageHeader Header { get; }

    /// <summary>The message type of this file's frames.</summary>
    public MessageDescriptor Descriptor => ImageRegistry.GetDescriptor(Header.Kind);

    /// <summary>Byte offset of the next frame, counted from the start of the image (the stream position the reader started at).</summary>
    public long Offset => _offset;

    /// <summary>Reads the next message; <see langword="null"/> at the end of the file.</summary>
    /// <exception cref="ImageFormatException">The frame is truncated, oversized, or does not parse.</exception>
    public IMessage? ReadNext()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        long frameStart = _offset;
        if (!TryReadLength(frameStart, out int length))
        {
            return null;
        }
        if (length > ImageFormat.MaxMessageSize)
        {
            throw Error(frameStart, $"frame length {length} exceeds the limit of {ImageFormat.MaxMessageSize} bytes");
        }
        if (_length >= 0 && length > _length - _offset)
        {
            throw Error(frameStart, $"truncated frame: {length} bytes announced, {_length - _offset} present");
        }

        byte[] buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            int read = _stream.ReadAtLeast(buffer.AsSpan(0, length), length, throwOnEndOfStream: false);
            _offset += read;
            if (read < length)
            {
                throw Error(frameStart, $"truncated frame: {length} bytes announced, {read} present");
            }
            try
            {
                // Parsing from the span copies bytes fields out, so the pooled buffer can go back.
                return _parser.ParseFrom(buffer.AsSpan(0, length));
            }
            catch (InvalidProtocolBufferException e)
            {
                throw Error(frameStart, $"{_type.Name} message does not parse ({e.Message})", e);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Reads every remaining message.</summary>
    /// <exception cref="ImageFormatException">A frame is truncated, oversized, or does not parse.</exception>
    public IEnumerable<IMessage> ReadAll()
    {
        while (ReadNext() is IMessage message)
        {
            yield return message;
        }
    }

    /// <summary>Reads every remaining message as <typeparamref name="T"/>.</summary>
    /// <exception cref="InvalidOperationException">This file's messages are not <typeparamref name="T"/>.</exception>
    /// <exception cref="ImageFormatException">A frame is truncated, oversized, or does not parse.</exception>
    public IEnumerable<T> ReadAll<T>()
        where T : IMessage<T>
    {
        foreach (IMessage message in ReadAll())
        {
            yield return message is T typed
                ? typed
                : throw new InvalidOperationException(
                    $"{Path} holds {Descriptor.FullName} messages, not {typeof(T).Name}");
        }
    }

    /// <summary>Closes the stream unless asked to leave it open.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        if (!_leaveOpen)
        {
            _stream.Dispose();
        }
    }

    private (ImageHeader, Type, MessageParser) ReadHeader(ImageKind? expectedKind)
    {
        Span<byte> header = stackalloc byte[ImageFormat.HeaderSize];
        int read = _stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        _offset = read;

        // Compare the magic on whatever arrived first: a short file of another format should be
        // reported as "not an image", not as a truncated one.
        int magicBytes = Math.Min(read, ImageFormat.Magic.Length);
        if (!header[..magicBytes].SequenceEqual(ImageFormat.Magic[..magicBytes]))
        {
            throw Error(0, "not a keeper image (bad magic)");
        }
        if (read < header.Length)
        {
            throw Error(read, $"truncated header: {read} of {ImageFormat.HeaderSize} bytes");
        }

        ushort major = BinaryPrimitives.ReadUInt16LittleEndian(header[ImageFormat.MajorOffset..]);
        ushort minor = BinaryPrimitives.ReadUInt16LittleEndian(header[ImageFormat.MinorOffset..]);
        var kind = (ImageKind)BinaryPrimitives.ReadUInt32LittleEndian(header[ImageFormat.KindOffset..]);
        if (major != ImageFormat.CurrentMajor)
        {
            throw Error(ImageFormat.MajorOffset,
                $"unsupported format version {major}.{minor} (this keeper reads {ImageFormat.CurrentMajor}.x)");
        }
        // Newer minors only add optional fields; protobuf keeps them as unknown fields, so any
        // minor of the known major is accepted.
        if (!ImageRegistry.TryGetType(kind, out Type? type, out MessageParser? parser))
        {
            throw Error(ImageFormat.KindOffset, $"unknown image kind {ImageRegistry.NameOf(kind)}");
        }
        if (expectedKind is ImageKind expected && kind != expected)
        {
            throw Error(ImageFormat.KindOffset,
                $"image kind {ImageRegistry.NameOf(kind)}, expected {ImageRegistry.NameOf(expected)}");
        }
        return (new ImageHeader(kind, major, minor), type, parser);
    }

    // Reads the varint length prefix. End of file exactly at a frame boundary is the normal
    // end of the image; anywhere inside the prefix it is a truncation.
    private bool TryReadLength(long frameStart, out int length)
    {
        uint value = 0;
        for (int i = 0; i < ImageFormat.MaxLengthPrefixSize; i++)
        {
            int b = _stream.ReadByte();
            if (b < 0)
            {
                if (i == 0)
                {
                    length = 0;
                    return false;
                }
                throw Error(frameStart, "truncated frame length");
            }
            _offset++;
            if (i == ImageFormat.MaxLengthPrefixSize - 1 && b > 0x0F)
            {
                // The fifth byte may only carry the top 4 bits of a 32-bit value.
                throw Error(frameStart, "frame length does not fit in 32 bits");
            }
            value |= (uint)(b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0)
            {
                if (value > int.MaxValue)
                {
                    throw Error(frameStart, $"frame length {value} exceeds the limit of {ImageFormat.MaxMessageSize} bytes");
                }
                length = (int)value;
                return true;
            }
        }
        // Unreachable: the fifth byte either ended the varint or was rejected above.
        throw Error(frameStart, "frame length does not fit in 32 bits");
    }

    private ImageFormatException Error(long offset, string reason, Exception? inner = null) =>
        new(Path, offset, reason, inner);
}
