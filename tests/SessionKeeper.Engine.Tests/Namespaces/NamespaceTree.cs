using System.Diagnostics;
using SessionKeeper.Engine.ProcFs;
using SessionKeeper.Engine.Tests.Dump;

namespace SessionKeeper.Engine.Tests.Namespaces;

/// <summary>
/// A tree in fresh pid, mount, network and IPC namespaces, as a container runtime would start
/// one: unshare forks the init, which brings lo up, starts a child in a session of its own and
/// becomes <c>sleep</c>. The whole namespace ends with unshare's init on dispose.
/// </summary>
internal sealed class NamespaceTree : IDisposable
{
    private readonly DumpTarget _unshare;

    private NamespaceTree(DumpTarget unshare, int init, int child)
    {
        _unshare = unshare;
        Init = init;
        Child = child;
    }

    /// <summary>The init (pid 1 inside), as keeper sees it.</summary>
    public int Init { get; }

    /// <summary>The init's child, a session leader, as keeper sees it.</summary>
    public int Child { get; }

    /// <summary>The last NSpid entry of <paramref name="pid"/>: its pid inside its own pid namespace.</summary>
    public static int PidInside(int pid)
        => ProcFsReader.TryReadStatus(pid, out ProcStatus status) ? status.NSPid[^1] : throw new InvalidOperationException($"pid {pid} is gone");

    /// <summary>Starts the tree; <paramref name="setUp"/> is shell run first by the init, inside the namespaces.</summary>
    public static NamespaceTree Start(string setUp = "")
    {
        DumpTarget unshare = DumpTarget.Start("unshare",
            $"unshare --pid --mount --net --ipc --fork --mount-proc sh -c '{setUp} ip link set lo up; setsid sleep 1001 & exec sleep 1002'");
        var clock = Stopwatch.StartNew();
        while (clock.ElapsedMilliseconds < 10_000)
        {
            if (Only(unshare.Pid) is int init && Comm(init) == "sleep"
                && Only(init) is int child && Comm(child) == "sleep" && DumpTarget.State(child) == 'S')
            {
                return new NamespaceTree(unshare, init, child);
            }
            Thread.Sleep(10);
        }
        unshare.Dispose();
        Assert.Fail("the namespaced tree did not get ready");
        return null!;
    }

    private static int? Only(int pid)
        => ProcFsReader.TryReadChildren(pid, pid, out List<int> children) && children.Count == 1 ? children[0] : null;

    private static string Comm(int pid) => ProcFsReader.TryReadComm(pid, out string comm) ? comm : "";

    public void Dispose() => _unshare.Dispose();
}
