using SessionKeeper.Engine.ProcFs;

namespace SessionKeeper.Engine.Tests.ProcFsTests;

[TestFixture]
public sealed class PagemapTests
{
    private const ulong Present = 1UL << 63;
    private const ulong Swapped = 1UL << 62;
    private const ulong File = 1UL << 61;

    // An 8-page anonymous mapping with pages 0, 2 and 5 written, and an 8-page private file
    // mapping with pages 1 and 3 read and pages 4 and 6 written (copied on write). Huge pages
    // are switched off for both, so a touch populates exactly one page.
    private const string ChildScript = """
        import ctypes, mmap, os, sys, time
        d = sys.argv[1]
        P = mmap.PAGESIZE
        anon = mmap.mmap(-1, 8 * P, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
        anon.madvise(mmap.MADV_NOHUGEPAGE)
        for i in (0, 2, 5):
            anon[i * P] = 1
        path = os.path.join(d, "data file")
        with open(path, "wb") as f:
            f.write(b"\x07" * 8 * P)
        fd = os.open(path, os.O_RDONLY)
        priv = mmap.mmap(fd, 8 * P, flags=mmap.MAP_PRIVATE, prot=mmap.PROT_READ | mmap.PROT_WRITE)
        priv.madvise(mmap.MADV_NOHUGEPAGE)
        x = priv[1 * P] + priv[3 * P]
        for i in (4, 6):
            priv[i * P] = 9
        a = ctypes.addressof(ctypes.c_char.from_buffer(anon))
        b = ctypes.addressof(ctypes.c_char.from_buffer(priv))
        ready(anon=f"{a:x}", file=f"{b:x}")
        time.sleep(600)
        """;

    [Test]
    public void PagemapEntry_Bits_DecodeEachFlag()
    {
        var entry = new PagemapEntry(Present | File | (1UL << 56) | (1UL << 55) | 0x1234);

        Assert.Multiple(() =>
        {
            Assert.That(entry.Present, Is.True);
            Assert.That(entry.Swapped, Is.False);
            Assert.That(entry.FileOrSharedAnonymous, Is.True);
            Assert.That(entry.ExclusivelyMapped, Is.True);
            Assert.That(entry.SoftDirty, Is.True);
            Assert.That(entry.Pfn, Is.EqualTo(0x1234UL));
            Assert.That(new PagemapEntry(Swapped | (77UL << 5) | 3).SwapOffset, Is.EqualTo(77UL));
            Assert.That(new PagemapEntry(Swapped | (77UL << 5) | 3).SwapType, Is.EqualTo(3u));
        });
    }

    [Test]
    public void AppendPagesToSave_Anonymous_KeepsPresentAndSwapped()
    {
        ulong[] entries = [Present, Present, 0, Swapped, Present | File, 0, Present];
        var runs = new List<PageRun>();

        ulong saved = PagemapReader.AppendPagesToSave(0x10000, entries, PageSavePolicy.PresentOrSwapped, runs);

        int page = PagemapReader.PageSize;
        Assert.That(saved, Is.EqualTo(5UL));
        Assert.That(runs, Is.EqualTo(new[] { new PageRun(0x10000, 2), new PageRun(0x10000 + (ulong)(3 * page), 2), new PageRun(0x10000 + (ulong)(6 * page), 1) }));
    }

    [Test]
    public void AppendPagesToSave_PrivateFile_KeepsOnlyCopiedOrSwapped()
    {
        ulong[] entries = [Present | File, Present, Swapped, Present | File, 0, Present];
        var runs = new List<PageRun>();

        ulong saved = PagemapReader.AppendPagesToSave(0, entries, PageSavePolicy.CopiedOrSwapped, runs);

        int page = PagemapReader.PageSize;
        Assert.That(saved, Is.EqualTo(3UL));
        Assert.That(runs, Is.EqualTo(new[] { new PageRun((ulong)page, 2), new PageRun((ulong)(5 * page), 1) }));
    }

    [Test]
    public void AppendPagesToSave_ContinuesLastRun_ExtendsIt()
    {
        int page = PagemapReader.PageSize;
        var runs = new List<PageRun> { new(0, 2) };

        PagemapReader.AppendPagesToSave((ulong)(2 * page), [Present, Present], PageSavePolicy.PresentOrSwapped, runs);

        Assert.That(runs, Is.EqualTo(new[] { new PageRun(0, 4) }));
    }

