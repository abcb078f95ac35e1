using System.Runtime.InteropServices;
using static SessionKeeper.Native.InteropHelpers;

namespace SessionKeeper.Native;

public static partial class Interop
{
    [LibraryImport(Libc, EntryPoint = "write", SetLastError = true)]
    private static unsafe partial nint WriteRaw(int fd, byte* buffer, nuint count);

    [LibraryImport(Libc, EntryPoint = "pwrite64", SetLastError = true)]
    private static unsafe partial nint PwriteRaw(int fd, byte* buffer, nuint count, long offset);

    /// <summary>write(2) once; returns the bytes written (possibly fewer than given). Retries on EINTR.</summary>
    public static unsafe int Write(SafeFd fd, ReadOnlySpan<byte> data)
    {
        using FdLease lease = fd.Lease();
        nint n;
        fixed (byte* p = data)
        {
            do
            {
                n = WriteRaw(lease.Fd, p, (nuint)data.Length);
            }
            while (Interrupted(n));
        }
        if (n < 0)
        {
            ErrnoException.ThrowLast("write", FdTarget(fd));
        }
        return (int)n;
    }

    /// <summary>
    /// pwrite(2) once at an absolute offset. On /proc/PID/mem this writes through read-only
    /// private mappings (relro, text), where process_vm_writev gives EFAULT.
    /// </summary>
    public static unsafe int Pwrite(SafeFd fd, ReadOnlySpan<byte> data, long offset)
    {
        using FdLease lease = fd.Lease();
        nint n;
        fixed (byte* p = data)
        {
            do
            {
                n = PwriteRaw(lease.Fd, p, (nuint)data.Length, offset);
            }
            while (Interrupted(n));
        }
        if (n < 0)
        {
            ErrnoException.ThrowLast("pwrite", $"{FdTarget(fd)} at offset 0x{offset:x}");
        }
        return (int)n;
    }

    /// <summary>Writes all of <paramref name="data"/>, looping over short writes.</summary>
    public static void WriteAll(SafeFd fd, ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            data = data[Write(fd, data)..];
        }
    }
}
