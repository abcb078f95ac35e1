using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using static SessionKeeper.Native.InteropHelpers;

namespace SessionKeeper.Native;

public static partial class Interop
{
    [LibraryImport(Libc, EntryPoint = "open_by_handle_at", SetLastError = true)]
    private static unsafe partial int OpenByHandleAtRaw(int mountFd, byte* handle, int flags);

    /// <summary>
    /// open_by_handle_at(2): opens the file a handle (as name_to_handle_at or fdinfo gives it)
    /// names on the filesystem of <paramref name="mountFd"/>. Needs CAP_DAC_READ_SEARCH.
    /// </summary>
    public static unsafe SafeFd OpenByHandleAt(SafeFd mountFd, int handleType, ReadOnlySpan<byte> handle, OpenFlags flags)
    {
        int headerSize = Unsafe.SizeOf<FileHandleHeader>();
        byte[] buffer = new byte[headerSize + handle.Length];
        var header = new FileHandleHeader { HandleBytes = (uint)handle.Length, HandleType = handleType };
        MemoryMarshal.Write(buffer, in header);
        handle.CopyTo(buffer.AsSpan(headerSize));
        using FdLease mount = mountFd.Lease();
        var result = new SafeFd();
        int fd;
        fixed (byte* p = buffer)
        {
            fd = OpenByHandleAtRaw(mount.Fd, p, (int)(flags | OpenFlags.O_CLOEXEC));
        }
        return Adopt(result, fd, "open_by_handle_at", $"handle type {handleType} on fd {mountFd.Fd}");
    }
}
