using System.Runtime.InteropServices;

namespace SessionKeeper.Native;

public static partial class Interop
{
    // cpu_set_t as glibc defines it: 1024 CPUs.
    private const int CpuSetWords = 1024 / 64;

    [LibraryImport(Libc, EntryPoint = "sched_getaffinity", SetLastError = true)]
    private static unsafe partial int SchedGetAffinityRaw(int tid, nuint size, ulong* mask);

    [LibraryImport(Libc, EntryPoint = "sched_setaffinity", SetLastError = true)]
    private static unsafe partial int SchedSetAffinityRaw(int tid, nuint size, ulong* mask);

    [LibraryImport(Libc, EntryPoint = "sched_getcpu")]
    private static partial int SchedGetCpuRaw();

    /// <summary>sched_getcpu(3): the CPU the calling thread runs on now, or -1.</summary>
    public static int CurrentCpu() => SchedGetCpuRaw();

    /// <summary>sched_getaffinity(2) of <paramref name="tid"/> (0: the calling thread); null when refused.</summary>
    public static unsafe ulong[]? TryGetAffinity(int tid)
    {
        ulong[] mask = new ulong[CpuSetWords];
        fixed (ulong* p = mask)
        {
            return SchedGetAffinityRaw(tid, (nuint)(mask.Length * sizeof(ulong)), p) < 0 ? null : mask;
        }
    }

    /// <summary>sched_setaffinity(2) of <paramref name="tid"/> (0: the calling thread); false when refused.</summary>
    public static unsafe bool TrySetAffinity(int tid, ReadOnlySpan<ulong> mask)
    {
        fixed (ulong* p = mask)
        {
            return SchedSetAffinityRaw(tid, (nuint)(mask.Length * sizeof(ulong)), p) == 0;
        }
    }

    /// <summary>A mask of the one CPU <paramref name="cpu"/>.</summary>
    public static ulong[] SingleCpuMask(int cpu)
    {
        ulong[] mask = new ulong[CpuSetWords];
        mask[cpu / 64] = 1UL << (cpu % 64);
        return mask;
    }
}
