namespace SessionKeeper.Engine.ProcFs;

public static partial class ProcFsReader
{
    /// <summary>
    /// Column where the kernel starts the path: show_map_vma pads the fixed fields to
    /// 25 + 6 * sizeof(void*) - 1 = 72 characters on 64-bit, then writes one space.
    /// </summary>
    private const int MapsPathColumn = 73;

    private const string DeletedSuffix = " (deleted)";

    /// <summary>Reads /proc/PID/maps; false when the process is gone.</summary>
    public static bool TryReadMaps(int pid, out List<MapEntry> maps)
        => TryParseFile(ProcPath(pid, "maps"), static text => ParseMaps(text), out maps!);

    /// <summary>Parses the text of /proc/PID/maps.</summary>
    public static List<MapEntry> ParseMaps(ReadOnlySpan<char> text)
    {
        var maps = new List<MapEntry>();
        string? lastPath = null;
        while (ProcText.NextLine(ref text, out ReadOnlySpan<char> line))
        {
            if (!line.IsEmpty)
            {
                MapEntry entry = ParseMapsLine(line, lastPath);
                lastPath = entry.Path ?? lastPath;
                maps.Add(entry);
            }
        }
        return maps;
    }

    /// <summary>Parses one line of /proc/PID/maps (also the header line of each /proc/PID/smaps block).</summary>
    public static MapEntry ParseMapsLine(ReadOnlySpan<char> line) => ParseMapsLine(line, null);

    /// <param name="line">The line without its newline.</param>
    /// <param name="previousPath">The path of the previous line: a library maps 4-5 areas in a row, and they share one string.</param>
    private static MapEntry ParseMapsLine(ReadOnlySpan<char> line, string? previousPath)
    {
        ReadOnlySpan<char> rest = line;
        ReadOnlySpan<char> range = ProcText.NextToken(ref rest);
        int dash = range.IndexOf('-');
        if (dash < 0)
        {
            throw ProcText.Bad("maps address range", range);
        }
        ulong start = ProcText.Hex(range[..dash], "maps start address");
        ulong end = ProcText.Hex(range[(dash + 1)..], "maps end address");

        ReadOnlySpan<char> perms = ProcText.NextToken(ref rest);
        if (perms.Length != 4)
        {
            throw ProcText.Bad("maps permissions", perms);
        }
        MapPermissions permissions = MapPermissions.None;
        permissions |= perms[0] == 'r' ? MapPermissions.Read : MapPermissions.None;
        permissions |= perms[1] == 'w' ? MapPermissions.Write : MapPermissions.None;
        permissions |= perms[2] == 'x' ? MapPermissions.Execute : MapPermissions.None;
        permissions |= perms[3] == 's' ? MapPermissions.Shared : MapPermissions.None;

        ulong offset = ProcText.Hex(ProcText.NextToken(ref rest), "maps offset");
        ReadOnlySpan<char> dev = ProcText.NextToken(ref rest);
        int colon = dev.IndexOf(':');
        if (colon < 0)
        {
            throw ProcText.Bad("maps device", dev);
        }
        uint major = (uint)ProcText.Hex(dev[..colon], "maps device major");
        uint minor = (uint)ProcText.Hex(dev[(colon + 1)..], "maps device minor");
        ulong inode = ProcText.Dec(ProcText.NextToken(ref rest), "maps inode");

        // The fixed fields end with "inode "; the name follows the padding, at column 73, or
        // after a single space when the fixed fields alone are longer than the padding. A
        // name may itself begin with spaces, so it is cut by column, not by trimming.
        int inodeEnd = line.Length - rest.Length;
        int pathStart = Math.Max(MapsPathColumn, inodeEnd + 2);
        ReadOnlySpan<char> gap = line[inodeEnd..Math.Min(pathStart, line.Length)];
        ReadOnlySpan<char> pathText = !gap.IsWhiteSpace()
            ? line[inodeEnd..].TrimStart(' ') // hand-written text with short padding
            : pathStart < line.Length ? line[pathStart..] : default;

        bool deleted = false;
        if (pathText.EndsWith(DeletedSuffix, StringComparison.Ordinal))
        {
            deleted = true;
            pathText = pathText[..^DeletedSuffix.Length];
        }
        MapPathKind kind = ClassifyMapPath(pathText, deleted);
        string? path = pathText.IsEmpty
            ? null
            : previousPath is not null && pathText.SequenceEqual(previousPath) ? previousPath : pathText.ToString();

        return new MapEntry
        {
            Start = start,
            End = end,
            Permissions = permissions,
            Offset = offset,
            DevMajor = major,
            DevMinor = minor,
            Inode = inode,
            Path = path,
            Deleted = deleted,
            Kind = kind,
        };
    }

    private static MapPathKind ClassifyMapPath(ReadOnlySpan<char> path, bool deleted)
    {
        if (path.IsEmpty)
        {
            return MapPathKind.Anonymous;
        }
        if (path[0] == '[' && path[^1] == ']')
        {
            return path switch
            {
                "[heap]" => MapPathKind.Heap,
                "[stack]" => MapPathKind.Stack,
                "[vdso]" => MapPathKind.Vdso,
                "[vvar]" => MapPathKind.Vvar,
                "[vvar_vclock]" => MapPathKind.VvarVclock,
                "[vsyscall]" => MapPathKind.Vsyscall,
                _ when path.StartsWith("[anon:", StringComparison.Ordinal) => MapPathKind.AnonymousNamed,
                _ when path.StartsWith("[anon_shmem:", StringComparison.Ordinal) => MapPathKind.SharedAnonymousNamed,
                _ => MapPathKind.OtherSpecial,
            };
        }
        // These three live on internal kernel mounts and are always unlinked; a real file
        // called "/SYSV…" would not carry the " (deleted)" suffix.
        if (deleted)
        {
            if (path.StartsWith("/SYSV", StringComparison.Ordinal) && path.Length == 13)
            {
                return MapPathKind.SysVShm;
            }
            if (path.StartsWith("/memfd:", StringComparison.Ordinal))
            {
                return MapPathKind.Memfd;
            }
            if (path.SequenceEqual("/dev/zero"))
            {
                return MapPathKind.SharedAnonymous;
            }
        }
        return MapPathKind.File;
    }
}
