using SessionKeeper.Native;

namespace SessionKeeper.Store;

/// <summary>
/// File-system steps of the store, all with its modes: snapshots hold process memory, i.e.
/// secrets, so directories are created 0700 and files 0600 from the start.
/// </summary>
public static class StoreFiles
{
    /// <summary>The size and SHA-256 of a file, read through a pooled buffer.</summary>
    public static (long Size, byte[] Sha256) Hash(string path)
    {
        byte[] buffer = [];
        try
        {
            int length = ReadWhole(path, ref buffer);
            return (length, Sha256.HashData(buffer.AsSpan(0, length)));
        }
        finally
        {
            ReturnPooled(buffer);
        }
    }

    /// <summary>
    /// Reads the whole file <paramref name="path"/> into <paramref name="buffer"/>, a pooled array
    /// (or empty) that is swapped for a larger pooled one when the file does not fit; returns
    /// the file's length. The caller gives the buffer back with <see cref="ReturnPooled"/>.
    /// </summary>
    public static int ReadWhole(string path, ref byte[] buffer)
    {
        using Microsoft.Win32.SafeHandles.SafeFileHandle handle = File.OpenHandle(path);
        long length = RandomAccess.GetLength(handle);
        if (length > Array.MaxLength)
        {
            throw new StoreException($"{path}: {length} bytes is too large to read whole");
        }
        if (buffer.Length < length)
        {
            ReturnPooled(buffer);
            buffer = System.Buffers.ArrayPool<byte>.Shared.Rent((int)length);
        }
        int got = ReadAt(handle, buffer.AsSpan(0, (int)length), 0);
        if (got < length)
        {
            throw new StoreException($"{path}: shorter than its {length} bytes while it was read");
        }
        return got;
    }

    /// <summary>Gives a buffer from <see cref="ReadWhole"/> back to the pool (an empty one is ignored).</summary>
    public static void ReturnPooled(byte[] buffer)
    {
        if (buffer.Length > 0)
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Reads from <paramref name="offset"/> until <paramref name="buffer"/> is full or the file ends; returns the bytes read.</summary>
    public static int ReadAt(Microsoft.Win32.SafeHandles.SafeFileHandle handle, Span<byte> buffer, long offset)
    {
        int got = 0;
        while (got < buffer.Length)
        {
            int n = RandomAccess.Read(handle, buffer[got..], offset + got);
            if (n == 0)
            {
                break;
            }
            got += n;
        }
        return got;
    }

    /// <summary>Mode of every store directory.</summary>
    public const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>Mode of every store file.</summary>
    public const UnixFileMode FileMode0600 = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Creates <paramref name="path"/> with mode 0700 if it does not exist.</summary>
    public static void CreateDirectory(string path)
    {
        if (!IsLinux)
        {
            throw NotLinux();
        }
        if (!Directory.Exists(path))
        {
            Directory.CreateDirectory(path, DirectoryMode);
        }
    }

    /// <summary>Opens a new file for writing (it must not exist), mode 0600.</summary>
    public static FileStream CreateNew(string path, int bufferSize = 1 << 16)
    {
        if (!IsLinux)
        {
            throw NotLinux();
        }
        return new(path, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.None,
            BufferSize = bufferSize,
            UnixCreateMode = FileMode0600,
        });
    }

    /// <summary>Snapshots are Linux process images; the checks below make the platform explicit to the analyzers.</summary>
    [System.Runtime.Versioning.SupportedOSPlatformGuard("linux")]
    public static bool IsLinux => OperatingSystem.IsLinux();

    /// <summary>The error on anything but Linux.</summary>
    public static PlatformNotSupportedException NotLinux() => new("the snapshot store is Linux-only");

    /// <summary>Writes a new file with <paramref name="contents"/> and fsyncs it.</summary>
    public static void WriteDurable(string path, ReadOnlySpan<byte> contents)
    {
        using FileStream file = CreateNew(path, 0);
        file.Write(contents);
        file.Flush(flushToDisk: true);
    }

    /// <summary>fsyncs a directory, so the entries created or renamed in it are durable.</summary>
    public static void SyncDirectory(string path)
    {
        using SafeFd dir = Interop.Open(path, OpenFlags.O_RDONLY | OpenFlags.O_DIRECTORY | OpenFlags.O_CLOEXEC);
        Interop.Fsync(dir);
    }

    /// <summary>
    /// Puts the directory <paramref name="staging"/> at <paramref name="target"/> in one step.
    /// When <paramref name="target"/> exists it is swapped out (RENAME_EXCHANGE) and the old
    /// one is left at <paramref name="staging"/> for the caller to delete: there is no moment
    /// at which neither exists.
    /// </summary>
    /// <returns>True when an old <paramref name="target"/> now sits at <paramref name="staging"/>.</returns>
    public static bool Publish(string staging, string target)
    {
        bool replaced = Directory.Exists(target);
        Interop.Rename(staging, target, replaced ? Interop.RenameExchange : 0);
        StoreFiles.SyncDirectory(Path.GetDirectoryName(target)!);
        return replaced;
    }

    /// <summary>Deletes a directory tree, ignoring one that is already gone.</summary>
    public static void DeleteTree(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
