namespace SessionKeeper.Engine.ProcFs;

/// <summary>
/// The two-letter codes of the VmFlags line of /proc/PID/smaps (Documentation/filesystems/proc.rst).
/// Bit positions are ours, not the kernel's VM_* values, which differ between versions.
/// </summary>
[Flags]
public enum VmFlags : ulong
{
    /// <summary>No flag.</summary>
    None = 0,
    /// <summary>rd: readable.</summary>
    Read = 1UL << 0,
    /// <summary>wr: writable.</summary>
    Write = 1UL << 1,
    /// <summary>ex: executable.</summary>
    Exec = 1UL << 2,
    /// <summary>sh: shared (VM_SHARED).</summary>
    Shared = 1UL << 3,
    /// <summary>mr: may read.</summary>
    MayRead = 1UL << 4,
    /// <summary>mw: may write.</summary>
    MayWrite = 1UL << 5,
    /// <summary>me: may execute.</summary>
    MayExec = 1UL << 6,
    /// <summary>ms: may share.</summary>
    MayShare = 1UL << 7,
    /// <summary>gd: stack segment grows down (MAP_GROWSDOWN).</summary>
    GrowsDown = 1UL << 8,
    /// <summary>pf: pure PFN range (VM_PFNMAP): device memory without struct pages, unreadable through pagemap.</summary>
    PfnMap = 1UL << 9,
    /// <summary>dw: writes to the mapped file disabled (older kernels).</summary>
    DenyWrite = 1UL << 10,
    /// <summary>lo: pages locked in memory (mlock).</summary>
    Locked = 1UL << 11,
    /// <summary>io: memory-mapped I/O area.</summary>
    Io = 1UL << 12,
    /// <summary>sr: sequential read advised (MADV_SEQUENTIAL).</summary>
    SequentialRead = 1UL << 13,
    /// <summary>rr: random read advised (MADV_RANDOM).</summary>
    RandomRead = 1UL << 14,
    /// <summary>dc: do not copy on fork (MADV_DONTFORK).</summary>
    DontCopy = 1UL << 15,
    /// <summary>de: do not expand on mremap.</summary>
    DontExpand = 1UL << 16,
    /// <summary>ac: area is accountable.</summary>
    Accountable = 1UL << 17,
    /// <summary>nr: swap space not reserved (MAP_NORESERVE).</summary>
    NoReserve = 1UL << 18,
    /// <summary>ht: hugetlb pages.</summary>
    HugeTlb = 1UL << 19,
    /// <summary>sf: synchronous page faults (MAP_SYNC).</summary>
    SyncFault = 1UL << 20,
    /// <summary>nl: non-linear mapping (old kernels).</summary>
    NonLinear = 1UL << 21,
    /// <summary>ar: architecture specific flag.</summary>
    ArchSpecific = 1UL << 22,
    /// <summary>wf: wipe on fork (MADV_WIPEONFORK).</summary>
    WipeOnFork = 1UL << 23,
    /// <summary>dd: not included in core dumps (MADV_DONTDUMP).</summary>
    DontDump = 1UL << 24,
    /// <summary>sd: soft-dirty tracking.</summary>
    SoftDirty = 1UL << 25,
    /// <summary>mm: mixed map.</summary>
    MixedMap = 1UL << 26,
    /// <summary>hg: huge pages advised (MADV_HUGEPAGE).</summary>
    HugePage = 1UL << 27,
    /// <summary>nh: no huge pages (MADV_NOHUGEPAGE).</summary>
    NoHugePage = 1UL << 28,
    /// <summary>mg: mergeable (MADV_MERGEABLE, KSM).</summary>
    Mergeable = 1UL << 29,
    /// <summary>bt: arm64 BTI guarded page.</summary>
    BtiGuarded = 1UL << 30,
    /// <summary>mt: arm64 MTE allocation tags.</summary>
    MteTagged = 1UL << 31,
    /// <summary>um: userfaultfd missing-page tracking.</summary>
    UffdMissing = 1UL << 32,
    /// <summary>uw: userfaultfd write-protect tracking.</summary>
    UffdWriteProtect = 1UL << 33,
    /// <summary>ui: userfaultfd minor-fault tracking.</summary>
    UffdMinor = 1UL << 34,
    /// <summary>ss: shadow stack page.</summary>
    ShadowStack = 1UL << 35,
    /// <summary>sl: sealed (mseal).</summary>
    Sealed = 1UL << 36,
    /// <summary>lf: lock on fault (mlock2 MLOCK_ONFAULT).</summary>
    LockOnFault = 1UL << 37,
    /// <summary>dp: always lazily freeable (MADV_FREE droppable).</summary>
    Droppable = 1UL << 38,
    /// <summary>gu: the area has guard regions (MADV_GUARD_INSTALL).</summary>
    GuardRegions = 1UL << 39,
    /// <summary>A code this reader does not know; kept so that a new kernel flag is visible, not lost.</summary>
    Unknown = 1UL << 63,
}
