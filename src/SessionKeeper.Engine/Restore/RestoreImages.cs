using SessionKeeper.Engine.Kinds.Namespaces;
using SessionKeeper.Images;
using SessionKeeper.Images.V1;

namespace SessionKeeper.Engine.Restore;

/// <summary>
/// The images of one raw image directory, read and cross-checked before anything is created:
/// a snapshot that is corrupt or incomplete is refused before a single task starts.
/// </summary>
public sealed class RestoreImages
{
    private RestoreImages(string directory) => Directory = directory;

    /// <summary>The image directory.</summary>
    public string Directory { get; }

    /// <summary>Processes, parents before children.</summary>
    public List<PstreeEntry> Tree { get; } = [];

    /// <summary>Core image per pid.</summary>
    public Dictionary<int, Core> Cores { get; } = [];

    /// <summary>Mm image per pid.</summary>
    public Dictionary<int, Mm> Mms { get; } = [];

    /// <summary>Saved page runs per pid.</summary>
    public Dictionary<int, List<PagemapEntry>> Pagemaps { get; } = [];

    /// <summary>Open file descriptors per pid.</summary>
    public Dictionary<int, List<FdEntry>> Fds { get; } = [];

    /// <summary>Open file descriptions by id.</summary>
    public Dictionary<uint, FileEntry> Files { get; } = [];

    /// <summary>The namespaces the tree has to itself (from the inventory); null when it lives in keeper's.</summary>
    public TreeNamespaces? Namespaces { get; private set; }

    /// <summary>
    /// Reads and validates every image of <paramref name="directory"/>; page runs are checked
    /// against <paramref name="pages"/> when the contents come from there instead of the
    /// directory's own page files.
    /// </summary>
    public static RestoreImages Load(string directory, Memory.IPageSource? pages = null)
    {
        if (!System.IO.Directory.Exists(directory))
        {
            throw new FileNotFoundException($"{directory}: no such image directory");
        }
        var images = new RestoreImages(directory);
        images.Tree.AddRange(ImageReader.ReadFile<PstreeEntry>(Path.Combine(directory, "pstree.img")));
        if (images.Tree.Count == 0)
        {
            throw new InvalidDataException($"{Path.Combine(directory, "pstree.img")}: no process in the tree");
        }
        string inventoryPath = Path.Combine(directory, "inventory.img");
        if (File.Exists(inventoryPath))
        {
            images.Namespaces = Single<Inventory>(directory, "inventory.img").Namespaces;
            if (images.Namespaces is { Pid: true })
            {
                NamespaceRestore.CheckTree(images.Tree, Path.Combine(directory, "pstree.img"));
            }
        }
        string filesPath = Path.Combine(directory, "files.img");
        if (File.Exists(filesPath))
        {
            foreach (FileEntry file in ImageReader.ReadFile<FileEntry>(filesPath))
            {
                images.Files[file.Id] = file;
            }
        }
        foreach (PstreeEntry entry in images.Tree)
        {
            int pid = (int)entry.Pid;
            if (entry.State != ProcessState.Alive && entry.State != ProcessState.Unspecified)
            {
                continue;
            }
            images.Cores[pid] = Single<Core>(directory, $"core-{pid}.img");
            images.Mms[pid] = Single<Mm>(directory, $"mm-{pid}.img");
            images.Pagemaps[pid] = ImageReader.ReadFile<PagemapEntry>(Path.Combine(directory, $"pagemap-{pid}.img"));
            string fdinfo = Path.Combine(directory, $"fdinfo-{pid}.img");
            images.Fds[pid] = File.Exists(fdinfo) ? ImageReader.ReadFile<FdEntry>(fdinfo) : [];
            foreach (FdEntry fd in images.Fds[pid])
            {
                if (!images.Files.ContainsKey(fd.FileId))
                {
                    throw new InvalidDataException($"{fdinfo}: fd {fd.Fd} refers to file id {fd.FileId}, which files.img does not hold");
                }
            }
            string pagesPath = images.PagesPath(pid);
            long pagesLength = pages?.Length(Path.GetFileName(pagesPath)) ?? (File.Exists(pagesPath) ? new FileInfo(pagesPath).Length : 0);
            foreach (PagemapEntry run in images.Pagemaps[pid])
            {
                if (run.Content?.LocationCase == ContentRef.LocationOneofCase.PagesOffset
                    && run.Content.PagesOffset + ((ulong)run.NrPages * 4096) > (ulong)pagesLength)
                {
                    throw new InvalidDataException($"{pagesPath}: pages of 0x{run.Vaddr:x} lie beyond the end of the file (truncated snapshot?)");
                }
            }
        }
        return images;
    }

    /// <summary>Path of the raw pages file of <paramref name="pid"/>.</summary>
    public string PagesPath(int pid) => Path.Combine(Directory, $"pages-{pid}.img");

    private static T Single<T>(string directory, string name)
        where T : Google.Protobuf.IMessage<T>, new()
    {
        string path = Path.Combine(directory, name);
        List<T> messages = ImageReader.ReadFile<T>(path);
        return messages.Count == 1 ? messages[0] : throw new InvalidDataException($"{path}: expected one message, found {messages.Count}");
    }
}
