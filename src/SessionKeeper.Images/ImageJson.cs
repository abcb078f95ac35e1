using System.Globalization;
using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using SessionKeeper.Images.V1;

namespace SessionKeeper.Images;

/// <summary>
/// Converts image files to and from JSON, for <c>keeper image decode/encode</c>: people read
/// and edit snapshots, and other programs read them without linking protobuf.
/// </summary>
/// <remarks>
/// The document is <c>{"header": {"kind", "formatMajor", "formatMinor"}, "messages": [...]}</c>,
/// each message in protobuf's canonical JSON mapping (lowerCamelCase names, 64-bit integers as
/// strings, bytes as base64, enums by name). Encoding a decoded file gives back the same bytes
/// for every file <see cref="ImageWriter"/> wrote. Fields unknown to this version (from a newer
/// minor) cannot be shown in JSON and are lost by a decode/encode round trip.
/// Both directions work from the generated descriptors only (no reflection), so they run
/// under NativeAOT.
/// </remarks>
public static class ImageJson
{
    // Encoding reads the whole document first: nothing is written for a document that
    // turns out to be invalid half way.
    private static readonly JsonDocumentOptions s_documentOptions = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        MaxDepth = 256,
    };

    // Default values are printed too: in a decoded image "fd": 0 should be visible rather than
    // left for the reader to infer. Fields with presence (optional, oneof, messages) still
    // appear only when set, so the JSON shows exactly what the binary holds.
    private static readonly JsonFormatter s_formatter = new(
        JsonFormatter.Settings.Default.WithIndentation("  ").WithFormatDefaultValues(true));

    /// <summary>
    /// Writes the image file at <paramref name="path"/> as JSON to <paramref name="output"/>;
    /// nothing is written when the file is damaged.
    /// </summary>
    /// <exception cref="ImageFormatException">The file is not a valid image.</exception>
    public static void Decode(string path, TextWriter output)
    {
        using ImageReader reader = ImageReader.OpenAny(path);
        Decode(reader, output);
    }

    /// <summary>
    /// Writes the image read by <paramref name="reader"/> (from its current frame on) as JSON.
    /// Every frame is read before anything is written, so a damaged file produces an exception
    /// and no partial JSON.
    /// </summary>
    /// <exception cref="ImageFormatException">A frame is not valid.</exception>
    public static void Decode(ImageReader reader, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(output);
        List<IMessage> messages = [.. reader.ReadAll()];
        ImageHeader header = reader.Header;
        output.Write("{\n  \"header\": {\n");
        output.Write($"    \"kind\": \"{ImageRegistry.NameOf(header.Kind)}\",\n");
        output.Write(string.Create(CultureInfo.InvariantCulture, $"    \"formatMajor\": {header.Major},\n"));
        output.Write(string.Create(CultureInfo.InvariantCulture, $"    \"formatMinor\": {header.Minor}\n"));
        output.Write("  },\n  \"messages\": [");
        bool first = true;
        foreach (IMessage message in messages)
        {
            output.Write(first ? "\n    " : ",\n    ");
            // Indentation level 2 lines each message up under "messages".
            s_formatter.Format(message, output, 2);
            first = false;
        }
        output.Write(first ? "]\n}\n" : "\n  ]\n}\n");
    }

    /// <summary>
    /// Reads a JSON document as <see cref="Decode(string, TextWriter)"/> writes it and writes the
    /// binary image to <paramref name="outputPath"/>. Nothing is written when the document is invalid.
    /// </summary>
    /// <param name="input">The JSON document.</param>
    /// <param name="outputPath">The image file to create or replace.</param>
    /// <param name="inputName">Name of the input for error messages (a path, or <c>&lt;stdin&gt;</c>).</param>
    /// <exception cref="ImageFormatException">The document is not a valid image in JSON form.</exception>
    public static void Encode(TextReader input, string outputPath, string inputName = "<stdin>")
    {
        ArgumentNullException.ThrowIfNull(outputPath);
        (ImageHeader header, List<IMessage> messages) = Parse(input, inputName);
        using var file = new FileStream(outputPath, FileMode.Create, FileAccess.Write, FileShare.Read, bufferSize: 1 << 16);
        Write(header, messages, file);
    }

    /// <summary>
    /// Reads a JSON document as <see cref="Decode(string, TextWriter)"/> writes it and writes the
    /// binary image to <paramref name="output"/>. Nothing is written when the document is invalid.
    /// </summary>
    /// <exception cref="ImageFormatException">The document is not a valid image in JSON form.</exception>
    public static void Encode(TextReader input, Stream output, string inputName = "<stdin>")
    {
        ArgumentNullException.ThrowIfNull(output);
        (ImageHeader header, List<IMessage> messages) = Parse(input, inputName);
        Write(header, messages, output);
    }

    private static void Write(ImageHeader header, List<IMessage> messages, Stream output)
    {
        using var writer = new ImageWriter(output, header.Kind, leaveOpen: true, formatMinor: header.Minor);
        foreach (IMessage message in messages)
        {
            writer.Write(message);
        }
    }

    private static (ImageHeader, List<IMessage>) Parse(TextReader input, string inputName)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(inputName);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(input.ReadToEnd(), s_documentOptions);
        }
        catch (JsonException e)
        {
            throw new ImageFormatException(inputName, null, $"invalid JSON: {e.Message}", e);
        }

        using (document)
        {
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw Error(inputName, "the document must be an object with \"header\" and \"messages\"");
            }
            ImageHeader header = ParseHeader(root, inputName);
            MessageDescriptor descriptor = ImageRegistry.GetDescriptor(header.Kind);

            if (!root.TryGetProperty("messages", out JsonElement array) || array.ValueKind != JsonValueKind.Array)
            {
                throw Error(inputName, "\"messages\" must be an array");
            }
            var messages = new List<IMessage>(array.GetArrayLength());
            int index = 0;
            foreach (JsonElement element in array.EnumerateArray())
            {
                try
                {
                    messages.Add(JsonParser.Default.Parse(element.GetRawText(), descriptor));
                }
                catch (Exception e) when (e is InvalidProtocolBufferException or InvalidJsonException or FormatException)
                {
                    throw new ImageFormatException(inputName, null, $"messages[{index}]: {e.Message}", e);
                }
                index++;
            }
            return (header, messages);
        }
    }

    private static ImageHeader ParseHeader(JsonElement root, string inputName)
    {
        if (!root.TryGetProperty("header", out JsonElement header) || header.ValueKind != JsonValueKind.Object)
        {
            throw Error(inputName, "\"header\" must be an object with kind, formatMajor and formatMinor");
        }
        if (!header.TryGetProperty("kind", out JsonElement kindElement)
            || kindElement.ValueKind is not (JsonValueKind.String or JsonValueKind.Number)
            || !ImageRegistry.TryParseKind(kindElement.ValueKind == JsonValueKind.String ? kindElement.GetString()! : kindElement.GetRawText(), out ImageKind kind))
        {
            throw Error(inputName, "header.kind must name an image kind, e.g. \"IMAGE_KIND_CORE\"");
        }
        if (!ImageRegistry.IsFramed(kind))
        {
            throw Error(inputName, $"header.kind {ImageRegistry.NameOf(kind)} is not a framed image kind");
        }
        ushort major = ReadVersion(header, "formatMajor", inputName);
        ushort minor = ReadVersion(header, "formatMinor", inputName);
        if (major != ImageFormat.CurrentMajor)
        {
            throw Error(inputName,
                $"unsupported format version {major}.{minor} (this keeper writes {ImageFormat.CurrentMajor}.x)");
        }
        return new ImageHeader(kind, major, minor);
    }

    private static ushort ReadVersion(JsonElement header, string name, string inputName) =>
        header.TryGetProperty(name, out JsonElement element)
            && element.ValueKind == JsonValueKind.Number
            && element.TryGetUInt16(out ushort value)
            ? value
            : throw Error(inputName, $"header.{name} must be a number from 0 to {ushort.MaxValue}");

    private static ImageFormatException Error(string inputName, string reason) => new(inputName, null, reason);
}
