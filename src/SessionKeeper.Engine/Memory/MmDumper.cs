using SessionKeeper.Engine.ProcFs;
using SessionKeeper.Native;
using V1 = SessionKeeper.Images.V1;

namespace SessionKeeper.Engine.Memory;

/// <summary>
/// The address space of one frozen process: the mm image (mm_struct fields, auxv, every VMA)
/// and the saved pages, copied into a <see cref="PageBuffer"/> while the tree is frozen
/// (DESIGN.md §4 Memory). Which pages are kept depends on what backs each VMA: anonymous
/// private memory keeps every present or swapped page, private file mappings only their
/// copy-on-write pages, shared file mappings and the kernel's own mappings nothing, shared
/// anonymous memory its whole contents once per object for the whole tree.
/// </summary>
public sealed class MmDumper : IDisposable
{
    private readonly int _pid;
    private readonly Dictionary<(ulong Dev, ulong Ino), V1.FileIdentity?> _identities = [];

    private MmDumper(int pid, PageMemoryReserve? reserve)
    {
        _pid = pid;
        Pages = new PageBuffer(reserve);
    }

    /// <summary>The mm image.</summary>
    public V1.Mm Mm { get; } = new();

    /// <summary>One entry per saved run of pages, by address; offsets point into <see cref="Pages"/>.</summary>
    public List<V1.PagemapEntry> Pagemap { get; } = [];

    /// <summary>The saved page contents, in the order of <see cref="Pagemap"/>.</summary>
    public PageBuffer Pages { get; }

    /// <summary>Pages saved.</summary>
    public long PageCount => Pages.Length / PageBuffer.PageSize;

    /// <summary>process_vm_readv calls made to copy the pages.</summary>
    public int VectoredCalls { get; private set; }

    /// <summary>
    /// Checks the mappings of <paramref name="pid"/> for kinds this dumper cannot save yet and
    /// throws <see cref="Dump.UnsupportedObjectException"/> for the first one; runs before
    /// anything is written. Returns the smaps entries for <see cref="Collect"/>.
    /// </summary>
    public static List<SmapsEntry> CheckMappings(int pid)
    {
        if (!ProcFsReader.TryReadSmaps(pid, out List<SmapsEntry> smaps))
        {
            return [];
        }
        foreach (SmapsEntry area in smaps)
        {
            MapEntry map = area.Map;
            string range = $"{map.Start:x}-{map.End:x} {map.Path}";
            switch (map.Kind)
            {
                case MapPathKind.SysVShm:
                    throw new Dump.UnsupportedObjectException(pid, null, "SysV shared memory mapping", range);
                case MapPathKind.Memfd:
                    throw new Dump.UnsupportedObjectException(pid, null, "memfd mapping", range);
                case MapPathKind.OtherSpecial:
                    throw new Dump.UnsupportedObjectException(pid, null, "special mapping", range);
                case MapPathKind.File when map.Deleted:
                    // The file's contents would have to be saved; that comes with deleted-file support.
                    throw new Dump.UnsupportedObjectException(pid, null, "mapping of a deleted file", range);
            }
            if (area.IsHugeTlb)
            {
                throw new Dump.UnsupportedObjectException(pid, null, "hugetlbfs mapping", range);
            }
        }
        return smaps;
    }

    /// <summary>
    /// Builds the mm image and copies the pages of <paramref name="pid"/>; the tree must be
    /// frozen. <paramref name="sharedSeen"/> is shared by every process of the tree: shared
    /// anonymous memory already saved through another process is not saved again. The pages
    /// go into memory from <paramref name="reserve"/> when there is one (see <see cref="PageBuffer"/>).
    /// </summary>
    public static MmDumper Collect(int pid, List<SmapsEntry> smaps, ProcStat stat, ulong brk, HashSet<(ulong Inode, ulong Offset, ulong Size)> sharedSeen, PageMemoryReserve? reserve = null)
    {
        var dumper = new MmDumper(pid, reserve);
        try
        {
            dumper.Fill(smaps, stat, brk, sharedSeen);
            return dumper;
        }
        catch
        {
            dumper.Dispose();
            throw;
        }
    }

