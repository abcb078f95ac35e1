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

    /// <summary>Writes a framed image of <typeparamref name="T"/> messages named <paramref name="name"/>.</summary>
    public void WriteImage<T>(string name, IEnumerable<T> messages, int? pid = null)
        where T : IMessage<T>, new()
    {
        ImageKind kind = ImageRegistry.KindOf<T>();
        using FileStream file = Create(name, kind, pid);
        using (var writer = new ImageWriter(file, kind, leaveOpen: true))
        {
            foreach (T message in messages)
            {
                writer.Write(message);
            }
        }
        Finish(file);
    }

    /// <summary>Writes a raw file (page contents) through <paramref name="write"/>.</summary>
    public void WriteRaw(string name, ImageKind kind, int? pid, Action<Stream> write)
    {
        using FileStream file = Create(name, kind, pid);
        write(file);
        Finish(file);
    }

    /// <summary>Makes the directory entries of the written files durable.</summary>
    public void SyncDirectory()
    {
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

    private FileStream Create(string name, ImageKind kind, int? pid)
    {
        var entry = new ImageFileEntry { Name = name, Kind = kind };
        if (pid is int p)
        {
            entry.Pid = (uint)p;
        }
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("process images are Linux-only");
        }
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.None,
            BufferSize = 1 << 16,
            UnixCreateMode = FileMode0600,
        };
        // Recorded before the bytes go in, so a failure in the middle still removes the file.
        FileStream file = new(System.IO.Path.Combine(Path, name), options);
        _written.Add(entry);
        return file;
    }

    private void Finish(FileStream file)
    {
        // fsync each file: kill mode ends the tree right after, and the images are then all
        // that is left of it.
        file.Flush(flushToDisk: true);
        _written[^1].Size = (ulong)file.Length;
    }
}
