using System.Runtime.InteropServices;
using static SessionKeeper.Native.InteropHelpers;

namespace SessionKeeper.Native;

/// <summary>Flags of splice(2), tee(2) and vmsplice(2) (linux/splice.h SPLICE_F_*).</summary>
[Flags]
public enum SpliceFlags : uint
{
    /// <summary>No flag.</summary>
    None = 0,
    /// <summary>SPLICE_F_NONBLOCK: do not wait for data or room in the pipes (the files' own O_NONBLOCK is separate).</summary>
    SPLICE_F_NONBLOCK = 2,
}

public static partial class Interop
{
    [LibraryImport(Libc, EntryPoint = "tee", SetLastError = true)]
    private static partial nint TeeRaw(int fdIn, int fdOut, nuint length, uint flags);

    /// <summary>
    /// tee(2): copies up to <paramref name="length"/> bytes buffered in the pipe
    /// <paramref name="input"/> into the pipe <paramref name="output"/> without consuming them.
    /// Returns the bytes copied; 0 when the input is empty and has no writer. Retries on EINTR.
    /// </summary>
    public static long Tee(SafeFd input, SafeFd output, long length, SpliceFlags flags)
    {
        using FdLease inLease = input.Lease();
        using FdLease outLease = output.Lease();
        nint n;
        do
        {
            n = TeeRaw(inLease.Fd, outLease.Fd, (nuint)length, (uint)flags);
        }
        while (Interrupted(n));
        if (n < 0)
        {
            ErrnoException.ThrowLast("tee", $"{FdTarget(input)} -> {FdTarget(output)}");
        }
        return n;
    }
}
