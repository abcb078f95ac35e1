using System.Runtime.InteropServices;

namespace SessionKeeper.Native;

public static partial class Interop
{
    /// <summary>RENAME_EXCHANGE of renameat2(2): swap two existing names atomically.</summary>
    public const uint RenameExchange = 2;

    [LibraryImport(Libc, EntryPoint = "renameat2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Renameat2Raw(int oldDirectory, string oldPath, int newDirectory, string newPath, uint flags);

    /// <summary>renameat2(2) with paths relative to the working directory.</summary>
    public static void Rename(string oldPath, string newPath, uint flags = 0)
    {
        const int atFdCwd = -100;
        if (Renameat2Raw(atFdCwd, oldPath, atFdCwd, newPath, flags) < 0)
        {
            ErrnoException.ThrowLast("renameat2", $"{oldPath} -> {newPath}");
        }
    }
}
