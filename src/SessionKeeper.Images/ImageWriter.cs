using Google.Protobuf;
using Google.Protobuf.Reflection;
using SessionKeeper.Images.V1;

namespace SessionKeeper.Images;

/// <summary>
/// Writes one framed image file: the header, then each message as a varint length and the
/// message bytes. Durability (fsync, atomic rename) is the snapshot store's business: this
/// class only produces the bytes.
/// </summary>
public sealed class ImageWriter : IDisposable
{
    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly CodedOutputStream _output;
    private readonly Type _type;
    private bool _disposed;

    /// <summary>Starts an image of <paramref name="kind"/> on <paramref name="stream"/> and writes its header.</summary>
    /// <param name="stream">Where the image goes, positioned where the file starts.</param>
    /// <param name="kind">The image kind; every message written must be of its type.</param>
    /// <param name="leaveOpen">Leave <paramref name="stream"/> open on <see cref="Dispose"/>.</param>
    /// <param name="formatMinor">
    /// Minor version to put in the header. Only the JSON encoder passes anything but
    /// <see cref="ImageFormat.CurrentMinor"/>, to rebuild a file exactly as it was.
    /// </param>
    /// <exception cref="ArgumentException"><paramref name="kind"/> is not a framed kind.</exception>
    public ImageWriter(Stream stream, ImageKind kind, bool leaveOpen = false, ushort formatMinor = ImageFormat.CurrentMinor)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _type = ImageRegistry.TypeOf(kind);
        _stream = stream;
        _leaveOpen = leaveOpen;
        Kind = kind;

        Span<byte> header = stackalloc byte[ImageFormat.HeaderSize];
        ImageFormat.WriteHeader(header, kind, ImageFormat.CurrentMajor, formatMinor);
        stream.Write(header);
        // The coded stream buffers frames; it is flushed into _stream by Flush and Dispose.
        _output = new CodedOutputStream(stream, leaveOpen: true);
    }

    /// <summary>Creates (or truncates) <paramref name="path"/> and starts an image of <paramref name="kind"/> in it.</summary>
    /// <exception cref="ArgumentException"><paramref name="kind"/> is not a framed kind.</exception>
    public static ImageWriter Create(string path, ImageKind kind)
    {
        // Validate the kind before the file exists, so a wrong call leaves nothing behind.
        ImageRegistry.TypeOf(kind);
        var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, bufferSize: 1 << 16);
        try
        {
            return new ImageWriter(file, kind);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Writes a whole image file of <typeparamref name="T"/> messages; the kind follows from the type.</summary>
    public static void WriteFile<T>(string path, IEnumerable<T> messages)
        where T : IMessage<T>, new()
    {
        using ImageWriter writer = Create(path, ImageRegistry.KindOf<T>());
        foreach (T message in messages)
        {
            writer.Write(message);
        }
    }

    /// <summary>The kind of the image being written.</summary>
    public ImageKind Kind { get; }

    /// <summary>Appends one message as a frame.</summary>
    /// <exception cref="ArgumentException">
    /// The message is not of the kind's type, or is larger than <see cref="ImageFormat.MaxMessageSize"/>
    /// (a reader would refuse the file).
    /// </exception>
    public void Write(IMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (message.GetType() != _type)
        {
            throw new ArgumentException(
                $"a {ImageRegistry.NameOf(Kind)} image holds {ImageRegistry.GetDescriptor(Kind).FullName} messages, not {message.Descriptor.FullName}",
                nameof(message));
        }
        int size = message.CalculateSize();
        if (size > ImageFormat.MaxMessageSize)
        {
            throw new ArgumentException(
                $"{message.Descriptor.Name} message of {size} bytes exceeds the {ImageFormat.MaxMessageSize} byte frame limit",
                nameof(message));
        }
        _output.WriteLength(size);
        message.WriteTo(_output);
    }

    /// <summary>Pushes buffered frames into the underlying stream (no fsync).</summary>
    public void Flush()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _output.Flush();
        _stream.Flush();
    }

    /// <summary>Flushes the buffered frames and closes the stream unless asked to leave it open.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        // The coded stream owns nothing but its buffer, so flushing it is all its disposal
        // would do; flushing once keeps a failed flush from being thrown twice.
        try
        {
            _output.Flush();
            _stream.Flush();
        }
        finally
        {
            if (!_leaveOpen)
            {
                _stream.Dispose();
            }
        }
    }
}
