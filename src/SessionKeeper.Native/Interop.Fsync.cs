using System.Runtime.InteropServices;
using static SessionKeeper.Native.InteropHelpers;

namespace SessionKeeper.Native;

public static partial class Interop
{
    [LibraryImport(Libc, EntryPoint = "fsync", SetLastError = true)]
    private static partial int FsyncRaw(int fd);

    /// <summary>
    /// fsync(2). Also used on a directory descriptor, which makes the names of newly created
    /// files in it durable (a file's own fsync does not cover its directory entry).
    /// </summary>
    public static void Fsync(SafeFd fd)
    {
        using FdLease lease = fd.Lease();
        int result;
        do
        {
            result = FsyncRaw(lease.Fd);
        }
        while (Interrupted(result));
        if (result < 0)
        {
            ErrnoException.ThrowLast("fsync", FdTarget(fd));
        }
    }

    [LibraryImport(Libc, EntryPoint = "sync_file_range", SetLastError = true)]
    private static partial int SyncFileRangeRaw(int fd, long offset, long nbytes, uint flags);

    // linux/fs.h
    private const uint SyncFileRangeWrite = 2;

    /// <summary>
    /// sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE): starts writing the file's dirty pages
    /// back and returns without waiting. Started for several files before any of them is
    /// fsynced, their block allocations land in one journal transaction, which the first fsync
    /// commits for all; the others then only wait for their own data. Durability still comes
    /// from <see cref="Fsync"/> alone; a failure here is ignored, being only a head start.
    /// </summary>
    public static void StartWriteback(SafeFd fd)
    {
        using FdLease lease = fd.Lease();
        _ = SyncFileRangeRaw(lease.Fd, 0, 0, SyncFileRangeWrite);
    }

    /// <summary>
    /// fsyncs every file of <paramref name="paths"/>, writeback started for all of them before
    /// the first fsync (<see cref="StartWriteback"/>): the first fsync then commits the journal
    /// for all, which makes twenty fsyncs cost about one.
    /// </summary>
    public static void FsyncAll(IEnumerable<string> paths)
    {
        var files = new List<SafeFd>();
        try
        {
            foreach (string path in paths)
            {
                SafeFd file = Open(path, OpenFlags.O_RDONLY | OpenFlags.O_CLOEXEC);
                files.Add(file);
                StartWriteback(file);
            }
            foreach (SafeFd file in files)
            {
                Fsync(file);
            }
        }
        finally
        {
            files.ForEach(file => file.Dispose());
        }
    }
}
