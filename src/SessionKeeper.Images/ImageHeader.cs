using SessionKeeper.Images.V1;

namespace SessionKeeper.Images;

/// <summary>The decoded header of an image file.</summary>
/// <param name="Kind">What the file holds; decides the message type of its frames.</param>
/// <param name="Major">Format major version.</param>
/// <param name="Minor">Format minor version; may be newer than <see cref="ImageFormat.CurrentMinor"/>.</param>
public readonly record struct ImageHeader(ImageKind Kind, ushort Major, ushort Minor);
