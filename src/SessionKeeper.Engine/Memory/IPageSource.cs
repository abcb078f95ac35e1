namespace SessionKeeper.Engine.Memory;

/// <summary>
/// Gives a restore the contents of raw <c>pages-PID.img</c> files from somewhere other than
/// the image directory — the snapshot store decodes them from its chunks, so a snapshot is
/// restored without being rebuilt on disk first. Offsets are those the pagemap images record.
/// </summary>
public interface IPageSource
{
    /// <summary>Length of the raw file <paramref name="fileName"/>; 0 when the source does not hold it.</summary>
    long Length(string fileName);

    /// <summary>Reads <paramref name="destination"/>.Length bytes of <paramref name="fileName"/> from <paramref name="offset"/>.</summary>
    void Read(string fileName, long offset, Span<byte> destination);
}
