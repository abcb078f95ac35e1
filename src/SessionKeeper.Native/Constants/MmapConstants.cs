namespace SessionKeeper.Native;

/// <summary>mmap(2) protection bits (asm-generic/mman-common.h).</summary>
[Flags]
public enum MmapProt : uint
{
    /// <summary>PROT_NONE.</summary>
    PROT_NONE = 0,
    /// <summary>PROT_READ.</summary>
    PROT_READ = 0x1,
    /// <summary>PROT_WRITE.</summary>
    PROT_WRITE = 0x2,
    /// <summary>PROT_EXEC.</summary>
    PROT_EXEC = 0x4,
}

/// <summary>mmap(2) flags on x86_64 (asm-generic/mman-common.h, asm/mman.h).</summary>
[Flags]
public enum MmapFlags : uint
{
    /// <summary>MAP_SHARED.</summary>
    MAP_SHARED = 0x01,
    /// <summary>MAP_PRIVATE.</summary>
    MAP_PRIVATE = 0x02,
    /// <summary>MAP_FIXED: replaces whatever is mapped there.</summary>
    MAP_FIXED = 0x10,
    /// <summary>MAP_ANONYMOUS.</summary>
    MAP_ANONYMOUS = 0x20,
    /// <summary>MAP_GROWSDOWN: a stack that grows into the guard gap below it.</summary>
    MAP_GROWSDOWN = 0x100,
    /// <summary>MAP_LOCKED.</summary>
    MAP_LOCKED = 0x2000,
    /// <summary>MAP_NORESERVE.</summary>
    MAP_NORESERVE = 0x4000,
    /// <summary>MAP_POPULATE: fault every page in at once, inside the mmap call.</summary>
    MAP_POPULATE = 0x8000,
    /// <summary>MAP_FIXED_NOREPLACE: at exactly that address, failing with EEXIST instead of replacing a mapping.</summary>
    MAP_FIXED_NOREPLACE = 0x100000,
}
