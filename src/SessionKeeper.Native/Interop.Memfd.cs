using System.Runtime.InteropServices;

namespace SessionKeeper.Native;

public static partial class Interop
{
    private const uint MFD_CLOEXEC = 0x1;
    private const uint MFD_NOEXEC_SEAL = 0x8;

    [LibraryImport(Libc, EntryPoint = "memfd_create", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int MemfdCreateRaw(string name, uint flags);

    /// <summary>
    /// memfd_create(2): an anonymous file in kernel memory, close-on-exec and, where the kernel
    /// knows the flag (6.3 and later), sealed against ever becoming executable.
    /// </summary>
    public static SafeFd MemfdCreate(string name)
    {
        int fd = MemfdCreateRaw(name, MFD_CLOEXEC | MFD_NOEXEC_SEAL);
        if (fd < 0 && ErrnoException.LastErrno == Errno.EINVAL)
        {
            fd = MemfdCreateRaw(name, MFD_CLOEXEC);
        }
        return InteropHelpers.Adopt(new SafeFd(), fd, "memfd_create", name);
    }
}
