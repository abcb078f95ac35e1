using System.Globalization;
using SessionKeeper.Engine.Dump;
using SessionKeeper.Engine.ProcFs;
using SessionKeeper.Native;
using SessionKeeper.ProcessControl;
using V1 = SessionKeeper.Images.V1;

namespace SessionKeeper.Engine.Kinds.Namespaces;

/// <summary>
/// The namespaces of a frozen tree, for the dump: which of them the tree has to itself, the
/// pids as its images record them, and the refusal of what restore could not rebuild.
/// </summary>
/// <remarks>
/// A tree either lives in keeper's namespaces, or is a pid namespace of its own rooted at
/// that namespace's init, with its own mount, network and IPC namespaces or keeper's. A pid
/// namespace is saved only whole: every process in it is below its init, and an init that
/// dies takes the namespace with it, so a tree rooted anywhere else inside cannot be restored
/// with its pids. Namespaces are told apart by the inode of their /proc/PID/ns links.
/// </remarks>
public sealed class NamespaceDump
{
    // The kinds restore can create for a tree, as clone3 flags; the order of the image fields.
    private static readonly string[] s_ownable = ["pid", "mnt", "net", "ipc"];

    // A cgroup namespace changes only how cgroup paths read, and restore does not move
    // processes between cgroups, so it is not compared.
    private static readonly string[] s_compared = ["pid", "mnt", "net", "ipc", "uts", "user", "time"];

    private NamespaceDump(PidView pids, V1.TreeNamespaces? image)
    {
        Pids = pids;
        Image = image;
    }

    /// <summary>How the images record pids.</summary>
    public PidView Pids { get; }

    /// <summary>The namespaces the tree has to itself, for the inventory; null for a tree in keeper's namespaces.</summary>
    public V1.TreeNamespaces? Image { get; }

    /// <summary>
    /// Finds the namespaces of a frozen tree and checks that restore can rebuild them; reads
    /// only /proc, so it runs before anything is injected. Must run while the tree is frozen.
    /// </summary>
    /// <exception cref="UnsupportedObjectException">The tree's namespaces cannot be saved.</exception>
    public static NamespaceDump Inspect(FrozenTree tree)
    {
        int root = tree.RootPid;
        Dictionary<string, ulong> rootNamespaces = ReadNamespaces(root);
        if (!rootNamespaces.ContainsKey("pid"))
        {
            throw new TaskVanishedException(root, root, "exited while frozen");
        }
        foreach (FrozenProcess process in tree.Processes.Where(p => !p.IsZombie && p.Pid != root))
        {
            foreach ((string kind, ulong inode) in ReadNamespaces(process.Pid))
            {
                if (rootNamespaces.TryGetValue(kind, out ulong rootInode) && inode != rootInode)
                {
                    throw new UnsupportedObjectException(process.Pid, null, $"{kind} namespace",
                        $"not the one of the tree's root, pid {root}: a tree is saved with one namespace of each kind");
                }
            }
        }

        Dictionary<string, ulong> keeperNamespaces = ReadNamespaces(Environment.ProcessId);
        var own = s_compared
            .Where(kind => rootNamespaces.TryGetValue(kind, out ulong inode) && keeperNamespaces.TryGetValue(kind, out ulong mine) && inode != mine)
            .ToHashSet();
        if (!own.Contains("pid"))
        {
            if (own.Count > 0)
            {
                throw new UnsupportedObjectException(root, null, $"{own.First()} namespace",
                    "the tree's own while it shares keeper's pid namespace: namespaces are saved only with a pid namespace of their own, from its init");
            }
            return new NamespaceDump(PidView.Host, null);
        }

        ProcStatus rootStatus = ReadStatus(root);
        int rootInside = rootStatus.NSPid.Length > 0 ? rootStatus.NSPid[^1] : 0;
        if (rootInside != 1)
        {
            throw new UnsupportedObjectException(root, null, "pid namespace",
                $"pid {root} is pid {rootInside} inside its pid namespace, not its init: a pid namespace is saved only whole, from its init (pid 1)");
        }
        if (own.FirstOrDefault(kind => !s_ownable.Contains(kind)) is { } other)
        {
            throw new UnsupportedObjectException(root, null, $"{other} namespace",
                "restore creates only pid, mount, network and IPC namespaces for a tree");
        }
        CheckWholeNamespace(tree, rootNamespaces["pid"]);
        if (own.Contains("mnt"))
        {
            CheckMounts(root);
        }
        if (own.Contains("net"))
        {
            CheckNetDevices(root);
        }

        var image = new V1.TreeNamespaces
        {
            Pid = true,
            Mnt = own.Contains("mnt"),
            Net = own.Contains("net"),
            Ipc = own.Contains("ipc"),
        };
        return new NamespaceDump(BuildPidView(tree, rootStatus), image);
    }

