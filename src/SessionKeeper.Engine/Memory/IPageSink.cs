using V1 = SessionKeeper.Images.V1;

namespace SessionKeeper.Engine.Memory;

/// <summary>
/// Takes the page contents of a dump instead of raw <c>pages-PID.img</c> files, straight from
/// the buffers they were copied into (the snapshot store hashes, compresses and deduplicates
/// them without a copy on disk first). The pagemap images keep their <c>pages_offset</c>
/// references: they point into the raw file the sink stands for, as if it had been written.
/// </summary>
public interface IPageSink
{
    /// <summary>
    /// Stores the contents of the raw file <paramref name="fileName"/> of process
    /// <paramref name="pid"/> (as the images name it): <paramref name="pages"/> from offset 0
    /// to its length, laid out as <paramref name="pagemap"/> says.
    /// </summary>
    void Write(string fileName, int pid, PageBuffer pages, IReadOnlyList<V1.PagemapEntry> pagemap);

    /// <summary>
    /// Makes everything written so far durable. Called once after the last process, before the
    /// inventory and before a tree saved in kill mode is ended.
    /// </summary>
    void Flush();
}