    private void Fill(List<SmapsEntry> smaps, ProcStat stat, ulong brk, HashSet<(ulong Inode, ulong Offset, ulong Size)> sharedSeen)
    {
        V1.Mm mm = Mm;
        mm.Pid = (uint)_pid;
        mm.StartCode = stat.StartCode;
        mm.EndCode = stat.EndCode;
        mm.StartData = stat.StartData;
        mm.EndData = stat.EndData;
        mm.StartBrk = stat.StartBrk;
        mm.Brk = brk;
        mm.StartStack = stat.StartStack;
        mm.ArgStart = stat.ArgStart;
        mm.ArgEnd = stat.ArgEnd;
        mm.EnvStart = stat.EnvStart;
        mm.EnvEnd = stat.EnvEnd;
        if (ProcFsReader.TryReadAuxv(_pid, out List<ProcFs.AuxvEntry> auxv))
        {
            foreach (ProcFs.AuxvEntry entry in auxv)
            {
                if (entry.Type == ProcFs.AuxvEntry.AtNull)
                {
                    break;
                }
                mm.Auxv.Add(new V1.AuxvEntry { Type = entry.Type, Value = entry.Value });
            }
        }
        if (ProcFsReader.TryReadExe(_pid, out string exe))
        {
            mm.ExeFile = ExeRef(exe);
            // The identity of the file actually executed, even if its path was replaced since.
            try
            {
                using SafeFd? fd = Interop.TryOpen($"/proc/{_pid}/exe", OpenFlags.O_PATH);
                if (fd is not null)
                {
                    mm.ExeFile.Identity = Dump.FilesDumper.Identity(Interop.Fstat(fd));
                }
            }
            catch (ErrnoException)
            {
            }
        }

        if (!PagemapReader.TryOpen(_pid, out PagemapReader? pagemap))
        {
            return;
        }
        using (pagemap)
        using (var reader = new RemoteMemoryReader(_pid))
        {
            var runs = new List<PageRun>();
            foreach (SmapsEntry area in smaps)
            {
                V1.Vma vma = Describe(area);
                mm.Vmas.Add(vma);

                runs.Clear();
                if (vma.Kind == V1.VmaKind.AnonShared)
                {
                    // Whole contents once per shmem object: the pages may be resident in the
                    // object without being mapped in this process, which pagemap cannot show.
                    if (sharedSeen.Add((area.Map.Inode, area.Map.Offset, area.Map.Size)))
                    {
                        runs.Add(new PageRun(area.Map.Start, area.Map.Size / (ulong)PageBuffer.PageSize));
                    }
                }
                else
                {
                    pagemap.CollectPagesToSave(area, runs);
                }
                foreach (PageRun run in runs)
                {
                    long offset = Pages.Append((long)run.PageCount);
                    reader.Enqueue(run.Start, (long)run.PageCount, Pages, offset);
                    Pagemap.Add(new V1.PagemapEntry
                    {
                        Vaddr = run.Start,
                        NrPages = checked((uint)run.PageCount),
                        Content = new V1.ContentRef { PagesOffset = (ulong)offset },
                    });
                }
            }
            reader.Flush();
            VectoredCalls = reader.VectoredCalls;
        }
    }

