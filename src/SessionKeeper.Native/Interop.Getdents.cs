using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace SessionKeeper.Native;

public static partial class Interop
{
    [LibraryImport(Libc, EntryPoint = "syscall", SetLastError = true)]
    private static unsafe partial long Getdents64Raw(long number, int fd, byte* buffer, nuint count);

    /// <summary>
    /// The entries of <paramref name="directory"/> whose names are decimal numbers (pids, fds,
    /// thread ids), in directory order, read with getdents64(2) alone. Unlike an enumeration
    /// through System.IO, nothing is stat'ed: that matters for /proc/PID/fd, whose entries
    /// are symlinks a stat would follow into pipes, sockets and devices. Returns false when the
    /// directory is gone (ENOENT, or ESRCH for a task that has just been released); other
    /// errors (EACCES) throw <see cref="ErrnoException"/> naming the directory.
    /// </summary>
    public static unsafe bool TryListNumericEntries(string directory, List<int> numbers)
    {
        ArgumentNullException.ThrowIfNull(numbers);
        SafeFd? opened;
        try
        {
            opened = TryOpen(directory, OpenFlags.O_RDONLY | OpenFlags.O_DIRECTORY);
        }
        catch (ErrnoException e) when (e.Errno == Errno.ESRCH)
        {
            return false;
        }
        using SafeFd? fd = opened;
        if (fd is null)
        {
            return false;
        }
        using FdLease lease = fd.Lease();
        // On the stack: this runs for every process of the system during a save, and a new array
        // per call is fresh memory, a page fault per page on a virtual machine.
        const int BufferLength = 8192;
        byte* buffer = stackalloc byte[BufferLength];
        while (true)
        {
            long n = Getdents64Raw((long)SyscallNumber.Getdents64, lease.Fd, buffer, BufferLength);
            if (n < 0)
            {
                Errno errno = ErrnoException.LastErrno;
                if (errno is Errno.ENOENT or Errno.ESRCH)
                {
                    return false;
                }
                ErrnoException.Throw(errno, "getdents64", directory);
            }
            if (n == 0)
            {
                return true;
            }
            // struct linux_dirent64: u64 d_ino, s64 d_off, u16 d_reclen, u8 d_type, char d_name[].
            for (int at = 0; at < n;)
            {
                int length = BinaryPrimitives.ReadUInt16LittleEndian(new ReadOnlySpan<byte>(buffer + at + 16, 2));
                var name = new ReadOnlySpan<byte>(buffer + at + 19, length - 19);
                name = name[..name.IndexOf((byte)0)];
                if (TryParseDecimal(name, out int number))
                {
                    numbers.Add(number);
                }
                at += length;
            }
        }
    }

    private static bool TryParseDecimal(ReadOnlySpan<byte> text, out int number)
    {
        number = 0;
        if (text.IsEmpty || text.Length > 9)
        {
            return false;
        }
        foreach (byte digit in text)
        {
            if (digit is < (byte)'0' or > (byte)'9')
            {
                return false;
            }
            number = (number * 10) + (digit - '0');
        }
        return true;
    }
}