    /// <summary>
    /// What only the init itself can tell, asked with injected calls: whether lo is up in its
    /// network namespace. Runs on the tracer thread after the processes were dumped, so that
    /// their state was read before anything was injected.
    /// </summary>
    public void CollectFromInit(TracerThread tracer, FrozenTree tree)
    {
        if (Image is not { Net: true })
        {
            return;
        }
        FrozenProcess init = tree[tree.RootPid];
        ulong vdso = ProcTasks.VdsoStart(init.Pid)
            ?? throw new UnsupportedObjectException(init.Pid, null, "network namespace", "the init has no vDSO to ask the loopback device's state through");
        using var injector = new Injector(tracer, init.Threads[0], vdso);
        injector.MapStub();
        Image.LoopbackUp = (Loopback.Flags(injector) & Native.InterfaceFlags.IFF_UP) != 0;
    }

    /// <summary>The namespaces of <paramref name="pid"/> by kind; empty when it is gone or its thread-group leader has exited.</summary>
    private static Dictionary<string, ulong> ReadNamespaces(int pid)
    {
        var namespaces = new Dictionary<string, ulong>();
        foreach (string kind in s_compared)
        {
            if (ProcFsReader.TryReadNamespace(pid, kind, out ulong inode))
            {
                namespaces[kind] = inode;
            }
        }
        return namespaces;
    }

    private static ProcStatus ReadStatus(int pid)
        => ProcFsReader.TryReadStatus(pid, out ProcStatus status) ? status : throw new TaskVanishedException(pid, pid, "exited while frozen");

    /// <summary>
    /// Refuses a pid namespace with processes outside the tree: a process that joined it with
    /// setns from outside is not below the init and would be lost.
    /// </summary>
    private static void CheckWholeNamespace(FrozenTree tree, ulong pidNamespace)
    {
        var inTree = tree.Processes.Select(p => p.Pid).ToHashSet();
        foreach (string directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out int pid)
                && !inTree.Contains(pid)
                && TryReadPidNamespace(pid) == pidNamespace)
            {
                throw new UnsupportedObjectException(pid, null, "process outside the tree",
                    $"pid {pid} is in the pid namespace of pid {tree.RootPid} but not below it (did it join with setns?); a pid namespace is saved only whole");
            }
        }
    }

    // A process keeper may not inspect (EACCES: more privileged than keeper, such as the
    // machine's init here) is not one keeper could have saved either; it is passed over.
    private static ulong? TryReadPidNamespace(int pid)
    {
        try
        {
            return ProcFsReader.TryReadNamespace(pid, "pid", out ulong inode) ? inode : null;
        }
        catch (ErrnoException e) when (e.Errno == Errno.EACCES)
        {
            return null;
        }
    }

    /// <summary>
    /// Refuses a mount namespace with mounts keeper's lacks: restore copies keeper's mount
    /// namespace and adds only a fresh /proc, so the tree's own mounts (a tmpfs, a bind mount, a
    /// new root) would be missing and its paths would lead elsewhere.
    /// </summary>
    private static void CheckMounts(int root)
    {
        if (!ProcFsReader.TryReadMountInfo(root, out List<MountInfoEntry> mounts))
        {
            throw new TaskVanishedException(root, root, "exited while frozen");
        }
        if (!ProcFsReader.TryReadMountInfo(Environment.ProcessId, out List<MountInfoEntry> keeperMounts))
        {
            throw new InvalidOperationException("cannot read keeper's own /proc/self/mountinfo");
        }
        var known = keeperMounts.Select(Key).ToHashSet();
        foreach (MountInfoEntry mount in mounts)
        {
            // The tree's proc, which restore mounts anew for the new pid namespace.
            bool ownProc = mount.FsType == "proc" && mount.MountPoint == "/proc";
            if (!ownProc && !known.Contains(Key(mount)))
            {
                throw new UnsupportedObjectException(root, null, "mount",
                    $"{mount.FsType} {mount.Source} on {mount.MountPoint}, the tree's own: its mount namespace is restored as a copy of keeper's with a fresh /proc");
            }
        }

        static (string, string, string, string) Key(MountInfoEntry mount) => (mount.Device, mount.Root, mount.MountPoint, mount.FsType);
    }

    private static void CheckNetDevices(int root)
    {
        if (!ProcFsReader.TryReadNetDevices(root, out List<string> devices))
        {
            throw new TaskVanishedException(root, root, "exited while frozen");
        }
        if (devices.FirstOrDefault(device => device != "lo") is { } device)
        {
            throw new UnsupportedObjectException(root, null, "network device", $"{device} in the tree's network namespace: only lo is restored there");
        }
    }

    private static PidView BuildPidView(FrozenTree tree, ProcStatus rootStatus)
    {
        var processes = new List<(int, ProcStatus)>();
        var threads = new List<(int, ProcStatus)>();
        foreach (FrozenProcess process in tree.Processes)
        {
            processes.Add((process.Pid, process.Pid == tree.RootPid ? rootStatus : ReadStatus(process.Pid)));
            foreach (Tracee thread in process.Threads.Where(t => t.Tid != process.Pid))
            {
                threads.Add((thread.Tid, ProcFsReader.TryReadTaskStatus(process.Pid, thread.Tid, out ProcStatus status)
                    ? status
                    : throw new TaskVanishedException(process.Pid, thread.Tid, "exited while frozen")));
            }
        }
        return PidView.Inside(tree.RootPid, processes, threads);
    }
}
