using System.Runtime.InteropServices;
using static SessionKeeper.Native.InteropHelpers;

namespace SessionKeeper.Native;

public static partial class Interop
{
    [LibraryImport(Libc, EntryPoint = "dup3", SetLastError = true)]
    private static partial int Dup3Raw(int oldfd, int newfd, int flags);

    /// <summary>
    /// dup3(2): makes <paramref name="newFd"/> refer to the same open file description as
    /// <paramref name="oldFd"/>, closing whatever it referred to, and returns it as an owned
    /// handle. O_CLOEXEC is set unless <paramref name="closeOnExec"/> is false (restore sets
    /// it as dumped).
    /// </summary>
    public static SafeFd Dup3(SafeFd oldFd, int newFd, bool closeOnExec = true)
    {
        using FdLease lease = oldFd.Lease();
        var handle = new SafeFd();
        int result;
        // dup3 can report EINTR only while closing newFd; the dup has not happened then.
        do
        {
            result = Dup3Raw(lease.Fd, newFd, closeOnExec ? (int)OpenFlags.O_CLOEXEC : 0);
        }
        while (Interrupted(result));
        return Adopt(handle, result, "dup3", $"fd {lease.Fd} to fd {newFd}");
    }
}
