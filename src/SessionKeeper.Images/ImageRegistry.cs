using System.Diagnostics.CodeAnalysis;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using SessionKeeper.Images.V1;

namespace SessionKeeper.Images;

/// <summary>
/// Maps each framed <see cref="ImageKind"/> to the protobuf message type its frames hold, so
/// generic code (the JSON decoder, a verifier) can read any image file from its header alone.
/// </summary>
/// <remarks>
/// The table is written out rather than discovered by reflection: it is the contract, and
/// NativeAOT trimming would not keep types that are only found by scanning.
/// </remarks>
public static class ImageRegistry
{
    // The hot paths (every dump and restore) go by type and parser only: building protobuf
    // descriptors takes a cold keeper run tens of milliseconds, so they are made only when
    // something needs them (the JSON tools, messages).
    private static readonly Dictionary<ImageKind, (Type Type, MessageParser Parser)> s_types = new()
    {
        [ImageKind.Inventory] = (typeof(Inventory), Inventory.Parser),
        [ImageKind.Pstree] = (typeof(PstreeEntry), PstreeEntry.Parser),
        [ImageKind.Core] = (typeof(Core), Core.Parser),
        [ImageKind.Mm] = (typeof(Mm), Mm.Parser),
        [ImageKind.Pagemap] = (typeof(PagemapEntry), PagemapEntry.Parser),
        [ImageKind.Fdinfo] = (typeof(FdEntry), FdEntry.Parser),
        [ImageKind.Files] = (typeof(FileEntry), FileEntry.Parser),
        [ImageKind.PipeData] = (typeof(PipeData), PipeData.Parser),
        [ImageKind.TtyInfo] = (typeof(TtyInfo), TtyInfo.Parser),
        [ImageKind.SysvShm] = (typeof(SysvShm), SysvShm.Parser),
    };

    private static readonly Dictionary<Type, ImageKind> s_byType = s_types.ToDictionary(pair => pair.Value.Type, pair => pair.Key);

    private static readonly Lazy<Dictionary<ImageKind, MessageDescriptor>> s_byKind = new(() => new()
    {
        [ImageKind.Inventory] = Inventory.Descriptor,
        [ImageKind.Pstree] = PstreeEntry.Descriptor,
        [ImageKind.Core] = Core.Descriptor,
        [ImageKind.Mm] = Mm.Descriptor,
        [ImageKind.Pagemap] = PagemapEntry.Descriptor,
        [ImageKind.Fdinfo] = FdEntry.Descriptor,
        [ImageKind.Files] = FileEntry.Descriptor,
        [ImageKind.PipeData] = PipeData.Descriptor,
        [ImageKind.TtyInfo] = TtyInfo.Descriptor,
        [ImageKind.SysvShm] = SysvShm.Descriptor,
    });

    private static readonly Lazy<Dictionary<string, ImageKind>> s_byMessage =
        new(() => s_byKind.Value.ToDictionary(pair => pair.Value.FullName, pair => pair.Key));

    /// <summary>Every kind that is stored as a framed image file, in enum order.</summary>
    public static IReadOnlyList<ImageKind> FramedKinds { get; } = [.. s_types.Keys.Order()];

    /// <summary>Whether files of <paramref name="kind"/> have a header and frames (raw pages files do not).</summary>
    public static bool IsFramed(ImageKind kind) => s_types.ContainsKey(kind);

    /// <summary>The message type and parser of files of <paramref name="kind"/>, if it is a framed kind.</summary>
    public static bool TryGetType(ImageKind kind, [NotNullWhen(true)] out Type? type, [NotNullWhen(true)] out MessageParser? parser)
    {
        bool found = s_types.TryGetValue(kind, out (Type Type, MessageParser Parser) entry);
        (type, parser) = found ? (entry.Type, entry.Parser) : (null, null);
        return found;
    }

    /// <summary>The message type held by files of <paramref name="kind"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="kind"/> is not a framed kind.</exception>
    public static Type TypeOf(ImageKind kind) =>
        TryGetType(kind, out Type? type, out _) ? type : throw new ArgumentException($"image kind {kind} has no framed message type", nameof(kind));

    /// <summary>The message type held by files of <paramref name="kind"/>, if it is a framed kind.</summary>
    public static bool TryGetDescriptor(ImageKind kind, [NotNullWhen(true)] out MessageDescriptor? descriptor) =>
        s_byKind.Value.TryGetValue(kind, out descriptor);

    /// <summary>The message type held by files of <paramref name="kind"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="kind"/> is not a framed kind.</exception>
    public static MessageDescriptor GetDescriptor(ImageKind kind) =>
        s_byKind.Value.TryGetValue(kind, out MessageDescriptor? descriptor)
            ? descriptor
            : throw new ArgumentException($"image kind {kind} has no framed message type", nameof(kind));

    /// <summary>The parser for messages of <paramref name="kind"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="kind"/> is not a framed kind.</exception>
    public static MessageParser GetParser(ImageKind kind) =>
        TryGetType(kind, out _, out MessageParser? parser) ? parser : throw new ArgumentException($"image kind {kind} has no framed message type", nameof(kind));

    /// <summary>The kind whose files hold messages described by <paramref name="descriptor"/>.</summary>
    /// <exception cref="ArgumentException">No image kind holds that message type.</exception>
    public static ImageKind GetKind(MessageDescriptor descriptor) =>
        s_byMessage.Value.TryGetValue(descriptor.FullName, out ImageKind kind)
            ? kind
            : throw new ArgumentException($"no image kind holds {descriptor.FullName} messages", nameof(descriptor));

    /// <summary>The kind whose files hold <typeparamref name="T"/> messages.</summary>
    /// <exception cref="ArgumentException">No image kind holds <typeparamref name="T"/>.</exception>
    public static ImageKind KindOf<T>()
        where T : IMessage<T>, new() =>
        s_byType.TryGetValue(typeof(T), out ImageKind kind)
            ? kind
            : throw new ArgumentException($"no image kind holds {typeof(T).Name} messages", nameof(T));

    /// <summary>
    /// The name protobuf gives <paramref name="kind"/> (<c>IMAGE_KIND_CORE</c>), as JSON shows it;
    /// the number as text for a value this version does not know.
    /// </summary>
    public static string NameOf(ImageKind kind) =>
        CommonReflection.Descriptor.FindTypeByName<EnumDescriptor>(nameof(ImageKind))
            .FindValueByNumber((int)kind)?.Name ?? ((int)kind).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Parses a kind by its protobuf name (<c>IMAGE_KIND_CORE</c>) or its number.</summary>
    public static bool TryParseKind(string text, out ImageKind kind)
    {
        EnumValueDescriptor? value = CommonReflection.Descriptor.FindTypeByName<EnumDescriptor>(nameof(ImageKind))
            .FindValueByName(text);
        if (value is not null)
        {
            kind = (ImageKind)value.Number;
            return true;
        }
        if (int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int number))
        {
            kind = (ImageKind)number;
            return true;
        }
        kind = ImageKind.Unspecified;
        return false;
    }
}
