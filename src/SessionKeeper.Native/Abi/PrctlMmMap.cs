using System.Runtime.InteropServices;

namespace SessionKeeper.Native;

/// <summary>
/// <c>struct prctl_mm_map</c> for prctl(PR_SET_MM, PR_SET_MM_MAP) (linux/prctl.h).
/// </summary>
/// <remarks>
/// The kernel validates the whole map at once (every address must lie inside an existing
/// mapping, the auxv must fit its fixed array), which is why restore issues it after the
/// target's mappings exist and the host's executable is unmapped: replacing
/// <see cref="ExeFd"/> fails with EBUSY while the old executable is still mapped.
/// PR_SET_MM_MAP_SIZE reports the size the kernel expects, to be compared with
/// <see cref="Size"/> once per run.
/// </remarks>
[StructLayout(LayoutKind.Sequential)]
public struct PrctlMmMap
{
    /// <summary>sizeof(struct prctl_mm_map) on x86_64.</summary>
    public const int Size = 104;

    /// <summary>start_code</summary>
    public ulong StartCode;
    /// <summary>end_code</summary>
    public ulong EndCode;
    /// <summary>start_data</summary>
    public ulong StartData;
    /// <summary>end_data</summary>
    public ulong EndData;
    /// <summary>start_brk</summary>
    public ulong StartBrk;
    /// <summary>brk</summary>
    public ulong Brk;
    /// <summary>start_stack</summary>
    public ulong StartStack;
    /// <summary>arg_start</summary>
    public ulong ArgStart;
    /// <summary>arg_end</summary>
    public ulong ArgEnd;
    /// <summary>env_start</summary>
    public ulong EnvStart;
    /// <summary>env_end</summary>
    public ulong EnvEnd;
    /// <summary>auxv: pointer (in the calling process) to the auxiliary vector, as pairs of u64.</summary>
    public ulong Auxv;
    /// <summary>auxv_size: size of the vector at <see cref="Auxv"/> in bytes.</summary>
    public uint AuxvSize;
    /// <summary>exe_fd: an fd of the new executable, or -1 to keep the current one.</summary>
    public int ExeFd;
}
