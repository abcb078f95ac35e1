using System.Runtime.InteropServices;

namespace SessionKeeper.Native;

public static partial class Interop
{
    /// <summary>The kernel accepts at most this many iovecs per call (UIO_MAXIOV).</summary>
    public const int MaxIoVecs = 1024;

    [LibraryImport(Libc, EntryPoint = "process_vm_readv", SetLastError = true)]
    private static unsafe partial nint ProcessVmReadvRaw(int pid, IoVec* local, nuint localCount, IoVec* remote, nuint remoteCount, nuint flags);

    [LibraryImport(Libc, EntryPoint = "process_vm_writev", SetLastError = true)]
    private static unsafe partial nint ProcessVmWritevRaw(int pid, IoVec* local, nuint localCount, IoVec* remote, nuint remoteCount, nuint flags);

    /// <summary>
    /// process_vm_readv(2). Returns the number of bytes read, which stops short at the first
    /// remote range that faults (a partial read is not an error). At most <see cref="MaxIoVecs"/>
    /// iovecs on each side.
    /// </summary>
    public static unsafe long ProcessVmReadv(int pid, ReadOnlySpan<IoVec> local, ReadOnlySpan<IoVec> remote)
        => ProcessVm(&ProcessVmReadvRaw, "process_vm_readv", pid, local, remote);

    /// <summary>
    /// process_vm_writev(2). Fails with EFAULT on mappings that are not writable (use
    /// /proc/PID/mem there, which writes with FOLL_FORCE).
    /// </summary>
    public static unsafe long ProcessVmWritev(int pid, ReadOnlySpan<IoVec> local, ReadOnlySpan<IoVec> remote)
        => ProcessVm(&ProcessVmWritevRaw, "process_vm_writev", pid, local, remote);

    private static unsafe long ProcessVm(
        delegate*<int, IoVec*, nuint, IoVec*, nuint, nuint, nint> call, string name, int pid, ReadOnlySpan<IoVec> local, ReadOnlySpan<IoVec> remote)
    {
        fixed (IoVec* l = local)
        fixed (IoVec* r = remote)
        {
            nint n;
            do
            {
                n = call(pid, l, (nuint)local.Length, r, (nuint)remote.Length, 0);
            }
            while (InteropHelpers.Interrupted(n));
            if (n < 0)
            {
                ErrnoException.ThrowLast(name, $"pid {pid}");
            }
            return n;
        }
    }
}
