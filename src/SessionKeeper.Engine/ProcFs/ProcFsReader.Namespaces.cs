namespace SessionKeeper.Engine.ProcFs;

public static partial class ProcFsReader
{
    /// <summary>
    /// The namespace kinds of /proc/PID/ns that a task is in (the <c>*_for_children</c> links
    /// are left out: they name where future children go).
    /// </summary>
    public static IReadOnlyList<string> NamespaceKinds { get; } = ["pid", "mnt", "net", "ipc", "uts", "user", "cgroup", "time"];

    /// <summary>
    /// Reads the /proc/PID/ns/KIND link and returns the namespace's inode number, which
    /// identifies the namespace; false when the process is gone, when it is a zombie (its
    /// namespaces went with its exit) or when the kernel has no namespaces of that kind.
    /// </summary>
    public static bool TryReadNamespace(int pid, string kind, out ulong inode)
    {
        string? link = TryReadLink(ProcPath(pid, "ns/" + kind));
        inode = link is null ? 0 : ParseNamespaceLink(link, kind);
        return link is not null;
    }

    /// <summary>Parses a namespace link's text, "KIND:[INODE]", e.g. "pid:[4026531836]".</summary>
    public static ulong ParseNamespaceLink(ReadOnlySpan<char> link, string kind)
    {
        if (!link.StartsWith(kind) || !link[kind.Length..].StartsWith(":[") || !link.EndsWith("]"))
        {
            throw ProcText.Bad($"ns/{kind} link", link);
        }
        return ProcText.Dec(link[(kind.Length + 2)..^1], $"ns/{kind} inode");
    }

    /// <summary>Reads the device names of /proc/PID/net/dev (the process's network namespace); false when it is gone.</summary>
    public static bool TryReadNetDevices(int pid, out List<string> devices)
        => TryParseFile(ProcPath(pid, "net/dev"), static text => ParseNetDevices(text), out devices!);

    /// <summary>Parses /proc/net/dev: two header lines, then "NAME: counters…" per device.</summary>
    public static List<string> ParseNetDevices(ReadOnlySpan<char> text)
    {
        var devices = new List<string>();
        int number = 0;
        while (ProcText.NextLine(ref text, out ReadOnlySpan<char> line))
        {
            if (++number <= 2)
            {
                continue;
            }
            int colon = line.IndexOf(':');
            if (colon <= 0)
            {
                throw ProcText.Bad("net/dev line", line);
            }
            devices.Add(line[..colon].Trim().ToString());
        }
        return devices;
    }
}
