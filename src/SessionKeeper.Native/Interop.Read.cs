using System.Runtime.InteropServices;
using static SessionKeeper.Native.InteropHelpers;

namespace SessionKeeper.Native;

public static partial class Interop
{
    [LibraryImport(Libc, EntryPoint = "read", SetLastError = true)]
    private static unsafe partial nint ReadRaw(int fd, byte* buffer, nuint count);

    [LibraryImport(Libc, EntryPoint = "pread64", SetLastError = true)]
    private static unsafe partial nint PreadRaw(int fd, byte* buffer, nuint count, long offset);

    /// <summary>read(2) once; returns the byte count, 0 at end of file. Retries on EINTR.</summary>
    public static unsafe int Read(SafeFd fd, Span<byte> buffer)
    {
        using FdLease lease = fd.Lease();
        nint n;
        fixed (byte* p = buffer)
        {
            do
            {
                n = ReadRaw(lease.Fd, p, (nuint)buffer.Length);
            }
            while (Interrupted(n));
        }
        if (n < 0)
        {
            ErrnoException.ThrowLast("read", FdTarget(fd));
        }
        return (int)n;
    }

    /// <summary>
    /// pread(2) once at an absolute offset, without moving the file position (used on
    /// /proc/PID/mem, where the offset is the target's address). Retries on EINTR.
    /// </summary>
    public static unsafe int Pread(SafeFd fd, Span<byte> buffer, long offset)
    {
        using FdLease lease = fd.Lease();
        nint n;
        fixed (byte* p = buffer)
        {
            do
            {
                n = PreadRaw(lease.Fd, p, (nuint)buffer.Length, offset);
            }
            while (Interrupted(n));
        }
        if (n < 0)
        {
            ErrnoException.ThrowLast("pread", $"{FdTarget(fd)} at offset 0x{offset:x}");
        }
        return (int)n;
    }

    /// <summary>Reads until the buffer is full or end of file; returns the bytes read.</summary>
    public static int ReadAll(SafeFd fd, Span<byte> buffer)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int n = Read(fd, buffer[total..]);
            if (n == 0)
            {
                break;
            }
            total += n;
        }
        return total;
    }
}
