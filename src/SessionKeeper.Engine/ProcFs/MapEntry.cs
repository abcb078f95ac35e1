namespace SessionKeeper.Engine.ProcFs;

/// <summary>The permission column of /proc/PID/maps ("rw-p").</summary>
[Flags]
public enum MapPermissions
{
    /// <summary>No access (a PROT_NONE guard or reservation).</summary>
    None = 0,
    /// <summary>'r': PROT_READ.</summary>
    Read = 1,
    /// <summary>'w': PROT_WRITE.</summary>
    Write = 2,
    /// <summary>'x': PROT_EXEC.</summary>
    Execute = 4,
    /// <summary>'s' (MAP_SHARED) rather than 'p' (private, copy-on-write).</summary>
    Shared = 8,
}

/// <summary>What the path column of a /proc/PID/maps line names.</summary>
public enum MapPathKind
{
    /// <summary>No path: private anonymous memory (mmap MAP_ANONYMOUS, or a brk area that is not the heap).</summary>
    Anonymous,
    /// <summary>A file mapping (possibly deleted, see <see cref="MapEntry.Deleted"/>).</summary>
    File,
    /// <summary>[heap]: the brk area.</summary>
    Heap,
    /// <summary>[stack]: the main thread's stack (grows down).</summary>
    Stack,
    /// <summary>[vdso]: the kernel's virtual shared object, re-created by the kernel on restore.</summary>
    Vdso,
    /// <summary>[vvar]: the vDSO data page(s).</summary>
    Vvar,
    /// <summary>[vvar_vclock]: the vDSO clock pages (kernel 6.13 and later split them from [vvar]).</summary>
    VvarVclock,
    /// <summary>[vsyscall]: the legacy fixed-address page, the same in every process.</summary>
    Vsyscall,
    /// <summary>[anon:NAME]: private anonymous memory named with prctl(PR_SET_VMA_ANON_NAME).</summary>
    AnonymousNamed,
    /// <summary>[anon_shmem:NAME]: shared anonymous memory named with prctl(PR_SET_VMA_ANON_NAME).</summary>
    SharedAnonymousNamed,
    /// <summary>"/dev/zero (deleted)": MAP_SHARED|MAP_ANONYMOUS memory, backed by an internal shmem file.</summary>
    SharedAnonymous,
    /// <summary>"/SYSVkkkkkkkk (deleted)": a SysV shm segment; the inode column is the shmid.</summary>
    SysVShm,
    /// <summary>"/memfd:NAME (deleted)": memory of a memfd_create file.</summary>
    Memfd,
    /// <summary>Another bracketed name the kernel gives special mappings ([uprobes], [sigpage], …).</summary>
    OtherSpecial,
}

/// <summary>One line of /proc/PID/maps: a virtual memory area.</summary>
public sealed class MapEntry
{
    /// <summary>First address of the area (page aligned).</summary>
    public required ulong Start { get; init; }

    /// <summary>First address after the area (exclusive).</summary>
    public required ulong End { get; init; }

    /// <summary>Access permissions and shared/private.</summary>
    public required MapPermissions Permissions { get; init; }

    /// <summary>File offset of <see cref="Start"/> (for anonymous areas the kernel shows the page offset, usually 0).</summary>
    public required ulong Offset { get; init; }

    /// <summary>Major number of the device holding the file (0 for anonymous).</summary>
    public required uint DevMajor { get; init; }

    /// <summary>Minor number of the device holding the file.</summary>
    public required uint DevMinor { get; init; }

    /// <summary>Inode of the file; for SysV shm mappings this is the shmid.</summary>
    public required ulong Inode { get; init; }

    /// <summary>
    /// The path column without a trailing " (deleted)", or null for anonymous memory. The kernel
    /// writes a '\n' in a file name as "\012" and escapes nothing else, so the text is kept as shown.
    /// </summary>
    public required string? Path { get; init; }

    /// <summary>The path ended in " (deleted)": the file was unlinked (always so for memfd, SysV shm and shared anonymous memory).</summary>
    public required bool Deleted { get; init; }

    /// <summary>The kind of mapping the path names.</summary>
    public required MapPathKind Kind { get; init; }

    /// <summary>Size in bytes.</summary>
    public ulong Size => End - Start;

    /// <summary>True for MAP_SHARED areas ('s').</summary>
    public bool IsShared => (Permissions & MapPermissions.Shared) != 0;

    /// <summary>
    /// The key of a SysV shm mapping (the hex digits after "/SYSV"), or null for other kinds.
    /// IPC_PRIVATE segments show key 0.
    /// </summary>
    public uint? SysVKey
        => Kind == MapPathKind.SysVShm
           && uint.TryParse(Path.AsSpan(5), System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture, out uint key)
            ? key
            : null;

    /// <inheritdoc/>
    public override string ToString()
        => $"{Start:x}-{End:x} {Permissions} {Offset:x} {DevMajor:x2}:{DevMinor:x2} {Inode} {Path}{(Deleted ? " (deleted)" : "")}";
}
