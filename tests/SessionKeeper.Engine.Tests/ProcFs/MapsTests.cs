using SessionKeeper.Engine.ProcFs;

namespace SessionKeeper.Engine.Tests.ProcFsTests;

[TestFixture]
public sealed class MapsTests
{
    // Real kernel padding: the path starts at column 73.
    internal const string Sample =
        "55d46395a000-55d46395c000 r--p 00000000 fe:00 247629                     /usr/bin/head\n" +
        "55d463a00000-55d463a21000 rw-p 00000000 00:00 0                          [heap]\n" +
        "7eff67000000-7eff67100000 rw-p 00000000 00:00 0 \n" +
        "7eff67100000-7eff67158000 rw-s 00000000 00:01 11                         /SYSV00000000 (deleted)\n" +
        "7eff67158000-7eff67159000 rw-s 00000000 00:01 2051                       /memfd:wayland shm (deleted)\n" +
        "7eff67159000-7eff6715a000 rw-s 00000000 00:01 7                          /dev/zero (deleted)\n" +
        "7eff6715a000-7eff6715b000 r--p 00001000 fe:00 1234                       /home/u/my notes (v2).txt (deleted)\n" +
        "7eff6715b000-7eff6715c000 r--p 00000000 fe:00 1235                          leading spaces\n" +
        "7eff6715c000-7eff6715d000 rw-p 00000000 00:00 0                          [anon:glibc malloc]\n" +
        "7eff678e6000-7eff678ea000 r--p 00000000 00:00 0                          [vvar]\n" +
        "7eff678e8000-7eff678ea000 r--p 00000000 00:00 0                          [vvar_vclock]\n" +
        "7eff678ea000-7eff678ec000 r-xp 00000000 00:00 0                          [vdso]\n" +
        "7fffaa72f000-7fffaa750000 rw-p 00000000 00:00 0                          [stack]\n" +
        "ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]\n";

    [Test]
    public void ParseMaps_KernelSample_ParsesEveryKind()
    {
        List<MapEntry> maps = ProcFsReader.ParseMaps(Sample);

        Assert.That(maps.Select(m => m.Kind), Is.EqualTo(new[]
        {
            MapPathKind.File, MapPathKind.Heap, MapPathKind.Anonymous, MapPathKind.SysVShm, MapPathKind.Memfd,
            MapPathKind.SharedAnonymous, MapPathKind.File, MapPathKind.File, MapPathKind.AnonymousNamed, MapPathKind.Vvar,
            MapPathKind.VvarVclock, MapPathKind.Vdso, MapPathKind.Stack, MapPathKind.Vsyscall,
        }));
        MapEntry head = maps[0];
        Assert.Multiple(() =>
        {
            Assert.That(head.Start, Is.EqualTo(0x55d46395a000UL));
            Assert.That(head.End, Is.EqualTo(0x55d46395c000UL));
            Assert.That(head.Permissions, Is.EqualTo(MapPermissions.Read));
            Assert.That(head.DevMajor, Is.EqualTo(0xfeu));
            Assert.That(head.DevMinor, Is.EqualTo(0u));
            Assert.That(head.Inode, Is.EqualTo(247629UL));
            Assert.That(head.Path, Is.EqualTo("/usr/bin/head"));
            Assert.That(head.Deleted, Is.False);
            Assert.That(maps[2].Path, Is.Null);
            Assert.That(maps[3].IsShared, Is.True);
            Assert.That(maps[3].SysVKey, Is.EqualTo(0u));
            Assert.That(maps[3].Inode, Is.EqualTo(11UL), "the inode of a SysV mapping is its shmid");
            Assert.That(maps[4].Path, Is.EqualTo("/memfd:wayland shm"));
            Assert.That(maps[6].Path, Is.EqualTo("/home/u/my notes (v2).txt"));
            Assert.That(maps[6].Deleted, Is.True);
            Assert.That(maps[6].Offset, Is.EqualTo(0x1000UL));
            Assert.That(maps[7].Path, Is.EqualTo("   leading spaces"));
            Assert.That(maps[8].Path, Is.EqualTo("[anon:glibc malloc]"));
            Assert.That(maps[13].Start, Is.EqualTo(0xffffffffff600000UL));
            Assert.That(maps[13].Permissions, Is.EqualTo(MapPermissions.Execute));
        });
    }

    [Test]
    public void ParseMapsLine_LongFixedFields_PathFollowsSingleSpace()
    {
        // 16-digit addresses and a 20-digit inode make the fixed fields longer than the padding.
        MapEntry entry = ProcFsReader.ParseMapsLine(
            "7fffffffffff0000-7ffffffffffff000 rw-p 00000000 103:02 18446744073709551615 /a b");

        Assert.Multiple(() =>
        {
            Assert.That(entry.Inode, Is.EqualTo(ulong.MaxValue));
            Assert.That(entry.DevMajor, Is.EqualTo(0x103u));
            Assert.That(entry.Path, Is.EqualTo("/a b"));
        });
    }

    [Test]
    public void ParseMapsLine_RealFileCalledSysvWithoutDeleted_IsFile()
    {
        MapEntry entry = ProcFsReader.ParseMapsLine(
            "7eff67100000-7eff67158000 r--s 00000000 fe:00 99                         /SYSV00000000");

        Assert.That(entry.Kind, Is.EqualTo(MapPathKind.File));
    }

    [Test]
    public void ParseMapsLine_Garbage_ThrowsFormatException()
    {
        Assert.Throws<FormatException>(() => ProcFsReader.ParseMapsLine("not a maps line"));
        Assert.Throws<FormatException>(() => ProcFsReader.ParseMapsLine("1000-2000 rw 00000000 00:00 0"));
    }

    [Test]
    public void TryReadMaps_Self_HasStackVdsoAndCoreclr()
    {
        Assert.That(ProcFsReader.TryReadMaps(Environment.ProcessId, out List<MapEntry> maps), Is.True);

        Assert.Multiple(() =>
        {
            Assert.That(maps.Count(m => m.Kind == MapPathKind.Stack), Is.EqualTo(1));
            Assert.That(maps.Count(m => m.Kind == MapPathKind.Vdso), Is.EqualTo(1));
            Assert.That(maps.Any(m => m.Kind == MapPathKind.File && m.Path!.EndsWith("libcoreclr.so", StringComparison.Ordinal)), Is.True);
            Assert.That(maps.Zip(maps.Skip(1)).All(p => p.First.End <= p.Second.Start), Is.True, "areas are sorted and disjoint");
        });
    }

    [Test]
    public void TryReadMaps_SleepChild_HasSleepBinary()
    {
        using ProcFsChild child = ProcFsChild.Start("exec sleep 100");

        Assert.That(ProcFsReader.TryReadMaps(child.Pid, out List<MapEntry> maps), Is.True);
        Assert.That(maps.Any(m => m.Path is not null && m.Path.EndsWith("/sleep", StringComparison.Ordinal)), Is.True);
    }

    [Test]
    public void TryReadMaps_GonePid_ReturnsFalse()
    {
        Assert.That(ProcFsReader.TryReadMaps(ProcFsChild.GonePid(), out _), Is.False);
    }
}
