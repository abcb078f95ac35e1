using System.Runtime.InteropServices;

namespace SessionKeeper.Native;

/// <summary>
/// x86_64 <c>struct stat</c> as fstat(2) fills it (arch/x86/include/uapi/asm/stat.h; glibc uses
/// the same layout on x86_64). 144 bytes.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct Stat
{
    /// <summary>S_IFMT: mask of the file-type bits in <see cref="Mode"/>.</summary>
    public const uint TypeMask = 0xF000;
    /// <summary>S_IFSOCK</summary>
    public const uint TypeSocket = 0xC000;
    /// <summary>S_IFLNK</summary>
    public const uint TypeSymlink = 0xA000;
    /// <summary>S_IFREG</summary>
    public const uint TypeRegular = 0x8000;
    /// <summary>S_IFBLK</summary>
    public const uint TypeBlockDevice = 0x6000;
    /// <summary>S_IFDIR</summary>
    public const uint TypeDirectory = 0x4000;
    /// <summary>S_IFCHR</summary>
    public const uint TypeCharDevice = 0x2000;
    /// <summary>S_IFIFO</summary>
    public const uint TypeFifo = 0x1000;

    /// <summary>st_dev</summary>
    public ulong Dev;
    /// <summary>st_ino</summary>
    public ulong Ino;
    /// <summary>st_nlink (before st_mode on x86_64, unlike the generic layout)</summary>
    public ulong Nlink;
    /// <summary>st_mode: type and permission bits.</summary>
    public uint Mode;
    /// <summary>st_uid</summary>
    public uint Uid;
    /// <summary>st_gid</summary>
    public uint Gid;
    /// <summary>__pad0</summary>
    public int Pad0;
    /// <summary>st_rdev: the device number of a device file (major/minor, see <see cref="RdevMajor"/>).</summary>
    public ulong Rdev;
    /// <summary>st_size</summary>
    public long Size;
    /// <summary>st_blksize</summary>
    public long BlockSize;
    /// <summary>st_blocks (512-byte units)</summary>
    public long Blocks;
    /// <summary>st_atime</summary>
    public long AtimeSec;
    /// <summary>st_atime_nsec</summary>
    public long AtimeNsec;
    /// <summary>st_mtime</summary>
    public long MtimeSec;
    /// <summary>st_mtime_nsec</summary>
    public long MtimeNsec;
    /// <summary>st_ctime</summary>
    public long CtimeSec;
    /// <summary>st_ctime_nsec</summary>
    public long CtimeNsec;
    /// <summary>__unused[0]</summary>
    public long Unused0;
    /// <summary>__unused[1]</summary>
    public long Unused1;
    /// <summary>__unused[2]</summary>
    public long Unused2;

    /// <summary>The file-type bits of <see cref="Mode"/> (one of the Type* constants).</summary>
    public readonly uint FileType => Mode & TypeMask;

    /// <summary>major(st_rdev), with glibc's encoding of the 64-bit dev_t.</summary>
    public readonly uint RdevMajor => DevMajor(Rdev);

    /// <summary>minor(st_rdev); for a pty slave this is the pty index.</summary>
    public readonly uint RdevMinor => DevMinor(Rdev);

    /// <summary>major() of a dev_t as the kernel reports it to user space.</summary>
    public static uint DevMajor(ulong dev) => (uint)(((dev >> 32) & 0xFFFFF000) | ((dev >> 8) & 0xFFF));

    /// <summary>minor() of a dev_t as the kernel reports it to user space.</summary>
    public static uint DevMinor(ulong dev) => (uint)(((dev >> 12) & 0xFFFFFF00) | (dev & 0xFF));
}
