using System.Globalization;

namespace SessionKeeper.ProcessControl;

/// <summary>
/// The few /proc reads the freezer needs: threads of a process, children of a thread, state and
/// [vdso] address. "Process already gone" is a normal outcome (empty result), as in the
/// dotnet/runtime procfs readers.
/// </summary>
public static class ProcTasks
{
    /// <summary>Thread ids of <paramref name="pid"/> (empty if it is gone).</summary>
    public static List<int> Threads(int pid)
    {
        var tids = new List<int>();
        try
        {
            foreach (string dir in Directory.EnumerateDirectories($"/proc/{pid}/task"))
            {
                if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out int tid))
                {
                    tids.Add(tid);
                }
            }
        }
        catch (DirectoryNotFoundException)
        {
        }
        tids.Sort();
        return tids;
    }

    /// <summary>Children of thread <paramref name="tid"/> of process <paramref name="pid"/> (/proc/PID/task/TID/children).</summary>
    public static List<int> Children(int pid, int tid)
    {
        var children = new List<int>();
        string? text = TryReadAll($"/proc/{pid}/task/{tid}/children");
        if (text is null)
        {
            return children;
        }
        foreach (string part in text.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            children.Add(int.Parse(part, CultureInfo.InvariantCulture));
        }
        return children;
    }

    /// <summary>
    /// <paramref name="rootPid"/> and every process below it as they run now, parents first
    /// (/proc/PID/task/TID/children, breadth first); processes that vanish on the way are
    /// left out with their children. Not frozen: the tree may change meanwhile.
    /// </summary>
    public static List<int> Descendants(int rootPid)
    {
        var pids = new List<int> { rootPid };
        var seen = new HashSet<int> { rootPid };
        for (int i = 0; i < pids.Count; i++)
        {
            foreach (int tid in Threads(pids[i]))
            {
                foreach (int child in Children(pids[i], tid))
                {
                    if (seen.Add(child))
                    {
                        pids.Add(child);
                    }
                }
            }
        }
        return pids;
    }

    /// <summary>The one-letter state of /proc/PID/stat (R, S, D, T, t, Z, X …), or null if gone.</summary>
    public static char? State(int pid)
    {
        string? stat = TryReadAll($"/proc/{pid}/stat");
        if (stat is null)
        {
            return null;
        }
        // comm may contain spaces and parentheses: the state follows the last ')'.
        int close = stat.LastIndexOf(')');
        return close >= 0 && close + 2 < stat.Length ? stat[close + 2] : null;
    }

    /// <summary>Process name (/proc/PID/comm), or "?" if gone.</summary>
    public static string Comm(int pid) => TryReadAll($"/proc/{pid}/comm")?.TrimEnd('\n') ?? "?";

    /// <summary>Start address of the [vdso] mapping of <paramref name="pid"/>, or null if it has none.</summary>
    public static ulong? VdsoStart(int pid)
    {
        string? maps = TryReadAll($"/proc/{pid}/maps");
        if (maps is null)
        {
            return null;
        }
        foreach (string line in maps.Split('\n'))
        {
            if (line.EndsWith("[vdso]", StringComparison.Ordinal))
            {
                int dash = line.IndexOf('-');
                return ulong.Parse(line.AsSpan(0, dash), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            }
        }
        return null;
    }

    /// <summary>Reads a whole /proc file, or null when the process is gone.</summary>
    public static string? TryReadAll(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException
                                   || (e is IOException && e.HResult == 3 /* ESRCH */))
        {
            return null;
        }
    }
}
