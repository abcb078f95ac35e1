using SessionKeeper.Engine.ProcFs;
using SessionKeeper.Native;
using SessionKeeper.ProcessControl;
using SessionKeeper.Store.V1;

namespace SessionKeeper.Store;

/// <summary>
/// Which processes of a saved tree still run: same boot, same pid, same start time. A pid
/// alone is not enough — pids are reused — and a start time alone means nothing in another
/// boot.
/// </summary>
public static class LiveTree
{
    /// <summary>/proc/sys/kernel/random/boot_id.</summary>
    public static string BootId() => File.Exists("/proc/sys/kernel/random/boot_id") ? File.ReadAllText("/proc/sys/kernel/random/boot_id").Trim() : "";

    /// <summary>The tree of <paramref name="rootPid"/> as it runs now, parents first.</summary>
    public static List<SavedProcess> Snapshot(int rootPid)
    {
        var processes = new List<SavedProcess>();
        foreach (int pid in ProcTasks.Descendants(rootPid))
        {
            if (ProcFsReader.TryReadStat(pid, out ProcStat stat))
            {
                processes.Add(new SavedProcess { Pid = (uint)pid, StartTime = stat.StartTime, Comm = stat.Comm });
            }
        }
        return processes;
    }

    /// <summary>Sum of the resident memory of <paramref name="processes"/>, in bytes.</summary>
    public static long ResidentBytes(IEnumerable<SavedProcess> processes) =>
        processes.Sum(p => ProcFsReader.TryReadStat((int)p.Pid, out ProcStat stat) ? stat.Rss * Environment.SystemPageSize : 0);

    /// <summary>The processes of <paramref name="session"/> that still run (not zombies).</summary>
    public static List<SavedProcess> Running(SessionRecord? session)
    {
        if (session is null || session.BootId != BootId())
        {
            return [];
        }
        return session.Processes
            .Where(p => p.StartTime != 0 && ProcFsReader.TryReadStat((int)p.Pid, out ProcStat stat) && stat.StartTime == p.StartTime && stat.State != 'Z')
            .ToList();
    }

    /// <summary>
    /// Ends the processes <paramref name="running"/> lists (SIGKILL) and waits until it lists
    /// none. Throws <see cref="StoreException"/> naming a pid that does not go.
    /// </summary>
    public static void End(Func<List<SavedProcess>> running, TimeSpan timeout)
    {
        foreach (SavedProcess process in running())
        {
            Interop.TryKill((int)process.Pid, Signals.SIGKILL);
        }
        DateTime deadline = DateTime.UtcNow + timeout;
        while (running() is { Count: > 0 } left)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new StoreException($"pid {left[0].Pid} ({left[0].Comm}) of the saved session did not end after SIGKILL");
            }
            Thread.Sleep(10);
        }
    }
}
