using System.Globalization;
using SessionKeeper.Engine.ProcFs;
using SessionKeeper.Native;

namespace SessionKeeper.Sessions;

/// <summary>One process as the session finder sees it.</summary>
/// <param name="Pid">The process id.</param>
/// <param name="ParentPid">The parent's pid (0 for init and kernel threads).</param>
/// <param name="Uid">The real uid: the user the process belongs to, also for setuid programs.</param>
/// <param name="Name">The command name (status Name, 15 bytes at most).</param>
/// <param name="State">The state letter; 'Z' for a zombie.</param>
/// <param name="ResidentKb">VmRSS in kB (0 for zombies and kernel threads).</param>
internal sealed record ProcessEntry(int Pid, int ParentPid, uint Uid, string Name, char State, ulong ResidentKb);

/// <summary>
/// A snapshot of every process in /proc with the parent links, read once per lookup so that
/// every session's tree is measured against the same picture.
/// </summary>
internal sealed class ProcessTable
{
    private readonly Dictionary<int, ProcessEntry> _processes;
    private readonly Dictionary<int, List<int>> _children = [];

    private ProcessTable(Dictionary<int, ProcessEntry> processes)
    {
        _processes = processes;
        foreach (ProcessEntry process in processes.Values)
        {
            if (!_children.TryGetValue(process.ParentPid, out List<int>? list))
            {
                _children[process.ParentPid] = list = [];
            }
            list.Add(process.Pid);
        }
    }

    /// <summary>Every process, by pid.</summary>
    public IReadOnlyDictionary<int, ProcessEntry> Processes => _processes;

    /// <summary>Reads /proc now. A process that ends while it is read is left out.</summary>
    public static ProcessTable Read()
    {
        var processes = new Dictionary<int, ProcessEntry>();
        foreach (string directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out int pid))
            {
                continue;
            }
            try
            {
                if (ProcFsReader.TryReadStatus(pid, out ProcStatus status) && status.KernelThread != true)
                {
                    processes[pid] = new ProcessEntry(pid, status.PPid, status.Uid.Real, status.Name, status.State, status.VmRssKb);
                }
            }
            catch (ErrnoException e) when (e.Errno is Errno.EACCES or Errno.EPERM)
            {
                // hidepid=1 hides other users' processes this way: they are no session of the caller.
            }
        }
        return new ProcessTable(processes);
    }

    /// <summary>The process <paramref name="pid"/>, or null when it is not (or no longer) there.</summary>
    public ProcessEntry? Get(int pid) => _processes.GetValueOrDefault(pid);

    /// <summary>True when <paramref name="pid"/> is a live process (not a zombie) of <paramref name="uid"/>.</summary>
    public bool IsLive(int pid, uint uid) => Get(pid) is { State: not 'Z' } p && p.Uid == uid;

    /// <summary>True when none of <paramref name="clients"/> runs any more (a zombie counts as ended).</summary>
    public bool AllEnded(IEnumerable<SessionClient> clients)
        => clients.All(c => c.Pid == 0 || Get(c.Pid) is null or { State: 'Z' });

    /// <summary><paramref name="root"/> and all its descendants, root first (breadth first).</summary>
    public List<int> Tree(int root)
    {
        var tree = new List<int>();
        if (!_processes.ContainsKey(root))
        {
            return tree;
        }
        tree.Add(root);
        for (int i = 0; i < tree.Count; i++)
        {
            if (_children.TryGetValue(tree[i], out List<int>? children))
            {
                tree.AddRange(children.Order());
            }
        }
        return tree;
    }

    /// <summary>How many processes the tree of <paramref name="root"/> has, and the sum of their resident memory in bytes.</summary>
    public (int Count, long ResidentBytes) Measure(int root)
    {
        List<int> tree = Tree(root);
        long kb = 0;
        foreach (int pid in tree)
        {
            kb += (long)_processes[pid].ResidentKb;
        }
        return (tree.Count, kb * 1024);
    }

    /// <summary>
    /// The open descriptors of <paramref name="pid"/>; empty when it is gone or keeper may not
    /// look (another user's process when keeper is not root, or /proc mounted with hidepid):
    /// such a process is not the caller's session.
    /// </summary>
    public static List<FdEntry> ReadFds(int pid)
    {
        try
        {
            return ProcFsReader.TryReadFds(pid, out List<FdEntry> fds) ? fds : [];
        }
        catch (ErrnoException e) when (e.Errno is Errno.EACCES or Errno.EPERM)
        {
            return [];
        }
    }

    /// <summary>
    /// The filesystem path of the unix socket <paramref name="pid"/> listens on (a screen or
    /// tmux server's socket); null when it has none or is gone.
    /// </summary>
    public static string? ListeningSocketPath(int pid)
    {
        List<FdEntry> fds = ReadFds(pid);
        if (fds.Count == 0 || !ProcFsReader.TryReadUnixSockets(pid, out List<UnixSocketEntry> sockets))
        {
            return null;
        }
        var inodes = fds.Where(fd => fd.Kind == FdTargetKind.Socket).Select(fd => fd.Inode).ToHashSet();
        return sockets.FirstOrDefault(s => s.IsListening && !s.IsAbstract && s.Path is not null && inodes.Contains(s.Inode))?.Path;
    }

    /// <summary>
    /// The arguments of <paramref name="pid"/> from /proc/PID/cmdline; empty when the process is
    /// gone or is a zombie.
    /// </summary>
    public static string[] ReadArguments(int pid)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes($"/proc/{pid}/cmdline");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
        string text = System.Text.Encoding.UTF8.GetString(bytes).TrimEnd('\0');
        return text.Length == 0 ? [] : text.Split('\0');
    }
}
