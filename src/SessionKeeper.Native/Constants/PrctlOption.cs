namespace SessionKeeper.Native;

/// <summary>
/// prctl(2) options (linux/prctl.h). Most are issued inside tracees as injected system calls;
/// the values are what matter.
/// </summary>
public enum PrctlOption
{
    /// <summary>PR_SET_PDEATHSIG: signal sent when the parent thread dies.</summary>
    PR_SET_PDEATHSIG = 1,
    /// <summary>PR_GET_PDEATHSIG</summary>
    PR_GET_PDEATHSIG = 2,
    /// <summary>PR_GET_DUMPABLE</summary>
    PR_GET_DUMPABLE = 3,
    /// <summary>PR_SET_DUMPABLE</summary>
    PR_SET_DUMPABLE = 4,
    /// <summary>PR_GET_KEEPCAPS</summary>
    PR_GET_KEEPCAPS = 7,
    /// <summary>PR_SET_KEEPCAPS</summary>
    PR_SET_KEEPCAPS = 8,
    /// <summary>PR_SET_NAME: the thread's comm, at most 15 bytes plus NUL.</summary>
    PR_SET_NAME = 15,
    /// <summary>PR_GET_NAME: into a 16-byte buffer.</summary>
    PR_GET_NAME = 16,
    /// <summary>PR_GET_SECCOMP</summary>
    PR_GET_SECCOMP = 21,
    /// <summary>PR_SET_SECCOMP</summary>
    PR_SET_SECCOMP = 22,
    /// <summary>PR_CAPBSET_READ</summary>
    PR_CAPBSET_READ = 23,
    /// <summary>PR_CAPBSET_DROP</summary>
    PR_CAPBSET_DROP = 24,
    /// <summary>PR_GET_SECUREBITS</summary>
    PR_GET_SECUREBITS = 27,
    /// <summary>PR_SET_SECUREBITS</summary>
    PR_SET_SECUREBITS = 28,
    /// <summary>PR_SET_TIMERSLACK</summary>
    PR_SET_TIMERSLACK = 29,
    /// <summary>PR_GET_TIMERSLACK</summary>
    PR_GET_TIMERSLACK = 30,
    /// <summary>PR_SET_MM: change mm fields (<see cref="PrSetMmOption"/>); needs CAP_SYS_RESOURCE.</summary>
    PR_SET_MM = 35,
    /// <summary>PR_SET_CHILD_SUBREAPER: orphaned descendants are reparented to this process instead of init.</summary>
    PR_SET_CHILD_SUBREAPER = 36,
    /// <summary>PR_GET_CHILD_SUBREAPER</summary>
    PR_GET_CHILD_SUBREAPER = 37,
    /// <summary>PR_SET_NO_NEW_PRIVS</summary>
    PR_SET_NO_NEW_PRIVS = 38,
    /// <summary>PR_GET_NO_NEW_PRIVS</summary>
    PR_GET_NO_NEW_PRIVS = 39,
    /// <summary>PR_GET_TID_ADDRESS: the clear_child_tid pointer (set_tid_address), stored through arg2.</summary>
    PR_GET_TID_ADDRESS = 40,
    /// <summary>PR_SET_THP_DISABLE</summary>
    PR_SET_THP_DISABLE = 41,
    /// <summary>PR_GET_THP_DISABLE</summary>
    PR_GET_THP_DISABLE = 42,
    /// <summary>PR_CAP_AMBIENT</summary>
    PR_CAP_AMBIENT = 47,
    /// <summary>PR_GET_SPECULATION_CTRL</summary>
    PR_GET_SPECULATION_CTRL = 52,
    /// <summary>PR_SET_SPECULATION_CTRL</summary>
    PR_SET_SPECULATION_CTRL = 53,
    /// <summary>
    /// PR_TIMER_CREATE_RESTORE_IDS (Linux 6.15+): with arg2 = 1, timer_create takes the timer id
    /// to create from its third argument instead of choosing one (EBUSY when taken); arg2 = 0
    /// turns it off, 2 asks for the current state.
    /// </summary>
    PR_TIMER_CREATE_RESTORE_IDS = 77,
    /// <summary>PR_SET_PTRACER: allow a process to ptrace this one under Yama.</summary>
    PR_SET_PTRACER = 0x59616d61,
    /// <summary>PR_SET_VMA: name anonymous mappings (arg2 PR_SET_VMA_ANON_NAME = 0).</summary>
    PR_SET_VMA = 0x53564d41,
}

