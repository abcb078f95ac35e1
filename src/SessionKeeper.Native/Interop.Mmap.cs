using System.Runtime.InteropServices;

namespace SessionKeeper.Native;

public static partial class Interop
{
    [LibraryImport(Libc, EntryPoint = "mmap", SetLastError = true)]
    private static partial nint MmapRaw(nint address, nuint length, int prot, int flags, int fd, long offset);

    [LibraryImport(Libc, EntryPoint = "munmap", SetLastError = true)]
    private static partial int MunmapRaw(nint address, nuint length);

    [LibraryImport(Libc, EntryPoint = "mprotect", SetLastError = true)]
    private static partial int MprotectRaw(nint address, nuint length, int prot);

    /// <summary>mprotect(2) of keeper's own memory; false (errno in <see cref="ErrnoException.LastErrno"/>) when refused.</summary>
    public static bool TryProtect(nint address, nuint length, MmapProt prot) => MprotectRaw(address, length, (int)prot) == 0;

    /// <summary>
    /// Private anonymous read-write memory of <paramref name="length"/> bytes (page-aligned,
    /// zeroed) for keeper's own use. With <paramref name="populate"/> every page is faulted in
    /// by the mmap call itself (MAP_POPULATE), which costs far less than a fault per page on
    /// first touch. Throws <see cref="ErrnoException"/> (ENOMEM) when there is no room.
    /// </summary>
    public static nint MapAnonymous(nuint length, bool populate)
    {
        MmapFlags flags = MmapFlags.MAP_PRIVATE | MmapFlags.MAP_ANONYMOUS | (populate ? MmapFlags.MAP_POPULATE : 0);
        nint address = MmapRaw(0, length, (int)(MmapProt.PROT_READ | MmapProt.PROT_WRITE), (int)flags, -1, 0);
        if (address == -1)
        {
            ErrnoException.ThrowLast("mmap", $"{length} bytes of anonymous memory");
        }
        return address;
    }

    /// <summary>munmap(2) of memory from <see cref="MapAnonymous"/>.</summary>
    public static void Unmap(nint address, nuint length)
    {
        if (MunmapRaw(address, length) < 0)
        {
            ErrnoException.ThrowLast("munmap", $"0x{address:x}");
        }
    }
}
