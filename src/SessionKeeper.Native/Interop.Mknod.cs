using System.Runtime.InteropServices;

namespace SessionKeeper.Native;

public static partial class Interop
{
    [LibraryImport(Libc, EntryPoint = "mknodat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int MknodatRaw(int directory, string path, uint mode, ulong device);

    /// <summary>
    /// mkfifo(3) as mknodat(2) with S_IFIFO: creates a named pipe with permission bits
    /// <paramref name="mode"/> (the umask applies; callers chmod when the exact bits matter).
    /// </summary>
    public static void MakeFifo(string path, uint mode)
    {
        if (MknodatRaw(AtFdcwd, path, Stat.TypeFifo | (mode & 0xFFF), 0) < 0)
        {
            ErrnoException.ThrowLast("mknodat(S_IFIFO)", path);
        }
    }
}
