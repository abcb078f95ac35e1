using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using SessionKeeper.Native;

namespace SessionKeeper.Engine.ProcFs;

/// <summary>One 64-bit entry of /proc/PID/pagemap (Documentation/admin-guide/mm/pagemap.rst).</summary>
/// <param name="Raw">The entry as the kernel wrote it.</param>
public readonly record struct PagemapEntry(ulong Raw)
{
    /// <summary>Bit 63: the page is present in RAM.</summary>
    public bool Present => (Raw & (1UL << 63)) != 0;

    /// <summary>Bit 62: the page is swapped out.</summary>
    public bool Swapped => (Raw & (1UL << 62)) != 0;

    /// <summary>Bit 61: the page is a file page or shared anonymous (shmem); clear for a COW'd private copy.</summary>
    public bool FileOrSharedAnonymous => (Raw & (1UL << 61)) != 0;

    /// <summary>Bit 58: the address is a guard region (MADV_GUARD_INSTALL).</summary>
    public bool Guard => (Raw & (1UL << 58)) != 0;

    /// <summary>Bit 57: the PTE is userfaultfd write-protected.</summary>
    public bool UffdWriteProtected => (Raw & (1UL << 57)) != 0;

    /// <summary>Bit 56: the page is mapped by this process only.</summary>
    public bool ExclusivelyMapped => (Raw & (1UL << 56)) != 0;

    /// <summary>Bit 55: the PTE is soft-dirty (always clear without CONFIG_MEM_SOFT_DIRTY, as on our machines).</summary>
    public bool SoftDirty => (Raw & (1UL << 55)) != 0;

    /// <summary>Bits 0-54 of a present page: the page frame number (zero unless the reader has CAP_SYS_ADMIN).</summary>
    public ulong Pfn => Present ? Raw & ((1UL << 55) - 1) : 0;

    /// <summary>Bits 0-4 of a swapped page: the swap type.</summary>
    public uint SwapType => Swapped ? (uint)(Raw & 0x1f) : 0;

    /// <summary>Bits 5-54 of a swapped page: the swap offset.</summary>
    public ulong SwapOffset => Swapped ? (Raw >> 5) & ((1UL << 50) - 1) : 0;
}

/// <summary>A run of consecutive pages, by address.</summary>
/// <param name="Start">Address of the first page.</param>
/// <param name="PageCount">Number of pages in the run.</param>
public readonly record struct PageRun(ulong Start, ulong PageCount)
{
    /// <summary>The first address after the run, for a given page size.</summary>
    public ulong End(int pageSize) => Start + (PageCount * (ulong)pageSize);
}

/// <summary>Which pages of an area the dump keeps (DESIGN.md §4 Memory).</summary>
public enum PageSavePolicy
{
    /// <summary>
    /// None: shared mappings (the file or the shared object holds the data, saved once per
    /// object elsewhere), the kernel's own vDSO/vvar/vsyscall pages, and I/O or PFN maps.
    /// </summary>
    None,

    /// <summary>Private anonymous memory: every present or swapped page.</summary>
    PresentOrSwapped,

    /// <summary>
    /// Private file mappings: only pages the process changed. A written page is a private
    /// anonymous copy, present without bit 61; an unwritten page is the file's page cache
    /// (bit 61) and is read back from the file on restore. A swapped page can only be a copy.
    /// </summary>
    CopiedOrSwapped,
}

/// <summary>
/// Reads /proc/PID/pagemap: one 8-byte entry per virtual page, at file offset (address / page size) * 8.
/// </summary>
/// <remarks>
/// Every area is read with one pread into a pooled buffer; only an area larger than
/// <see cref="MaxEntriesPerRead"/> pages (a big reservation, mostly never touched) is read in
/// slices, so the buffer stays bounded. Entries are only stable while the tree is frozen.
/// </remarks>
public sealed class PagemapReader : IDisposable
{
    /// <summary>The most entries one pread asks for: 4 GiB of address space, a 8 MiB buffer.</summary>
    public const int MaxEntriesPerRead = 1 << 20;

    private readonly SafeFd _fd;
    private ulong[]? _buffer;

    private PagemapReader(int pid, SafeFd fd)
    {
        Pid = pid;
        _fd = fd;
    }

    /// <summary>The process whose pagemap this reads.</summary>
    public int Pid { get; }

    /// <summary>The page size the entries are indexed by.</summary>
    public static int PageSize { get; } = Environment.SystemPageSize;

    /// <summary>Opens /proc/PID/pagemap; false when the process is gone.</summary>
    public static bool TryOpen(int pid, [NotNullWhen(true)] out PagemapReader? reader)
    {
        reader = null;
        try
        {
            SafeFd? fd = Interop.TryOpen($"/proc/{pid}/pagemap", OpenFlags.O_RDONLY);
            if (fd is null)
            {
                return false;
            }
            reader = new PagemapReader(pid, fd);
            return true;
        }
        catch (ErrnoException e) when (ProcFsReader.IsGone(e.Errno))
        {
            return false;
        }
    }

    /// <summary>
    /// Reads the entries of the pages from <paramref name="start"/> into <paramref name="destination"/>
    /// (one entry per page, as many as fit). Returns the number read: fewer at the end of the
    /// address space, 0 when the process has exited.
    /// </summary>
    public int ReadEntries(ulong start, Span<ulong> destination)
    {
        Span<byte> bytes = MemoryMarshal.AsBytes(destination);
        long offset = (long)(start / (ulong)PageSize * sizeof(ulong));
        try
        {
            // pagemap_read fills the whole request unless the address space ends; reading on
            // only guards against a short read the interface does not promise to avoid.
            return Interop.PreadAll(_fd, bytes, offset) / sizeof(ulong);
        }
        catch (ErrnoException e) when (ProcFsReader.IsGone(e.Errno))
        {
            return 0;
        }
    }

