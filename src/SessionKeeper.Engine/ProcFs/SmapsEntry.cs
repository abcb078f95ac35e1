namespace SessionKeeper.Engine.ProcFs;

/// <summary>One block of /proc/PID/smaps: the maps line plus the counters and VmFlags of that area.</summary>
public sealed class SmapsEntry
{
    /// <summary>The area, as /proc/PID/maps shows it.</summary>
    public required MapEntry Map { get; init; }

    /// <summary>VmFlags of the area.</summary>
    public VmFlags Flags { get; set; }

    /// <summary>Size: size of the area in kB.</summary>
    public ulong SizeKb { get; set; }

    /// <summary>KernelPageSize in kB (2048 or 1048576 for hugetlb areas).</summary>
    public ulong KernelPageSizeKb { get; set; }

    /// <summary>MMUPageSize in kB.</summary>
    public ulong MmuPageSizeKb { get; set; }

    /// <summary>Rss: resident memory in kB.</summary>
    public ulong RssKb { get; set; }

    /// <summary>Pss: proportional share in kB.</summary>
    public ulong PssKb { get; set; }

    /// <summary>Shared_Clean in kB.</summary>
    public ulong SharedCleanKb { get; set; }

    /// <summary>Shared_Dirty in kB.</summary>
    public ulong SharedDirtyKb { get; set; }

    /// <summary>Private_Clean in kB.</summary>
    public ulong PrivateCleanKb { get; set; }

    /// <summary>Private_Dirty in kB.</summary>
    public ulong PrivateDirtyKb { get; set; }

    /// <summary>Anonymous: resident pages that belong to no file (including COW'd pages of private file maps), in kB.</summary>
    public ulong AnonymousKb { get; set; }

    /// <summary>AnonHugePages in kB.</summary>
    public ulong AnonHugePagesKb { get; set; }

    /// <summary>Swap: swapped-out anonymous pages in kB.</summary>
    public ulong SwapKb { get; set; }

    /// <summary>Locked (mlocked) in kB.</summary>
    public ulong LockedKb { get; set; }

    /// <summary>Shared_Hugetlb in kB.</summary>
    public ulong SharedHugetlbKb { get; set; }

    /// <summary>Private_Hugetlb in kB.</summary>
    public ulong PrivateHugetlbKb { get; set; }

    /// <summary>THPeligible: the area could use transparent huge pages.</summary>
    public bool ThpEligible { get; set; }

    /// <summary>ProtectionKey (only on machines with memory protection keys), or null.</summary>
    public int? ProtectionKey { get; set; }

    /// <summary>True for hugetlb areas, whose pages the dumper must read and map in huge page units.</summary>
    public bool IsHugeTlb => (Flags & VmFlags.HugeTlb) != 0;
}
