using System.Runtime.InteropServices;
using static SessionKeeper.Native.InteropHelpers;

namespace SessionKeeper.Native;

public static partial class Interop
{
    [LibraryImport(Libc, EntryPoint = "read", SetLastError = true)]
    private static unsafe partial nint ReadRaw(int fd, byte* buffer, nuint count);

    [LibraryImport(Libc, EntryPoint = "pread64", SetLastError = true)]
    private static unsafe partial nint PreadRaw(int fd, byte* buffer, nuint count, long offset);

    [LibraryImport(Libc, EntryPoint = "write", SetLastError = true)]
    private static unsafe partial nint WriteRaw(int fd, byte* buffer, nuint count);

    [LibraryImport(Libc, EntryPoint = "pwrite64", SetLastError = true)]
    private static unsafe partial nint PwriteRaw(int fd, byte* buffer, nuint count, long offset);

    /// <summary>read(2) once; returns the byte count, 0 at end of file. Retries on EINTR.</summary>
    public static unsafe int Read(SafeFd fd, Span<byte> buffer)
    {
        fixed (byte* p = buffer)
        {
            return Transfer(fd, p, buffer.Length, offset: -1, write: false);
        }
    }

    /// <summary>
    /// pread(2) once at an absolute offset, without moving the file position (used on
    /// /proc/PID/mem, where the offset is the target's address). Retries on EINTR.
    /// </summary>
    public static unsafe int Pread(SafeFd fd, Span<byte> buffer, long offset)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        fixed (byte* p = buffer)
        {
            return Transfer(fd, p, buffer.Length, offset, write: false);
        }
    }

    /// <summary>write(2) once; returns the bytes written (possibly fewer than given). Retries on EINTR.</summary>
    public static unsafe int Write(SafeFd fd, ReadOnlySpan<byte> data)
    {
        fixed (byte* p = data)
        {
            return Transfer(fd, p, data.Length, offset: -1, write: true);
        }
    }

    /// <summary>
    /// pwrite(2) once at an absolute offset. On /proc/PID/mem this writes through read-only
    /// private mappings (relro, text), where process_vm_writev gives EFAULT.
    /// </summary>
    public static unsafe int Pwrite(SafeFd fd, ReadOnlySpan<byte> data, long offset)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        fixed (byte* p = data)
        {
            return Transfer(fd, p, data.Length, offset, write: true);
        }
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

    /// <summary>pread until <paramref name="buffer"/> is full or the file ends; returns the bytes read.</summary>
    public static int PreadAll(SafeFd fd, Span<byte> buffer, long offset)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int n = Pread(fd, buffer[total..], offset + total);
            if (n == 0)
            {
                break;
            }
            total += n;
        }
        return total;
    }

    /// <summary>pwrite all of <paramref name="data"/> at <paramref name="offset"/>, looping over short writes.</summary>
    public static void PwriteAll(SafeFd fd, ReadOnlySpan<byte> data, long offset)
    {
        while (!data.IsEmpty)
        {
            int n = Pwrite(fd, data, offset);
            data = data[n..];
            offset += n;
        }
    }

    /// <summary>Writes all of <paramref name="data"/>, looping over short writes.</summary>
    public static void WriteAll(SafeFd fd, ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            data = data[Write(fd, data)..];
        }
    }

    /// <summary>One read/pread/write/pwrite (an offset of -1 means "at the file position"), retried on EINTR.</summary>
    private static unsafe int Transfer(SafeFd fd, byte* buffer, int length, long offset, bool write)
    {
        using FdLease lease = fd.Lease();
        nint n;
        do
        {
            n = (write, offset >= 0) switch
            {
                (false, false) => ReadRaw(lease.Fd, buffer, (nuint)length),
                (false, true) => PreadRaw(lease.Fd, buffer, (nuint)length, offset),
                (true, false) => WriteRaw(lease.Fd, buffer, (nuint)length),
                (true, true) => PwriteRaw(lease.Fd, buffer, (nuint)length, offset),
            };
        }
        while (Interrupted(n));
        if (n < 0)
        {
            string call = offset >= 0 ? (write ? "pwrite" : "pread") : (write ? "write" : "read");
            ErrnoException.ThrowLast(call, offset >= 0 ? $"{FdTarget(fd)} at offset 0x{offset:x}" : FdTarget(fd));
        }
        return (int)n;
    }
}
