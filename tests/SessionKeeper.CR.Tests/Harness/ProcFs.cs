using System.Globalization;

namespace SessionKeeper.CR.Tests.Harness;

/// <summary>
/// The few /proc readers the harness needs. Every reader treats "the process is gone" as a
/// normal answer (null or empty), because the processes it looks at end while it reads.
/// </summary>
internal static class ProcFs
{
    /// <summary>Fields of /proc/PID/stat the harness uses.</summary>
    public readonly record struct Stat(char State, int ParentPid, int ProcessGroup, int Session);

    public static Stat? TryReadStat(int pid)
    {
        string? text = TryReadText($"/proc/{pid}/stat");
        // comm may hold spaces and parentheses; the fields after the last ')' are fixed.
        int close = text?.LastIndexOf(')') ?? -1;
        if (text is null || close < 0)
        {
            return null;
        }
        string[] fields = text[(close + 2)..].Split(' ');
        return new Stat(
            fields[0][0],
            int.Parse(fields[1], CultureInfo.InvariantCulture),
            int.Parse(fields[2], CultureInfo.InvariantCulture),
            int.Parse(fields[3], CultureInfo.InvariantCulture));
    }

    /// <summary>Running or sleeping; a zombie has ended and only waits for its reaper.</summary>
    public static bool IsAlive(int pid) => TryReadStat(pid) is { State: not ('Z' or 'X') };

    public static IEnumerable<int> AllPids()
    {
        foreach (string dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out int pid))
            {
                yield return pid;
            }
        }
    }

    /// <summary>The pids of a process in each pid namespace, outermost first (NSpid in status).</summary>
    public static int[] NamespacePids(int pid)
    {
        string? text = TryReadText($"/proc/{pid}/status");
        string? line = text?.Split('\n').FirstOrDefault(l => l.StartsWith("NSpid:", StringComparison.Ordinal));
        if (line is null)
        {
            return [];
        }
        return line["NSpid:".Length..]
            .Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries)
            .Select(p => int.Parse(p, CultureInfo.InvariantCulture))
            .ToArray();
    }

    /// <summary>A namespace a process lives in (kind: pid, mnt, net, ipc, ...), as <c>kind:[inode]</c>.</summary>
    public static string? Namespace(int pid, string kind)
    {
        try
        {
            return new FileInfo($"/proc/{pid}/ns/{kind}").LinkTarget;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Children of every thread of a process.</summary>
    public static IEnumerable<int> Children(int pid)
    {
        string[] tasks;
        try
        {
            tasks = Directory.GetDirectories($"/proc/{pid}/task");
        }
        catch (IOException)
        {
            return [];
        }
        return tasks
            .Select(task => TryReadText(Path.Combine(task, "children")) ?? "")
            .SelectMany(text => text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(p => int.Parse(p, CultureInfo.InvariantCulture))
            .ToArray();
    }

    /// <summary>The process and all its descendants that exist now.</summary>
    public static IReadOnlyCollection<int> Descendants(int pid)
    {
        var found = new HashSet<int>();
        var pending = new Stack<int>([pid]);
        while (pending.TryPop(out int next))
        {
            if (found.Add(next))
            {
                foreach (int child in Children(next))
                {
                    pending.Push(child);
                }
            }
        }
        found.Remove(pid);
        return found;
    }

    public static string? TryReadText(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // FileNotFound and DirectoryNotFound are IOExceptions: the process is gone. ESRCH
            // while reading shows as an IOException too.
            return null;
        }
    }
}
