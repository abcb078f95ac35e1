using System.Runtime.InteropServices;

namespace SessionKeeper.Native;

public static partial class Interop
{
    [LibraryImport(Libc, EntryPoint = "lchown", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int LchownRaw(string path, uint owner, uint group);

    [LibraryImport(Libc, EntryPoint = "chmod", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int ChmodRaw(string path, uint mode);

    /// <summary>chmod(2).</summary>
    public static void Chmod(string path, uint mode)
    {
        if (ChmodRaw(path, mode) < 0)
        {
            ErrnoException.ThrowLast("chmod", path);
        }
    }

    /// <summary>lchown(2): changes the owner of <paramref name="path"/> itself (a link is not followed).</summary>
    public static void Lchown(string path, uint owner, uint group)
    {
        if (LchownRaw(path, owner, group) < 0)
        {
            ErrnoException.ThrowLast("lchown", path);
        }
    }
}
