namespace SessionKeeper.Images;

/// <summary>
/// An image file (or its JSON form) is not what the format says it must be. Names the file
/// and, for binary images, the byte offset of the header field or frame that is wrong, so a
/// damaged snapshot can be inspected with a hex dump.
/// </summary>
public sealed class ImageFormatException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="path">The file (or input name such as <c>&lt;stdin&gt;</c>) that is wrong.</param>
    /// <param name="offset">Byte offset of the bad header field or frame; <see langword="null"/> when no offset applies (JSON input).</param>
    /// <param name="reason">What is wrong, without the path or offset.</param>
    /// <param name="inner">The parser error behind it, if any.</param>
    public ImageFormatException(string path, long? offset, string reason, Exception? inner = null)
        : base(offset is long at ? $"{path}: {reason} at offset {at}" : $"{path}: {reason}", inner)
    {
        Path = path;
        Offset = offset;
        Reason = reason;
    }

    /// <summary>The file or input name.</summary>
    public string Path { get; }

    /// <summary>
    /// Byte offset of the problem: the header field for header errors, the start of the frame
    /// (its length prefix) for frame and message errors.
    /// </summary>
    public long? Offset { get; }

    /// <summary>What is wrong, without the path or offset.</summary>
    public string Reason { get; }
}
