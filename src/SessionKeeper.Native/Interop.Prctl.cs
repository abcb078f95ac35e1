using System.Runtime.InteropServices;
using System.Text;

namespace SessionKeeper.Native;

public static partial class Interop
{
    /// <summary>TASK_COMM_LEN: the comm buffer PR_GET_NAME fills, NUL included.</summary>
    public const int TaskCommLength = 16;

    [LibraryImport(Libc, EntryPoint = "prctl", SetLastError = true)]
    private static partial int PrctlRaw(int option, ulong arg2, ulong arg3, ulong arg4, ulong arg5);

    /// <summary>
    /// prctl(2) on the calling thread. Unused arguments must be 0 for most options (the
    /// kernel rejects garbage with EINVAL). Returns the call's non-negative result.
    /// </summary>
    public static int Prctl(PrctlOption option, ulong arg2 = 0, ulong arg3 = 0, ulong arg4 = 0, ulong arg5 = 0)
    {
        int result = PrctlRaw((int)option, arg2, arg3, arg4, arg5);
        if (result < 0)
        {
            ErrnoException.ThrowLast($"prctl({option})", $"pid {Environment.ProcessId}");
        }
        return result;
    }

    /// <summary>PR_SET_CHILD_SUBREAPER: restore parks orphaned tasks on the engine rather than init.</summary>
    public static void SetChildSubreaper(bool value) => Prctl(PrctlOption.PR_SET_CHILD_SUBREAPER, value ? 1UL : 0UL);

    /// <summary>PR_GET_CHILD_SUBREAPER</summary>
    public static unsafe bool GetChildSubreaper()
    {
        int value;
        Prctl(PrctlOption.PR_GET_CHILD_SUBREAPER, (ulong)&value);
        return value != 0;
    }

    /// <summary>PR_SET_PDEATHSIG: the signal this thread receives when its parent thread exits (0 clears).</summary>
    public static void SetParentDeathSignal(int signal) => Prctl(PrctlOption.PR_SET_PDEATHSIG, (ulong)signal);

    /// <summary>PR_GET_NAME: the calling thread's comm.</summary>
    public static unsafe string GetThreadName()
    {
        byte* buffer = stackalloc byte[TaskCommLength];
        Prctl(PrctlOption.PR_GET_NAME, (ulong)buffer);
        var span = new ReadOnlySpan<byte>(buffer, TaskCommLength);
        int end = span.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? span : span[..end]);
    }

    /// <summary>PR_SET_NAME: sets the calling thread's comm; the kernel truncates to 15 bytes.</summary>
    public static unsafe void SetThreadName(string name)
    {
        byte* buffer = stackalloc byte[TaskCommLength];
        new Span<byte>(buffer, TaskCommLength).Clear();
        Encoding.UTF8.GetBytes(name.AsSpan(0, Math.Min(name.Length, TaskCommLength - 1)), new Span<byte>(buffer, TaskCommLength - 1));
        Prctl(PrctlOption.PR_SET_NAME, (ulong)buffer);
    }

    /// <summary>PR_GET_TID_ADDRESS: the calling thread's clear_child_tid pointer.</summary>
    public static unsafe ulong GetTidAddress()
    {
        ulong address;
        Prctl(PrctlOption.PR_GET_TID_ADDRESS, (ulong)&address);
        return address;
    }

    /// <summary>PR_SET_MM / PR_SET_MM_MAP_SIZE: the prctl_mm_map size this kernel expects.</summary>
    public static unsafe uint GetMmMapSize()
    {
        uint size;
        Prctl(PrctlOption.PR_SET_MM, (ulong)PrSetMmOption.PR_SET_MM_MAP_SIZE, (ulong)&size);
        return size;
    }
}
