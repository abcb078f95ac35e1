using Google.Protobuf;
using SessionKeeper.Images;
using SessionKeeper.Images.V1;
using SessionKeeper.Native;

namespace SessionKeeper.Engine.Dump;

/// <summary>
/// The directory a dump writes into. Images hold process memory, i.e. secrets, so the
/// directory is created 0700 and every file 0600 from the start (never chmod'ed after the
/// contents are in). Every file written is recorded, so a failed dump can remove exactly what
/// it wrote, and the inventory can list them.
/// </summary>
public sealed class ImageDirectory
{
    private const UnixFileMode FileMode0600 = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private readonly List<ImageFileEntry> _written = [];
    private readonly bool _created;

    // Every image is framed here first and goes to its file in one write; the buffer is reused
    // from file to file (a stream buffer per file was garbage the GC then had to collect).
    private readonly MemoryStream _staging = new();
    private int _synced;

    /// <summary>Opens (creating it with mode 0700 if missing) the directory at <paramref name="path"/>.</summary>
    public ImageDirectory(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("process images are Linux-only");
        }
        if (!Directory.Exists(Path))
        {
            Directory.CreateDirectory(Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            _created = true;
        }
    }

    /// <summary>The absolute path of the directory.</summary>
    public string Path { get; }

    /// <summary>The files written so far, with kind, pid and size.</summary>
    public IReadOnlyList<ImageFileEntry> Written => _written;

    /// <summary>
    /// Writes a framed image of <typeparamref name="T"/> messages named <paramref name="name"/>.
    /// It is durable only after <see cref="Sync"/>.
    /// </summary>
    public void WriteImage<T>(string name, IEnumerable<T> messages, int? pid = null)
        where T : IMessage<T>, new()
    {
        ImageKind kind = ImageRegistry.KindOf<T>();
        _staging.SetLength(0);
        using (var writer = new ImageWriter(_staging, kind, leaveOpen: true))
        {
            foreach (T message in messages)
            {
                writer.Write(message);
            }
        }
        ImageFileEntry entry = Record(name, kind, pid);
        using SafeFd file = Interop.Open(System.IO.Path.Combine(Path, name), OpenFlags.O_WRONLY | OpenFlags.O_CREAT | OpenFlags.O_EXCL, 0b110_000_000);
        Interop.WriteAll(file, _staging.GetBuffer().AsSpan(0, (int)_staging.Length));
        entry.Size = (ulong)_staging.Length;
    }

    /// <summary>Writes a raw file (page contents) through <paramref name="write"/>; durable after <see cref="Sync"/>.</summary>
    public void WriteRaw(string name, ImageKind kind, int? pid, Action<Stream> write)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("process images are Linux-only");
        }
        ImageFileEntry entry = Record(name, kind, pid);
        using FileStream file = new(System.IO.Path.Combine(Path, name), new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.None,
            BufferSize = 1 << 16,
            UnixCreateMode = FileMode0600,
        });
        write(file);
        file.Flush();
        entry.Size = (ulong)file.Length;
    }

    /// <summary>
    /// Makes every file written since the last call and the directory entries durable. The files are
    /// fsynced one after the other only now, at the end: the first fsync commits the journal
    /// for all of them, which leaves the others little to do, where an fsync right after each
    /// file paid a journal commit per file.
    /// </summary>
    public void Sync()
    {
        Interop.FsyncAll(_written.Skip(_synced).Select(entry => System.IO.Path.Combine(Path, entry.Name)));
        _synced = _written.Count;
        using SafeFd dir = Interop.Open(Path, OpenFlags.O_RDONLY | OpenFlags.O_DIRECTORY);
        Interop.Fsync(dir);
    }

    /// <summary>
    /// Removes every file this dump wrote, and the directory itself if the dump created it and
    /// it is now empty. Best effort: it runs while another error is on its way to the caller.
    /// </summary>
    public void DeleteWritten()
    {
        foreach (ImageFileEntry entry in _written)
        {
            try
            {
                File.Delete(System.IO.Path.Combine(Path, entry.Name));
            }
            catch (IOException)
            {
            }
        }
        _written.Clear();
        _synced = 0;
        if (_created)
        {
            try
            {
                if (!Directory.EnumerateFileSystemEntries(Path).Any())
                {
                    Directory.Delete(Path);
                }
            }
            catch (IOException)
            {
            }
        }
    }

    /// <summary>Records a file before its bytes go in, so a failure in the middle still removes it.</summary>
    private ImageFileEntry Record(string name, ImageKind kind, int? pid)
    {
        var entry = new ImageFileEntry { Name = name, Kind = kind };
        if (pid is int p)
        {
            entry.Pid = (uint)p;
        }
        _written.Add(entry);
        return entry;
    }
}
