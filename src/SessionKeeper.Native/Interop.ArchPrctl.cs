using System.Runtime.InteropServices;

namespace SessionKeeper.Native;

public static partial class Interop
{
    [LibraryImport(Libc, EntryPoint = "syscall", SetLastError = true)]
    private static partial long ArchPrctlRaw(long number, int code, ulong argument);

    /// <summary>
    /// arch_prctl(2) on the calling thread (glibc exports no wrapper). The engine mostly
    /// issues these codes inside tracees; this local form exists for probing.
    /// </summary>
    public static long ArchPrctl(ArchPrctlCode code, ulong argument)
    {
        long result = ArchPrctlRaw((long)SyscallNumber.ArchPrctl, (int)code, argument);
        if (result < 0)
        {
            ErrnoException.ThrowLast($"arch_prctl({code})", $"pid {Environment.ProcessId}");
        }
        return result;
    }

    /// <summary>ARCH_GET_FS: the calling thread's fs_base.</summary>
    public static unsafe ulong ArchGetFs()
    {
        ulong value;
        ArchPrctl(ArchPrctlCode.ARCH_GET_FS, (ulong)&value);
        return value;
    }
}
