using System.Globalization;
using System.Text.RegularExpressions;
using SessionKeeper.Store.V1;

namespace SessionKeeper.Store;

/// <summary>
/// The snapshot store: a directory (mode 0700) laid out as
/// <code>
/// snapshots/NAME/N/        numbered generations (keeper save), each: manifest.pb + image files
/// snapshots/NAME/auto/     the one autosave generation of NAME (keeper save --auto)
/// packs/ID.pack, ID.idx    content-addressed chunks of page contents, and their index
/// locks/                   lock files (store-wide, and one per name)
/// live/NAME.pb             the tree the last restore of NAME brought back (pids, start times)
/// tmp/                     generations and packs being written; nothing here is a snapshot
/// </code>
/// A generation becomes visible only by the rename of its complete, fsynced directory from
/// tmp/ to snapshots/NAME/, so a save that dies at any moment leaves the older generations as
/// they were and nothing half-written under snapshots/.
/// </summary>
public sealed partial class SnapshotStore
{
    /// <summary>Generation name of the autosave.</summary>
    public const string AutoGeneration = "auto";

    private SnapshotStore(string root) => Root = root;

    /// <summary>The store directory.</summary>
    public string Root { get; }

    /// <summary>snapshots/.</summary>
    public string SnapshotsDirectory => Path.Combine(Root, "snapshots");

    /// <summary>packs/.</summary>
    public string PacksDirectory => Path.Combine(Root, "packs");

    /// <summary>tmp/.</summary>
    public string TempDirectory => Path.Combine(Root, "tmp");

    private string LocksDirectory => Path.Combine(Root, "locks");

    private string LiveDirectory => Path.Combine(Root, "live");

    /// <summary>
    /// The default store: <c>KEEPER_STORE</c> when set; for root <c>/var/lib/keeper</c>; otherwise
    /// <c>$XDG_DATA_HOME/keeper</c> (<c>~/.local/share/keeper</c> when XDG_DATA_HOME is unset).
    /// </summary>
    public static string DefaultRoot()
    {
        string? configured = Environment.GetEnvironmentVariable("KEEPER_STORE");
        if (!string.IsNullOrEmpty(configured))
        {
            return Path.GetFullPath(configured);
        }
        if (Environment.UserName == "root" || IsRoot())
        {
            return "/var/lib/keeper";
        }
        string? data = Environment.GetEnvironmentVariable("XDG_DATA_HOME");
        if (string.IsNullOrEmpty(data))
        {
            data = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share");
        }
        return Path.Combine(data, "keeper");
    }