    [Test]
    public void PolicyFor_Kinds_FollowDesign()
    {
        // As show_map_vma writes it: fixed fields and a space, padded to 72, a space, the name.
        static MapEntry Line(string fixedFields, string name)
            => ProcFsReader.ParseMapsLine((fixedFields + " ").PadRight(72) + " " + name);

        Assert.Multiple(() =>
        {
            Assert.That(PagemapReader.PolicyFor(Line("1000-2000 rw-p 00000000 00:00 0", "[heap]")), Is.EqualTo(PageSavePolicy.PresentOrSwapped));
            Assert.That(PagemapReader.PolicyFor(ProcFsReader.ParseMapsLine("1000-2000 rw-p 00000000 00:00 0 ")), Is.EqualTo(PageSavePolicy.PresentOrSwapped));
            Assert.That(PagemapReader.PolicyFor(Line("1000-2000 rw-p 00001000 fe:00 5", "/lib/libc.so.6")), Is.EqualTo(PageSavePolicy.CopiedOrSwapped));
            Assert.That(PagemapReader.PolicyFor(Line("1000-2000 r--s 00000000 fe:00 5", "/var/cache/fc")), Is.EqualTo(PageSavePolicy.None));
            Assert.That(PagemapReader.PolicyFor(Line("1000-2000 rw-s 00000000 00:01 11", "/SYSV00000000 (deleted)")), Is.EqualTo(PageSavePolicy.None));
            Assert.That(PagemapReader.PolicyFor(Line("1000-2000 r-xp 00000000 00:00 0", "[vdso]")), Is.EqualTo(PageSavePolicy.None));
        });
    }

    [Test]
    public void CollectPagesToSave_PythonChild_FindsWrittenPagesOnly()
    {
        using ProcFsChild child = ProcFsChild.StartPython(ChildScript);
        ulong anon = child.HexValue("anon");
        ulong file = child.HexValue("file");
        ulong page = (ulong)PagemapReader.PageSize;
        Assert.That(ProcFsReader.TryReadMaps(child.Pid, out List<MapEntry> maps), Is.True);
        MapEntry anonArea = maps.Single(m => m.Start <= anon && anon < m.End);
        MapEntry fileArea = maps.Single(m => m.Start == file);
        Assert.That(fileArea.Path, Does.EndWith("/data file"));

        Assert.That(PagemapReader.TryOpen(child.Pid, out PagemapReader? reader), Is.True);
        using (reader)
        {
            var anonRuns = new List<PageRun>();
            reader!.CollectPagesToSave(anon, anon + (8 * page), PagemapReader.PolicyFor(anonArea), anonRuns);
            var fileRuns = new List<PageRun>();
            ulong filePages = reader.CollectPagesToSave(fileArea, fileRuns);

            ulong[] raw = new ulong[8];
            Assert.That(reader.ReadEntries(file, raw), Is.EqualTo(8));
            Assert.Multiple(() =>
            {
                Assert.That(anonRuns, Is.EqualTo(new[] { new PageRun(anon, 1), new PageRun(anon + (2 * page), 1), new PageRun(anon + (5 * page), 1) }));
                Assert.That(fileRuns, Is.EqualTo(new[] { new PageRun(file + (4 * page), 1), new PageRun(file + (6 * page), 1) }));
                Assert.That(filePages, Is.EqualTo(2UL));
                Assert.That(new PagemapEntry(raw[1]).Present && new PagemapEntry(raw[1]).FileOrSharedAnonymous, Is.True, "a page only read is the file's page");
                Assert.That(new PagemapEntry(raw[4]).FileOrSharedAnonymous, Is.False, "a written page is a private copy");
                Assert.That(new PagemapEntry(raw[4]).ExclusivelyMapped, Is.True);
            });
        }
    }

    [Test]
    public void TryOpen_GonePid_ReturnsFalse()
    {
        Assert.That(PagemapReader.TryOpen(ProcFsChild.GonePid(), out _), Is.False);
    }
}
