namespace SessionKeeper.Engine.ProcFs;

/// <summary>One line of /proc/PID/mountinfo (proc(5)); paths keep the kernel's octal escapes (\040 for a space).</summary>
/// <param name="MountId">The mount's id (unique within the system; a copied mount namespace gets new ones).</param>
/// <param name="ParentId">The parent mount's id.</param>
/// <param name="Device">"major:minor" of the filesystem.</param>
/// <param name="Root">The directory of the filesystem mounted here.</param>
/// <param name="MountPoint">Where it is mounted, relative to the process's root.</param>
/// <param name="FsType">The filesystem type, e.g. "proc", "ext4".</param>
/// <param name="Source">The mount source, e.g. "/dev/vda", "tmpfs".</param>
public sealed record MountInfoEntry(int MountId, int ParentId, string Device, string Root, string MountPoint, string FsType, string Source);

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

    /// <summary>Reads /proc/PID/mountinfo (the mounts of the process's mount namespace); false when it is gone.</summary>
    public static bool TryReadMountInfo(int pid, out List<MountInfoEntry> mounts)
        => TryParseFile(ProcPath(pid, "mountinfo"), static text => ParseMountInfo(text), out mounts!);

    /// <summary>
    /// Parses mountinfo lines: "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL…] - FSTYPE SOURCE SUPEROPTIONS".
    /// </summary>
    public static List<MountInfoEntry> ParseMountInfo(ReadOnlySpan<char> text)
    {
        var mounts = new List<MountInfoEntry>();
        while (ProcText.NextLine(ref text, out ReadOnlySpan<char> line))
        {
            if (line.IsEmpty)
            {
                continue;
            }
            ReadOnlySpan<char> rest = line;
            int id = ProcText.Int(ProcText.NextToken(ref rest), "mountinfo mount id");
            int parent = ProcText.Int(ProcText.NextToken(ref rest), "mountinfo parent id");
            string device = ProcText.NextToken(ref rest).ToString();
            string root = ProcText.NextToken(ref rest).ToString();
            string mountPoint = ProcText.NextToken(ref rest).ToString();
            ProcText.NextToken(ref rest);
            // Optional fields (shared:N, master:N, …) up to the separator.
            int separator = rest.IndexOf(" - ");
            if (separator < 0)
            {
                throw ProcText.Bad("mountinfo line", line);
            }
            rest = rest[(separator + 3)..];
            string fsType = ProcText.NextToken(ref rest).ToString();
            string source = ProcText.NextToken(ref rest).ToString();
            if (fsType.Length == 0)
            {
                throw ProcText.Bad("mountinfo line", line);
            }
            mounts.Add(new MountInfoEntry(id, parent, device, root, mountPoint, fsType, source));
        }
        return mounts;
    }
}
