using System.Runtime.InteropServices;

namespace SessionKeeper.Native;

public static partial class Interop
{
    [LibraryImport(Libc, EntryPoint = "setns", SetLastError = true)]
    private static partial int SetnsRaw(int fd, int nstype);

    /// <summary>
    /// setns(2) for the calling thread only. A network namespace can be changed per thread, so
    /// a dedicated thread may step into a tree's namespace to create sockets there and step back.
    /// </summary>
    public static void Setns(SafeFd namespaceFile, CloneFlags type)
    {
        using FdLease lease = namespaceFile.Lease();
        if (SetnsRaw(lease.Fd, (int)type) < 0)
        {
            ErrnoException.ThrowLast("setns", $"{type}");
        }
    }
}
