namespace SessionKeeper.Native;

/// <summary>open(2) flags (asm-generic/fcntl.h, x86_64 values).</summary>
[Flags]
public enum OpenFlags
{
    /// <summary>O_RDONLY</summary>
    O_RDONLY = 0,
    /// <summary>O_WRONLY</summary>
    O_WRONLY = 0x1,
    /// <summary>O_RDWR</summary>
    O_RDWR = 0x2,
    /// <summary>O_ACCMODE: mask of the access mode bits.</summary>
    O_ACCMODE = 0x3,
    /// <summary>O_CREAT</summary>
    O_CREAT = 0x40,
    /// <summary>O_EXCL</summary>
    O_EXCL = 0x80,
    /// <summary>O_NOCTTY: opening a tty does not make it the controlling terminal.</summary>
    O_NOCTTY = 0x100,
    /// <summary>O_TRUNC</summary>
    O_TRUNC = 0x200,
    /// <summary>O_APPEND</summary>
    O_APPEND = 0x400,
    /// <summary>O_NONBLOCK</summary>
    O_NONBLOCK = 0x800,
    /// <summary>O_DSYNC</summary>
    O_DSYNC = 0x1000,
    /// <summary>O_ASYNC (FASYNC)</summary>
    O_ASYNC = 0x2000,
    /// <summary>O_DIRECT</summary>
    O_DIRECT = 0x4000,
    /// <summary>O_LARGEFILE: always set by the kernel on 64-bit, visible in /proc/PID/fdinfo flags.</summary>
    O_LARGEFILE = 0x8000,
    /// <summary>O_DIRECTORY</summary>
    O_DIRECTORY = 0x10000,
    /// <summary>O_NOFOLLOW</summary>
    O_NOFOLLOW = 0x20000,
    /// <summary>O_NOATIME</summary>
    O_NOATIME = 0x40000,
    /// <summary>O_CLOEXEC: the wrappers always add it.</summary>
    O_CLOEXEC = 0x80000,
    /// <summary>O_SYNC (includes O_DSYNC)</summary>
    O_SYNC = 0x101000,
    /// <summary>O_PATH</summary>
    O_PATH = 0x200000,
    /// <summary>O_TMPFILE (includes O_DIRECTORY)</summary>
    O_TMPFILE = 0x410000,
}

/// <summary>fcntl(2) commands (asm-generic/fcntl.h, linux/fcntl.h).</summary>
public enum FcntlCommand
{
    /// <summary>F_DUPFD</summary>
    F_DUPFD = 0,
    /// <summary>F_GETFD: descriptor flags (FD_CLOEXEC).</summary>
    F_GETFD = 1,
    /// <summary>F_SETFD</summary>
    F_SETFD = 2,
    /// <summary>F_GETFL: open file description status flags (O_*).</summary>
    F_GETFL = 3,
    /// <summary>F_SETFL: only O_APPEND, O_ASYNC, O_DIRECT, O_NOATIME, O_NONBLOCK can change.</summary>
    F_SETFL = 4,
    /// <summary>F_SETPIPE_SZ</summary>
    F_SETPIPE_SZ = 1031,
    /// <summary>F_GETPIPE_SZ</summary>
    F_GETPIPE_SZ = 1032,
    /// <summary>F_DUPFD_CLOEXEC</summary>
    F_DUPFD_CLOEXEC = 1030,
}

/// <summary>lseek(2) origins (linux/fs.h SEEK_*).</summary>
public enum SeekWhence
{
    /// <summary>SEEK_SET</summary>
    SEEK_SET = 0,
    /// <summary>SEEK_CUR</summary>
    SEEK_CUR = 1,
    /// <summary>SEEK_END</summary>
    SEEK_END = 2,
    /// <summary>SEEK_DATA: next data at or after the offset (sparse files).</summary>
    SEEK_DATA = 3,
    /// <summary>SEEK_HOLE: next hole at or after the offset.</summary>
    SEEK_HOLE = 4,
}