    private V1.Vma Describe(SmapsEntry area)
    {
        MapEntry map = area.Map;
        VmFlags flags = area.Flags;
        var vma = new V1.Vma
        {
            Start = map.Start,
            End = map.End,
            Pgoff = map.Offset,
            Prot = ((map.Permissions & MapPermissions.Read) != 0 ? 1u : 0)
                 | ((map.Permissions & MapPermissions.Write) != 0 ? 2u : 0)
                 | ((map.Permissions & MapPermissions.Execute) != 0 ? 4u : 0),
            Kind = map.Kind switch
            {
                MapPathKind.Anonymous or MapPathKind.AnonymousNamed => map.IsShared ? V1.VmaKind.AnonShared : V1.VmaKind.AnonPrivate,
                MapPathKind.SharedAnonymous or MapPathKind.SharedAnonymousNamed => V1.VmaKind.AnonShared,
                MapPathKind.Heap => V1.VmaKind.Heap,
                MapPathKind.Stack => V1.VmaKind.Stack,
                MapPathKind.Vdso => V1.VmaKind.Vdso,
                MapPathKind.Vvar => V1.VmaKind.Vvar,
                MapPathKind.VvarVclock => V1.VmaKind.VvarVclock,
                MapPathKind.Vsyscall => V1.VmaKind.Vsyscall,
                MapPathKind.File => map.IsShared ? V1.VmaKind.FileShared : V1.VmaKind.FilePrivate,
                _ => V1.VmaKind.Unspecified,
            },
            Madvise = Madvise(flags),
        };
        bool anonymous = vma.Kind is V1.VmaKind.AnonPrivate or V1.VmaKind.AnonShared or V1.VmaKind.Heap or V1.VmaKind.Stack;
        vma.Flags = (uint)((map.IsShared ? MmapFlags.MAP_SHARED : MmapFlags.MAP_PRIVATE)
                  | (anonymous ? MmapFlags.MAP_ANONYMOUS : 0)
                  | ((flags & VmFlags.GrowsDown) != 0 ? MmapFlags.MAP_GROWSDOWN : 0)
                  | ((flags & VmFlags.Locked) != 0 ? MmapFlags.MAP_LOCKED : 0)
                  | ((flags & VmFlags.NoReserve) != 0 ? MmapFlags.MAP_NORESERVE : 0));
        if (vma.Kind == V1.VmaKind.AnonShared)
        {
            vma.ShmemId = map.Inode;
        }
        if (map.Kind is MapPathKind.AnonymousNamed or MapPathKind.SharedAnonymousNamed && map.Path is { } named)
        {
            int colon = named.IndexOf(':');
            if (colon >= 0 && named.EndsWith(']'))
            {
                vma.AnonName = named[(colon + 1)..^1];
            }
        }
        if (map.Kind == MapPathKind.File && map.Path is { } path)
        {
            var file = new V1.FileRef { Path = path, Deleted = map.Deleted };
            V1.FileIdentity? identity = MappedIdentity(map);
            if (identity is not null)
            {
                file.Identity = identity;
            }
            vma.File = file;
        }
        return vma;
    }

    /// <summary>
    /// The identity of a mapped file: fstat through /proc/PID/map_files (size and mtime too),
    /// or device and inode from the maps line when that link cannot be opened.
    /// </summary>
    private V1.FileIdentity? MappedIdentity(MapEntry map)
    {
        ulong dev = Dump.FdClassifier.MakeDev(map.DevMajor, map.DevMinor);
        if (_identities.TryGetValue((dev, map.Inode), out V1.FileIdentity? known))
        {
            return known;
        }
        V1.FileIdentity identity;
        try
        {
            using SafeFd? fd = Interop.TryOpen($"/proc/{_pid}/map_files/{map.Start:x}-{map.End:x}", OpenFlags.O_PATH);
            identity = fd is null
                ? new V1.FileIdentity { Dev = dev, Ino = map.Inode }
                : Dump.FilesDumper.Identity(Interop.Fstat(fd));
        }
        catch (ErrnoException)
        {
            identity = new V1.FileIdentity { Dev = dev, Ino = map.Inode };
        }
        _identities[(dev, map.Inode)] = identity;
        return identity;
    }

    private static V1.FileRef ExeRef(string exe)
    {
        const string deletedSuffix = " (deleted)";
        bool deleted = exe.EndsWith(deletedSuffix, StringComparison.Ordinal);
        var file = new V1.FileRef { Path = deleted ? exe[..^deletedSuffix.Length] : exe, Deleted = deleted };
        return file;
    }

    /// <summary>madvise state kept in the VMA, as bit (MADV_* number) per the mm image's convention.</summary>
    private static ulong Madvise(VmFlags flags)
    {
        ulong bits = 0;
        if ((flags & VmFlags.DontCopy) != 0)
        {
            bits |= 1UL << 10; // MADV_DONTFORK
        }
        if ((flags & VmFlags.Mergeable) != 0)
        {
            bits |= 1UL << 12; // MADV_MERGEABLE
        }
        if ((flags & VmFlags.HugePage) != 0)
        {
            bits |= 1UL << 14; // MADV_HUGEPAGE
        }
        if ((flags & VmFlags.NoHugePage) != 0)
        {
            bits |= 1UL << 15; // MADV_NOHUGEPAGE
        }
        if ((flags & VmFlags.DontDump) != 0)
        {
            bits |= 1UL << 16; // MADV_DONTDUMP
        }
        if ((flags & VmFlags.WipeOnFork) != 0)
        {
            bits |= 1UL << 18; // MADV_WIPEONFORK
        }
        return bits;
    }

    /// <summary>Frees the page contents.</summary>
    public void Dispose() => Pages.Dispose();
}
