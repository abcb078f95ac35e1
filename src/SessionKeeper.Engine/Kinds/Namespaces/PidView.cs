using Google.Protobuf;
using SessionKeeper.Engine.ProcFs;
using V1 = SessionKeeper.Images.V1;

namespace SessionKeeper.Engine.Kinds.Namespaces;

/// <summary>
/// The pids of a dumped tree as its images record them. The dump reads every pid from keeper's
/// side of /proc, i.e. in keeper's pid namespace; a tree that is a pid namespace of its own is
/// recorded as seen inside it, because that is what its programs know (getpid, kill, the
/// children they wait for) and what restore can give back with clone3 set_tid.
/// </summary>
/// <remarks>
/// Inside, a task's pid is the last entry of NSpid in its status file. The init's parent is
/// outside the namespace and recorded as 0, like a process group or session whose id is not
/// visible inside (the last entry of NSpgid and NSsid, which the kernel prints as 0 then).
/// Every pid field of the images is translated here, in one place, when the images are written:
/// a new field that holds a pid has to be added to the Translate methods.
/// </remarks>
public sealed class PidView
{
    private readonly int _rootHostPid;
    private readonly Dictionary<int, int>? _inside;
    private readonly Dictionary<int, (int Pgid, int Sid)>? _groups;

    private PidView(int rootHostPid, Dictionary<int, int>? inside, Dictionary<int, (int Pgid, int Sid)>? groups)
    {
        _rootHostPid = rootHostPid;
        _inside = inside;
        _groups = groups;
    }

    /// <summary>The view of a tree in keeper's own pid namespace: every pid as keeper sees it, images unchanged.</summary>
    public static PidView Host { get; } = new(0, null, null);

    /// <summary>True when the images record pids as seen inside the tree's own pid namespace.</summary>
    public bool IsInsideNamespace => _inside is not null;

    /// <summary>
    /// Builds the view of a tree that is a pid namespace of its own, rooted at its init
    /// <paramref name="rootHostPid"/>, from the status files of its processes (NSpid, NSpgid,
    /// NSsid) and of every thread that is not a thread-group leader (NSpid).
    /// </summary>
    /// <param name="rootHostPid">The init, as keeper sees it.</param>
    /// <param name="processes">Every process of the tree, zombies included, by the pid keeper sees.</param>
    /// <param name="threads">The other threads of the live processes, by the tid keeper sees.</param>
    public static PidView Inside(
        int rootHostPid,
        IEnumerable<(int HostPid, ProcStatus Status)> processes,
        IEnumerable<(int HostTid, ProcStatus Status)> threads)
    {
        var inside = new Dictionary<int, int>();
        var groups = new Dictionary<int, (int Pgid, int Sid)>();
        foreach ((int hostPid, ProcStatus status) in processes)
        {
            inside[hostPid] = Innermost(status.NSPid, hostPid, "NSpid");
            groups[hostPid] = (Innermost(status.NSPgid, hostPid, "NSpgid"), Innermost(status.NSSid, hostPid, "NSsid"));
        }
        foreach ((int hostTid, ProcStatus status) in threads)
        {
            inside[hostTid] = Innermost(status.NSPid, hostTid, "NSpid");
        }
        if (!inside.ContainsKey(rootHostPid))
        {
            throw new ArgumentException($"the root, pid {rootHostPid}, is not among the processes", nameof(processes));
        }
        return new PidView(rootHostPid, inside, groups);
    }

    private static int Innermost(int[] ids, int hostId, string line)
        => ids.Length > 0 ? ids[^1] : throw new InvalidOperationException($"pid {hostId}: the status file has no {line} line (kernel older than 4.1?)");

    /// <summary>The pid or tid the images record for the task keeper sees as <paramref name="hostId"/>.</summary>
    public int ToImage(int hostId)
    {
        if (_inside is null)
        {
            return hostId;
        }
        return _inside.TryGetValue(hostId, out int inside)
            ? inside
            : throw new InvalidOperationException($"pid {hostId} is not a task of the saved tree, so it has no pid inside its namespace");
    }

    private uint ToImage(uint hostId) => (uint)ToImage((int)hostId);

    /// <summary>A pstree entry with the pids as the images record them (the same object for a host tree).</summary>
    public V1.PstreeEntry Translate(V1.PstreeEntry entry) => Translated(entry, copy =>
    {
        int hostPid = (int)copy.Pid;
        (int pgid, int sid) = _groups![hostPid];
        copy.Pid = ToImage(copy.Pid);
        copy.Ppid = hostPid == _rootHostPid ? 0 : ToImage(copy.Ppid);
        copy.Pgid = (uint)pgid;
        copy.Sid = (uint)sid;
        uint[] threads = copy.Threads.Select(ToImage).ToArray();
        copy.Threads.Clear();
        copy.Threads.AddRange(threads);
    });

    /// <summary>A core image with the pids as the images record them (the same object for a host tree).</summary>
    /// <remarks>
    /// Queued siginfo needs nothing: the kernel fills si_pid as the receiver's pid namespace
    /// sees the sender when the signal is sent.
    /// </remarks>
    public V1.Core Translate(V1.Core core) => Translated(core, copy =>
    {
        copy.Pid = ToImage(copy.Pid);
        foreach (V1.ThreadCore thread in copy.Threads)
        {
            thread.Tid = ToImage(thread.Tid);
        }
        foreach (V1.PosixTimer timer in copy.PosixTimers.Where(t => t.NotifyTid != 0))
        {
            // (0 stays: the target thread is gone, and the kernel shows a dead pid as 0.)
            timer.NotifyTid = ToImage(timer.NotifyTid);
        }
    });

    /// <summary>An mm image with the pid as the images record it (the same object for a host tree).</summary>
    public V1.Mm Translate(V1.Mm mm) => Translated(mm, copy => copy.Pid = ToImage(copy.Pid));

    private T Translated<T>(T message, Action<T> translate)
        where T : IDeepCloneable<T>
    {
        if (_inside is null)
        {
            return message;
        }
        T copy = message.Clone();
        translate(copy);
        return copy;
    }
}
