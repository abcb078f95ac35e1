namespace SessionKeeper.Store;

/// <summary>
/// The read windows of <see cref="ChunkReader.ReadRun"/> (room for the records of
/// <see cref="Chunks"/> chunks), shared by every pass over the packs in this process: the
/// check of a whole generation and the restore that follows take the same ones. Fresh memory
/// costs a page fault per page on the first touch, a steep price on virtual machines, and
/// a window is a megabyte.
/// </summary>
internal static class ReadWindows
{
    /// <summary>Chunks whose records one window holds: 1 MiB of page contents at 16 KiB chunks.</summary>
    public const int Chunks = 64;

    private static readonly Stack<byte[]> s_free = new();

    /// <summary>Length of a window.</summary>
    public static int Length => Chunks * ChunkReader.ScratchLength;

    /// <summary>A window no one else uses until it is given back.</summary>
    public static byte[] Rent()
    {
        lock (s_free)
        {
            if (s_free.TryPop(out byte[]? window))
            {
                return window;
            }
        }
        return new byte[Length];
    }

    /// <summary>Gives a window back for the next pass.</summary>
    public static void Return(byte[] window)
    {
        lock (s_free)
        {
            s_free.Push(window);
        }
    }
}
