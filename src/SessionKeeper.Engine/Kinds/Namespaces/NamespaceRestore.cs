using System.Text;
using SessionKeeper.Engine.Restore;
using SessionKeeper.Images.V1;
using SessionKeeper.Native;
using SessionKeeper.ProcessControl;

namespace SessionKeeper.Engine.Kinds.Namespaces;

/// <summary>
/// Gives a restored tree the namespaces it had to itself (inventory.proto TreeNamespaces):
/// the root is cloned into new ones, and set up inside before anything else, so that every
/// process cloned from it, and every path opened while the tree is rebuilt, is already in them.
/// </summary>
/// <remarks>
/// With a pid namespace of its own the root becomes pid 1 of it (clone3 with CLONE_NEWPID and
/// set_tid [1]), and the other processes are cloned from their parents inside it with set_tid
/// holding their pid there. The pids in the images are the ones inside, so keeper finds the
/// tasks by the pid the fork event reports (PTRACE_GETEVENTMSG, in keeper's pid namespace).
/// </remarks>
public static class NamespaceRestore
{
    /// <summary>The clone3 flags that create the tree's own namespaces with its root (none for a tree in keeper's namespaces).</summary>
    public static CloneFlags CloneFlags(TreeNamespaces? namespaces)
    {
        if (namespaces is null)
        {
            return Native.CloneFlags.None;
        }
        return (namespaces.Pid ? Native.CloneFlags.CLONE_NEWPID : 0)
            | (namespaces.Mnt ? Native.CloneFlags.CLONE_NEWNS : 0)
            | (namespaces.Net ? Native.CloneFlags.CLONE_NEWNET : 0)
            | (namespaces.Ipc ? Native.CloneFlags.CLONE_NEWIPC : 0);
    }

    /// <summary>
    /// Checks the shape a tree with its own pid namespace must have: one root, first, pid 1 with
    /// parent 0, and every other process below it.
    /// </summary>
    /// <exception cref="InvalidDataException">The pstree image does not describe a whole pid namespace.</exception>
    public static void CheckTree(IReadOnlyList<PstreeEntry> tree, string pstreePath)
    {
        if (tree[0].Pid != 1 || tree[0].Ppid != 0)
        {
            throw new InvalidDataException($"{pstreePath}: the tree has a pid namespace of its own, but its first entry is pid {tree[0].Pid} with parent {tree[0].Ppid}, not the init (pid 1, parent 0)");
        }
        var seen = new HashSet<uint>();
        for (int i = 0; i < tree.Count; i++)
        {
            PstreeEntry entry = tree[i];
            if (i > 0 && !seen.Contains(entry.Ppid))
            {
                throw new InvalidDataException($"{pstreePath}: pid {entry.Pid} has parent {entry.Ppid}, which is not an earlier process of the tree's pid namespace");
            }
            if (!seen.Add(entry.Pid))
            {
                throw new InvalidDataException($"{pstreePath}: pid {entry.Pid} appears twice");
            }
        }
    }

    /// <summary>
    /// Sets up the namespaces inside the freshly cloned root, before anything else runs there:
    /// every mount private (the copy of keeper's mount namespace would otherwise share mount
    /// events with it), a proc of the new pid namespace on /proc, and lo up if it was.
    /// </summary>
    public static void SetUp(Injector root, TreeNamespaces namespaces)
    {
        if (namespaces.Mnt)
        {
            // One write for the strings: "/\0proc\0/proc\0".
            const int Offset = 4096;
            ulong slash = root.WriteScratch(Encoding.ASCII.GetBytes("/\0proc\0/proc\0"), Offset);
            ulong proc = slash + 2;
            ulong procPath = proc + 5;
            Step(root, "mount(/, MS_REC|MS_PRIVATE)",
                () => root.CallChecked(SyscallNumber.Mount, 0, slash, 0, (ulong)(MountFlags.MS_REC | MountFlags.MS_PRIVATE)));
            if (namespaces.Pid)
            {
                Step(root, "mount proc on /proc",
                    () => root.CallChecked(SyscallNumber.Mount, proc, procPath, proc, (ulong)(MountFlags.MS_NOSUID | MountFlags.MS_NODEV | MountFlags.MS_NOEXEC)));
            }
        }
        if (namespaces.Net && namespaces.LoopbackUp)
        {
            Step(root, "bring up lo", () => Loopback.BringUp(root));
        }
    }

    private static void Step(Injector task, string what, Action step)
    {
        try
        {
            step();
        }
        catch (Exception e) when (e is ErrnoException or InvalidOperationException or TaskVanishedException)
        {
            throw new RestoreException(task.Thread.Pid, what, e.Message, e);
        }
    }
}
