namespace SessionKeeper.Engine.ProcFs;

public static partial class ProcFsReader
{
    /// <summary>
    /// The filesystem type (e.g. "tmpfs", "ext4") of mount <paramref name="mountId"/> as
    /// /proc/PID/mountinfo of <paramref name="pid"/> lists it; false when the process is gone or
    /// no such mount is listed.
    /// </summary>
    public static bool TryReadMountFsType(int pid, int mountId, out string fsType)
    {
        fsType = "";
        if (!TryParseFile($"/proc/{pid}/mountinfo", text => FindFsType(text, mountId), out string? found) || found is null)
        {
            return false;
        }
        fsType = found;
        return true;
    }

    /// <summary>
    /// Finds the filesystem type of one mount in mountinfo text: the field after the " - "
    /// separator of the line whose first field is the mount id.
    /// </summary>
    public static string? FindFsType(ReadOnlySpan<char> text, int mountId)
    {
        while (ProcText.NextLine(ref text, out ReadOnlySpan<char> line))
        {
            int space = line.IndexOf(' ');
            if (space <= 0 || !int.TryParse(line[..space], out int id) || id != mountId)
            {
                continue;
            }
            int separator = line.IndexOf(" - ", StringComparison.Ordinal);
            if (separator < 0)
            {
                return null;
            }
            ReadOnlySpan<char> rest = line[(separator + 3)..];
            int end = rest.IndexOf(' ');
            return (end < 0 ? rest : rest[..end]).ToString();
        }
        return null;
    }
}