    private static bool IsRoot() => File.Exists("/proc/self/status")
        && File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("Uid:", StringComparison.Ordinal)) is string uid
        && uid.Split('\t', StringSplitOptions.RemoveEmptyEntries).ElementAtOrDefault(2) == "0";

    /// <summary>Opens the store at <paramref name="root"/> (default: <see cref="DefaultRoot"/>), creating it when <paramref name="create"/>.</summary>
    /// <exception cref="StoreException">The store does not exist and <paramref name="create"/> is false.</exception>
    public static SnapshotStore Open(string? root, bool create)
    {
        if (!StoreFiles.IsLinux)
        {
            throw StoreFiles.NotLinux();
        }
        string path = Path.GetFullPath(string.IsNullOrEmpty(root) ? DefaultRoot() : root);
        if (!Directory.Exists(path))
        {
            if (!create)
            {
                throw new StoreException($"no snapshot store at {path}: nothing was saved there yet (choose another with --store DIR or KEEPER_STORE)");
            }
            Directory.CreateDirectory(path, StoreFiles.DirectoryMode);
        }
        var store = new SnapshotStore(path);
        if (create)
        {
            // Snapshots are secrets: a store directory someone made wider is narrowed again.
            if ((File.GetUnixFileMode(path) & ~StoreFiles.DirectoryMode) != 0)
            {
                File.SetUnixFileMode(path, StoreFiles.DirectoryMode);
            }
            foreach (string directory in new[] { store.SnapshotsDirectory, store.PacksDirectory, store.TempDirectory, store.LocksDirectory, store.LiveDirectory })
            {
                StoreFiles.CreateDirectory(directory);
            }
        }
        return store;
    }

    /// <summary>Whether the store has a snapshot directory at all.</summary>
    public bool Exists => Directory.Exists(SnapshotsDirectory);

    [GeneratedRegex("^[A-Za-z0-9_:+][A-Za-z0-9_.:+-]{0,127}$")]
    private static partial Regex NamePattern();

    /// <summary>Throws <see cref="StoreException"/> unless <paramref name="name"/> can name a snapshot.</summary>
    public static void CheckName(string name)
    {
        if (!NamePattern().IsMatch(name))
        {
            throw new StoreException($"'{name}' is not a valid snapshot name: use letters, digits and _ . : + - (at most 128, not starting with . or -; no / or @)");
        }
    }

    /// <summary>Splits NAME or NAME@GEN; GEN is a number or "auto".</summary>
    public static (string Name, string? Generation) ParseSpec(string spec)
    {
        int at = spec.LastIndexOf('@');
        string name = at < 0 ? spec : spec[..at];
        string? generation = at < 0 ? null : spec[(at + 1)..];
        CheckName(name);
        if (generation is not null && generation != AutoGeneration && !IsNumber(generation))
        {
            throw new StoreException($"'{spec}': the generation after @ is a number (as `keeper snapshots` shows) or 'auto'");
        }
        return (name, generation);
    }

    private static bool IsNumber(string text) => text.Length is > 0 and < 10 && text.All(char.IsAsciiDigit) && text[0] != '0';

    /// <summary>Names that have at least one generation, sorted.</summary>
    public List<string> Names()
    {
        if (!Directory.Exists(SnapshotsDirectory))
        {
            return [];
        }
        return Directory.EnumerateDirectories(SnapshotsDirectory)
            .Select(Path.GetFileName)
            .Where(n => n is not null && NamePattern().IsMatch(n) && GenerationDirectories(n).Any())
            .Select(n => n!)
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>The generation directory names of <paramref name="name"/> ("1", "2", …, "auto").</summary>
    public IEnumerable<string> GenerationDirectories(string name)
    {
        string directory = Path.Combine(SnapshotsDirectory, name);
        if (!Directory.Exists(directory))
        {
            return [];
        }
        return Directory.EnumerateDirectories(directory)
            .Select(d => Path.GetFileName(d)!)
            .Where(g => g == AutoGeneration || IsNumber(g));
    }

    /// <summary>Directory of one generation.</summary>
    public string GenerationPath(string name, string generation) => Path.Combine(SnapshotsDirectory, name, generation);

    /// <summary>Every generation of <paramref name="name"/>, oldest first (by save time).</summary>
    public List<Generation> Generations(string name) =>
        GenerationDirectories(name)
            .Select(g => Generation.Load(this, name, g))
            .OrderBy(g => g.CreatedAt)
            .ThenBy(g => g.Number)
            .ToList();

    /// <summary>Every generation in the store, by name and then oldest first.</summary>
    public List<Generation> All() => Names().SelectMany(Generations).ToList();

    /// <summary>
    /// The generation <paramref name="spec"/> names: NAME@N, NAME@auto, or NAME for the newest
    /// one (numbered or autosave, whichever was saved last).
    /// </summary>
    public Generation Resolve(string spec)
    {
        (string name, string? generation) = ParseSpec(spec);
        if (generation is not null)
        {
            string path = GenerationPath(name, generation);
            if (!Directory.Exists(path))
            {
                string have = string.Join(", ", GenerationDirectories(name).Order().Select(g => $"{name}@{g}"));
                throw new StoreException(have.Length == 0
                    ? $"no snapshot named '{name}' in {Root} (`keeper snapshots` lists them)"
                    : $"snapshot '{name}' has no generation {generation}; it has {have}");
            }
            return Generation.Load(this, name, generation);
        }
        // The newest is the highest number or the autosave, whichever was saved last: numbers
        // only grow, so no other manifest needs reading (a name kept with many generations
        // would otherwise cost a parse of each on every restore).
        List<string> directories = GenerationDirectories(name).ToList();
        List<Generation> candidates = directories.Where(IsNumber).OrderByDescending(g => g.Length).ThenByDescending(g => g, StringComparer.Ordinal).Take(1)
            .Concat(directories.Where(g => g == AutoGeneration))
            .Select(g => Generation.Load(this, name, g))
            .OrderBy(g => g.CreatedAt)
            .ThenBy(g => g.Number)
            .ToList();
        return candidates.Count > 0 ? candidates[^1] : throw new StoreException($"no snapshot named '{name}' in {Root} (`keeper snapshots` lists them)");
    }

    /// <summary>The number the next numbered generation of <paramref name="name"/> gets.</summary>
    public int NextNumber(string name) =>
        GenerationDirectories(name).Where(g => g != AutoGeneration).Select(g => int.Parse(g, CultureInfo.InvariantCulture)).DefaultIfEmpty(0).Max() + 1;

    /// <summary>
    /// Removes what killed keepers left in tmp/: entries are named PURPOSE-PID-ID, and an entry
    /// whose keeper no longer runs belongs to nobody. Best effort; <c>keeper gc</c> removes the rest.
    /// </summary>
    public void RemoveLeftovers()
    {
        if (!Directory.Exists(TempDirectory))
        {
            return;
        }
        foreach (string entry in Directory.EnumerateDirectories(TempDirectory))
        {
            string[] parts = Path.GetFileName(entry).Split('-');
            if (parts.Length == 3 && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int pid)
                && pid != Environment.ProcessId && !Directory.Exists($"/proc/{pid}"))
            {
                try
                {
                    StoreFiles.DeleteTree(entry);
                }
                catch (IOException)
                {
                }
            }
        }
    }

    /// <summary>A new empty directory under tmp/ (mode 0700) for a generation being written.</summary>
    public string CreateStaging(string purpose)
    {
        if (!StoreFiles.IsLinux)
        {
            throw StoreFiles.NotLinux();
        }
        string path = Path.Combine(TempDirectory, $"{purpose}-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path, StoreFiles.DirectoryMode);
        return path;
    }

    /// <summary>
    /// Takes the store-wide lock: shared for saves, restores and reads that must not see packs
    /// vanish; exclusive for gc. Waits while another keeper holds it the other way.
    /// </summary>
    public StoreLock LockStore(bool exclusive, Action<string>? waiting = null) =>
        StoreLock.Acquire(Path.Combine(LocksDirectory, "store.lock"), exclusive, waiting, "the store (a gc or a save is running)");

    /// <summary>Takes the lock of one name: saves, removals and imports of a name run one at a time.</summary>
    public StoreLock LockName(string name, Action<string>? waiting = null) =>
        StoreLock.Acquire(Path.Combine(LocksDirectory, name + ".lock"), exclusive: true, waiting, $"snapshot '{name}' (another save of it is running)");

    /// <summary>
    /// The tree the last restore of <paramref name="name"/> brought back, if recorded: restored
    /// processes have their saved pids but new start times, so the manifest alone cannot tell
    /// that the session runs again.
    /// </summary>
    public SessionRecord? LiveRecord(string name)
    {
        string path = Path.Combine(LiveDirectory, name + ".pb");
        try
        {
            return SessionRecord.Parser.ParseFrom(File.ReadAllBytes(path));
        }
        catch (Exception e) when (e is IOException or Google.Protobuf.InvalidProtocolBufferException)
        {
            return null;
        }
    }

    /// <summary>Records the tree a restore of <paramref name="name"/> brought back (replacing the previous record in one rename).</summary>
    public void RecordLive(string name, SessionRecord record)
    {
        StoreFiles.CreateDirectory(LiveDirectory);
        string path = Path.Combine(LiveDirectory, name + ".pb");
        string temporary = $"{path}.{Environment.ProcessId}.tmp";
        // Not fsynced: the record speaks of processes of this boot only, which a crash ends;
        // a record from another boot is ignored and a damaged one read as none.
        using (FileStream file = StoreFiles.CreateNew(temporary, 0))
        {
            file.Write(Google.Protobuf.MessageExtensions.ToByteArray(record));
        }
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>The processes of the session <paramref name="generation"/> holds that run now: the saved tree, or the tree its last restore brought back.</summary>
    public List<SavedProcess> Running(Generation generation) =>
        LiveTree.Running(generation.Manifest.Session).Concat(LiveTree.Running(LiveRecord(generation.Name))).DistinctBy(p => p.Pid).ToList();

    /// <summary>Commits a staging directory as generation <paramref name="generation"/> of <paramref name="name"/> (caller holds the name lock).</summary>
    public string Commit(string staging, string name, string generation)
    {
        StoreFiles.SyncDirectory(staging);
        string nameDirectory = Path.Combine(SnapshotsDirectory, name);
        if (!Directory.Exists(nameDirectory))
        {
            StoreFiles.CreateDirectory(nameDirectory);
            StoreFiles.SyncDirectory(SnapshotsDirectory);
        }
        string target = GenerationPath(name, generation);
        if (StoreFiles.Publish(staging, target))
        {
            // The autosave that was replaced now sits in tmp/.
            StoreFiles.DeleteTree(staging);
        }
        return target;
    }

    /// <summary>
    /// Removes one generation: it leaves snapshots/ in one rename (to tmp/) and is deleted
    /// from there; the name's directory goes when its last generation does.
    /// </summary>
    public void Remove(Generation generation)
    {
        string aside = Path.Combine(TempDirectory, $"rm-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.Move(generation.Directory, aside);
        StoreFiles.SyncDirectory(Path.GetDirectoryName(generation.Directory)!);
        StoreFiles.DeleteTree(aside);
        string nameDirectory = Path.Combine(SnapshotsDirectory, generation.Name);
        if (!GenerationDirectories(generation.Name).Any())
        {
            try
            {
                Directory.Delete(nameDirectory);
            }
            catch (IOException)
            {
            }
        }
    }
}

/// <summary>One committed generation: its directory and manifest.</summary>
public sealed class Generation
{
    private Generation(string name, string id, string directory, Manifest manifest)
    {
        Name = name;
        Id = id;
        Directory = directory;
        Manifest = manifest;
    }

    /// <summary>The snapshot name.</summary>
    public string Name { get; }

    /// <summary>"1", "2", … or "auto".</summary>
    public string Id { get; }

    /// <summary>NAME@GEN.</summary>
    public string Spec => $"{Name}@{Id}";

    /// <summary>The generation's number (0 for the autosave), for ordering.</summary>
    public int Number => Id == SnapshotStore.AutoGeneration ? 0 : int.Parse(Id, CultureInfo.InvariantCulture);

    /// <summary>Its directory.</summary>
    public string Directory { get; }

    /// <summary>Its manifest.</summary>
    public Manifest Manifest { get; }

    /// <summary>When it was saved.</summary>
    public DateTime CreatedAt => Manifest.CreatedAt?.ToDateTime() ?? DateTime.MinValue;

    /// <summary>Bytes of the image files kept in the directory.</summary>
    public long ImageBytes => Manifest.Files.Where(f => !f.Chunked).Sum(f => (long)f.Size);

    /// <summary>Bytes on disk: its images plus every chunk it refers to (chunks shared with other generations included).</summary>
    public long DiskBytes => ImageBytes + Manifest.Chunks.Sum(c => (long)c.StoredLength + PackFormat.RecordHeaderLength);

    /// <summary>Reads the generation <paramref name="id"/> of <paramref name="name"/>.</summary>
    public static Generation Load(SnapshotStore store, string name, string id)
    {
        string directory = store.GenerationPath(name, id);
        Manifest manifest;
        try
        {
            manifest = ManifestFile.Read(directory);
        }
        catch (StoreException e)
        {
            throw new StoreException($"snapshot {name}@{id}: {e.Message}; remove it with `keeper rm {name}@{id}`", e);
        }
        return new Generation(name, id, directory, manifest);
    }
}
