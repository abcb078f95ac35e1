namespace SessionKeeper.Engine.ProcFs;

/// <summary>One line of /proc/PID/cgroup.</summary>
/// <param name="HierarchyId">The hierarchy id; 0 for the unified (v2) hierarchy.</param>
/// <param name="Controllers">The controllers of a v1 hierarchy, empty for v2.</param>
/// <param name="Path">The cgroup path relative to the hierarchy's root (as seen from the reader's cgroup namespace).</param>
public sealed record CgroupEntry(int HierarchyId, string Controllers, string Path);

public static partial class ProcFsReader
{
    /// <summary>Reads /proc/PID/task/TID/children: the children this thread forked; false when the thread is gone.</summary>
    /// <remarks>
    /// The list holds children whose parent is this very thread and is not atomic across
    /// threads; the freezer re-reads it until the tree is stable (DESIGN.md §3).
    /// </remarks>
    public static bool TryReadChildren(int pid, int tid, out List<int> children)
        => TryParseFile(TaskPath(pid, tid, "children"), static text => ParseChildren(text), out children!);

    /// <summary>Parses a children file: pids separated by spaces.</summary>
    public static List<int> ParseChildren(ReadOnlySpan<char> text)
    {
        var children = new List<int>();
        while (true)
        {
            ReadOnlySpan<char> token = ProcText.NextToken(ref text);
            token = token.TrimEnd('\n');
            if (token.IsEmpty)
            {
                return children;
            }
            children.Add(ProcText.Int(token, "children pid"));
        }
    }

    /// <summary>Reads the /proc/PID/cwd link; false when the process is gone.</summary>
    public static bool TryReadCwd(int pid, out string cwd) => TryReadLinkOut(ProcPath(pid, "cwd"), out cwd);

    /// <summary>Reads the /proc/PID/root link (the process's root directory); false when the process is gone.</summary>
    public static bool TryReadRoot(int pid, out string root) => TryReadLinkOut(ProcPath(pid, "root"), out root);

    /// <summary>Reads the /proc/PID/exe link (may end in " (deleted)" after an upgrade); false when the process is gone.</summary>
    public static bool TryReadExe(int pid, out string exe) => TryReadLinkOut(ProcPath(pid, "exe"), out exe);

    /// <summary>Reads /proc/PID/comm without its newline (raw bytes of the name, unlike status Name); false when gone.</summary>
    public static bool TryReadComm(int pid, out string comm)
        => TryParseFile(ProcPath(pid, "comm"), static text => ParseComm(text), out comm!);

    /// <summary>Reads /proc/PID/task/TID/comm (threads can be named separately); false when gone.</summary>
    public static bool TryReadTaskComm(int pid, int tid, out string comm)
        => TryParseFile(TaskPath(pid, tid, "comm"), static text => ParseComm(text), out comm!);

    /// <summary>Parses a comm file: the name followed by exactly one newline (the name itself may end in spaces).</summary>
    public static string ParseComm(ReadOnlySpan<char> text)
        => (text.EndsWith('\n') ? text[..^1] : text).ToString();

    /// <summary>Reads /proc/PID/personality (the personality(2) word); false when the process is gone.</summary>
    public static bool TryReadPersonality(int pid, out uint personality)
        => TryParseFile(ProcPath(pid, "personality"), static text => ParsePersonality(text), out personality);

    /// <summary>Parses the personality file: 8 hex digits.</summary>
    public static uint ParsePersonality(ReadOnlySpan<char> text)
        => (uint)ProcText.Hex(text.Trim("\n "), "personality");

    /// <summary>Reads /proc/PID/cgroup (informational: restore does not move processes between cgroups); false when gone.</summary>
    public static bool TryReadCgroup(int pid, out List<CgroupEntry> cgroups)
        => TryParseFile(ProcPath(pid, "cgroup"), static text => ParseCgroup(text), out cgroups!);

    /// <summary>Parses /proc/PID/cgroup lines "id:controllers:path" (the path may itself contain ':').</summary>
    public static List<CgroupEntry> ParseCgroup(ReadOnlySpan<char> text)
    {
        var entries = new List<CgroupEntry>();
        while (ProcText.NextLine(ref text, out ReadOnlySpan<char> line))
        {
            int first = line.IndexOf(':');
            int second = first < 0 ? -1 : line[(first + 1)..].IndexOf(':');
            if (second < 0)
            {
                continue;
            }
            second += first + 1;
            entries.Add(new CgroupEntry(
                ProcText.Int(line[..first], "cgroup hierarchy id"),
                line[(first + 1)..second].ToString(),
                line[(second + 1)..].ToString()));
        }
        return entries;
    }

    private static bool TryReadLinkOut(string path, out string target)
    {
        target = TryReadLink(path) ?? "";
        return target.Length > 0;
    }
}