/// <summary>Second argument of prctl(PR_SET_MM, …) (linux/prctl.h PR_SET_MM_*).</summary>
public enum PrSetMmOption
{
    /// <summary>PR_SET_MM_START_CODE</summary>
    PR_SET_MM_START_CODE = 1,
    /// <summary>PR_SET_MM_END_CODE</summary>
    PR_SET_MM_END_CODE = 2,
    /// <summary>PR_SET_MM_START_DATA</summary>
    PR_SET_MM_START_DATA = 3,
    /// <summary>PR_SET_MM_END_DATA</summary>
    PR_SET_MM_END_DATA = 4,
    /// <summary>PR_SET_MM_START_STACK</summary>
    PR_SET_MM_START_STACK = 5,
    /// <summary>PR_SET_MM_START_BRK</summary>
    PR_SET_MM_START_BRK = 6,
    /// <summary>PR_SET_MM_BRK</summary>
    PR_SET_MM_BRK = 7,
    /// <summary>PR_SET_MM_ARG_START</summary>
    PR_SET_MM_ARG_START = 8,
    /// <summary>PR_SET_MM_ARG_END</summary>
    PR_SET_MM_ARG_END = 9,
    /// <summary>PR_SET_MM_ENV_START</summary>
    PR_SET_MM_ENV_START = 10,
    /// <summary>PR_SET_MM_ENV_END</summary>
    PR_SET_MM_ENV_END = 11,
    /// <summary>PR_SET_MM_AUXV</summary>
    PR_SET_MM_AUXV = 12,
    /// <summary>PR_SET_MM_EXE_FILE</summary>
    PR_SET_MM_EXE_FILE = 13,
    /// <summary>PR_SET_MM_MAP: all fields at once from a <see cref="PrctlMmMap"/> (arg3 pointer, arg4 size).</summary>
    PR_SET_MM_MAP = 14,
    /// <summary>PR_SET_MM_MAP_SIZE: stores sizeof(struct prctl_mm_map) through arg3.</summary>
    PR_SET_MM_MAP_SIZE = 15,
}

/// <summary>arch_prctl(2) codes (asm/prctl.h, x86).</summary>
public enum ArchPrctlCode
{
    /// <summary>ARCH_SET_GS</summary>
    ARCH_SET_GS = 0x1001,
    /// <summary>ARCH_SET_FS</summary>
    ARCH_SET_FS = 0x1002,
    /// <summary>ARCH_GET_FS: stores fs_base through the pointer argument.</summary>
    ARCH_GET_FS = 0x1003,
    /// <summary>ARCH_GET_GS</summary>
    ARCH_GET_GS = 0x1004,
    /// <summary>ARCH_GET_CPUID</summary>
    ARCH_GET_CPUID = 0x1011,
    /// <summary>ARCH_SET_CPUID</summary>
    ARCH_SET_CPUID = 0x1012,
    /// <summary>ARCH_GET_XCOMP_SUPP: supported xfeatures mask.</summary>
    ARCH_GET_XCOMP_SUPP = 0x1021,
    /// <summary>ARCH_GET_XCOMP_PERM: permitted xfeatures (AMX needs a request).</summary>
    ARCH_GET_XCOMP_PERM = 0x1022,
    /// <summary>ARCH_REQ_XCOMP_PERM</summary>
    ARCH_REQ_XCOMP_PERM = 0x1023,
    /// <summary>ARCH_MAP_VDSO_X32</summary>
    ARCH_MAP_VDSO_X32 = 0x2001,
    /// <summary>ARCH_MAP_VDSO_32</summary>
    ARCH_MAP_VDSO_32 = 0x2002,
    /// <summary>
    /// ARCH_MAP_VDSO_64: maps vvar+vdso at the given address and returns the vDSO size; if
    /// the range is busy the kernel quietly maps elsewhere, so callers check /proc/PID/maps.
    /// </summary>
    ARCH_MAP_VDSO_64 = 0x2003,
    /// <summary>ARCH_SHSTK_ENABLE</summary>
    ARCH_SHSTK_ENABLE = 0x5001,
    /// <summary>ARCH_SHSTK_DISABLE</summary>
    ARCH_SHSTK_DISABLE = 0x5002,
    /// <summary>ARCH_SHSTK_LOCK</summary>
    ARCH_SHSTK_LOCK = 0x5003,
    /// <summary>ARCH_SHSTK_UNLOCK</summary>
    ARCH_SHSTK_UNLOCK = 0x5004,
    /// <summary>ARCH_SHSTK_STATUS</summary>
    ARCH_SHSTK_STATUS = 0x5005,
}