    /// <summary>
    /// Appends to <paramref name="runs"/> the pages of <paramref name="area"/> the dump must save,
    /// per <see cref="PolicyFor(MapEntry)"/>; returns the number of pages appended.
    /// </summary>
    public ulong CollectPagesToSave(MapEntry area, List<PageRun> runs) => CollectPagesToSave(area.Start, area.End, PolicyFor(area), runs);

    /// <summary>Like <see cref="CollectPagesToSave(MapEntry, List{PageRun})"/>, also honouring the area's VmFlags.</summary>
    public ulong CollectPagesToSave(SmapsEntry area, List<PageRun> runs) => CollectPagesToSave(area.Map.Start, area.Map.End, PolicyFor(area), runs);

    /// <summary>Appends the pages of [start, end) selected by <paramref name="policy"/>; returns the page count appended.</summary>
    public ulong CollectPagesToSave(ulong start, ulong end, PageSavePolicy policy, List<PageRun> runs)
    {
        if (policy == PageSavePolicy.None || end <= start)
        {
            return 0;
        }
        ulong pages = (end - start) / (ulong)PageSize;
        int capacity = (int)Math.Min(pages, MaxEntriesPerRead);
        if (_buffer is null || _buffer.Length < capacity)
        {
            if (_buffer is not null)
            {
                ArrayPool<ulong>.Shared.Return(_buffer);
            }
            _buffer = ArrayPool<ulong>.Shared.Rent(capacity);
        }
        ulong saved = 0;
        ulong address = start;
        while (address < end)
        {
            int want = (int)Math.Min((end - address) / (ulong)PageSize, (ulong)capacity);
            int got = ReadEntries(address, _buffer.AsSpan(0, want));
            saved += AppendPagesToSave(address, _buffer.AsSpan(0, got), policy, runs);
            if (got < want)
            {
                break;
            }
            address += (ulong)got * (ulong)PageSize;
        }
        return saved;
    }

    /// <summary>The page policy for an area from its maps line (DESIGN.md §4).</summary>
    public static PageSavePolicy PolicyFor(MapEntry area)
    {
        if (area.IsShared)
        {
            return PageSavePolicy.None;
        }
        return area.Kind switch
        {
            // The kernel maps these anew in every process; their contents are its own.
            MapPathKind.Vdso or MapPathKind.Vvar or MapPathKind.VvarVclock or MapPathKind.Vsyscall => PageSavePolicy.None,
            MapPathKind.Anonymous or MapPathKind.Heap or MapPathKind.Stack or MapPathKind.AnonymousNamed => PageSavePolicy.PresentOrSwapped,
            // A private mapping of a file (also of a memfd or /dev/zero): unwritten pages come back from the file.
            _ => PageSavePolicy.CopiedOrSwapped,
        };
    }

    /// <summary>The page policy for an area from its smaps block: as for maps, but nothing from I/O or PFN maps.</summary>
    public static PageSavePolicy PolicyFor(SmapsEntry area)
        => (area.Flags & (VmFlags.Io | VmFlags.PfnMap)) != 0 ? PageSavePolicy.None : PolicyFor(area.Map);

    /// <summary>
    /// Appends the pages of <paramref name="entries"/> (the pagemap entries of consecutive pages
    /// from <paramref name="start"/>) that <paramref name="policy"/> keeps, as runs. A run that
    /// continues the last run in <paramref name="runs"/> extends it. Returns the pages appended.
    /// </summary>
    public static ulong AppendPagesToSave(ulong start, ReadOnlySpan<ulong> entries, PageSavePolicy policy, List<PageRun> runs)
    {
        const ulong present = 1UL << 63;
        const ulong swapped = 1UL << 62;
        const ulong fileOrShared = 1UL << 61;
        if (policy == PageSavePolicy.None)
        {
            return 0;
        }
        ulong pageSize = (ulong)PageSize;
        ulong saved = 0;
        int i = 0;
        while (i < entries.Length)
        {
            if (!Keep(entries[i], policy))
            {
                i++;
                continue;
            }
            int first = i;
            while (i < entries.Length && Keep(entries[i], policy))
            {
                i++;
            }
            ulong runStart = start + ((ulong)first * pageSize);
            ulong count = (ulong)(i - first);
            saved += count;
            if (runs.Count > 0 && runs[^1].End(PageSize) == runStart)
            {
                runs[^1] = runs[^1] with { PageCount = runs[^1].PageCount + count };
            }
            else
            {
                runs.Add(new PageRun(runStart, count));
            }
        }
        return saved;

        static bool Keep(ulong entry, PageSavePolicy policy) => policy switch
        {
            PageSavePolicy.PresentOrSwapped => (entry & (present | swapped)) != 0,
            PageSavePolicy.CopiedOrSwapped => (entry & swapped) != 0 || (entry & (present | fileOrShared)) == present,
            _ => false,
        };
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _fd.Dispose();
        if (_buffer is not null)
        {
            ArrayPool<ulong>.Shared.Return(_buffer);
            _buffer = null;
        }
    }
}
