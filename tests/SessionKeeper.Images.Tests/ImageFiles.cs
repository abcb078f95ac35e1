using Google.Protobuf;
using SessionKeeper.Images.V1;

namespace SessionKeeper.Images.Tests;

/// <summary>Builds image bytes and files for tests.</summary>
internal static class ImageFiles
{
    public static byte[] Build(ImageKind kind, IEnumerable<IMessage> messages)
    {
        using var stream = new MemoryStream();
        using (var writer = new ImageWriter(stream, kind, leaveOpen: true))
        {
            foreach (IMessage message in messages)
            {
                writer.Write(message);
            }
        }
        return stream.ToArray();
    }

    public static byte[] Sample(ImageKind kind) => Build(kind, ImageSamples.For(kind));

    /// <summary>Offsets where each frame starts (its length prefix), then the end of the file.</summary>
    public static List<long> FrameOffsets(byte[] image)
    {
        var offsets = new List<long>();
        int offset = ImageFormat.HeaderSize;
        while (offset < image.Length)
        {
            offsets.Add(offset);
            var input = new CodedInputStream(image, offset, image.Length - offset);
            int length = input.ReadLength();
            offset += CodedOutputStream.ComputeLengthSize(length) + length;
        }
        offsets.Add(offset);
        return offsets;
    }

    public static List<IMessage> ReadAll(byte[] image, string path = "test.img", ImageKind? expected = null)
    {
        using var reader = new ImageReader(new MemoryStream(image), path, expected);
        return [.. reader.ReadAll()];
    }
}
