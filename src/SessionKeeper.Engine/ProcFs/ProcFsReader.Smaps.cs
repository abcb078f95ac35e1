namespace SessionKeeper.Engine.ProcFs;

public static partial class ProcFsReader
{
    /// <summary>Reads /proc/PID/smaps; false when the process is gone.</summary>
    /// <remarks>
    /// smaps walks every page table of the process and costs far more than maps; the dumper
    /// reads it once per process while the tree is frozen, so it stays consistent with maps.
    /// </remarks>
    public static bool TryReadSmaps(int pid, out List<SmapsEntry> smaps)
        => TryParseFile(ProcPath(pid, "smaps"), static text => ParseSmaps(text), out smaps!);

    /// <summary>Parses the text of /proc/PID/smaps.</summary>
    public static List<SmapsEntry> ParseSmaps(ReadOnlySpan<char> text)
    {
        var result = new List<SmapsEntry>();
        SmapsEntry? current = null;
        string? lastPath = null;
        while (ProcText.NextLine(ref text, out ReadOnlySpan<char> line))
        {
            if (line.IsEmpty)
            {
                continue;
            }
            // Field lines start with "Name:"; a header line starts with the address range,
            // whose first token has no ':' (the device "fe:00" is the fourth token).
            ReadOnlySpan<char> first = line;
            ReadOnlySpan<char> token = ProcText.NextToken(ref first);
            if (!token.EndsWith(':'))
            {
                MapEntry map = ParseMapsLine(line, lastPath);
                lastPath = map.Path ?? lastPath;
                current = new SmapsEntry { Map = map };
                result.Add(current);
                continue;
            }
            if (current is null)
            {
                throw ProcText.Bad("smaps field before the first area", line);
            }
            ApplySmapsField(current, token[..^1], first.Trim(" \t"));
        }
        return result;
    }

    private static void ApplySmapsField(SmapsEntry entry, ReadOnlySpan<char> key, ReadOnlySpan<char> value)
    {
        switch (key)
        {
            case "Size": entry.SizeKb = ProcText.Kilobytes(value, "smaps Size"); break;
            case "KernelPageSize": entry.KernelPageSizeKb = ProcText.Kilobytes(value, "smaps KernelPageSize"); break;
            case "MMUPageSize": entry.MmuPageSizeKb = ProcText.Kilobytes(value, "smaps MMUPageSize"); break;
            case "Rss": entry.RssKb = ProcText.Kilobytes(value, "smaps Rss"); break;
            case "Pss": entry.PssKb = ProcText.Kilobytes(value, "smaps Pss"); break;
            case "Shared_Clean": entry.SharedCleanKb = ProcText.Kilobytes(value, "smaps Shared_Clean"); break;
            case "Shared_Dirty": entry.SharedDirtyKb = ProcText.Kilobytes(value, "smaps Shared_Dirty"); break;
            case "Private_Clean": entry.PrivateCleanKb = ProcText.Kilobytes(value, "smaps Private_Clean"); break;
            case "Private_Dirty": entry.PrivateDirtyKb = ProcText.Kilobytes(value, "smaps Private_Dirty"); break;
            case "Anonymous": entry.AnonymousKb = ProcText.Kilobytes(value, "smaps Anonymous"); break;
            case "AnonHugePages": entry.AnonHugePagesKb = ProcText.Kilobytes(value, "smaps AnonHugePages"); break;
            case "Swap": entry.SwapKb = ProcText.Kilobytes(value, "smaps Swap"); break;
            case "Locked": entry.LockedKb = ProcText.Kilobytes(value, "smaps Locked"); break;
            case "Shared_Hugetlb": entry.SharedHugetlbKb = ProcText.Kilobytes(value, "smaps Shared_Hugetlb"); break;
            case "Private_Hugetlb": entry.PrivateHugetlbKb = ProcText.Kilobytes(value, "smaps Private_Hugetlb"); break;
            case "THPeligible": entry.ThpEligible = value is "1"; break;
            case "ProtectionKey": entry.ProtectionKey = ProcText.Int(value, "smaps ProtectionKey"); break;
            case "VmFlags": entry.Flags = ParseVmFlags(value); break;
            default: break; // Pss_Dirty, KSM, LazyFree, SwapPss …: not needed by the dump.
        }
    }

    /// <summary>Parses the value of a VmFlags line ("rd wr mr mw me ac sd").</summary>
    public static VmFlags ParseVmFlags(ReadOnlySpan<char> value)
    {
        VmFlags flags = VmFlags.None;
        while (true)
        {
            ReadOnlySpan<char> code = ProcText.NextToken(ref value);
            if (code.IsEmpty)
            {
                return flags;
            }
            flags |= code switch
            {
                "rd" => VmFlags.Read,
                "wr" => VmFlags.Write,
                "ex" => VmFlags.Exec,
                "sh" => VmFlags.Shared,
                "mr" => VmFlags.MayRead,
                "mw" => VmFlags.MayWrite,
                "me" => VmFlags.MayExec,
                "ms" => VmFlags.MayShare,
                "gd" => VmFlags.GrowsDown,
                "pf" => VmFlags.PfnMap,
                "dw" => VmFlags.DenyWrite,
                "lo" => VmFlags.Locked,
                "io" => VmFlags.Io,
                "sr" => VmFlags.SequentialRead,
                "rr" => VmFlags.RandomRead,
                "dc" => VmFlags.DontCopy,
                "de" => VmFlags.DontExpand,
                "ac" => VmFlags.Accountable,
                "nr" => VmFlags.NoReserve,
                "ht" => VmFlags.HugeTlb,
                "sf" => VmFlags.SyncFault,
                "nl" => VmFlags.NonLinear,
                "ar" => VmFlags.ArchSpecific,
                "wf" => VmFlags.WipeOnFork,
                "dd" => VmFlags.DontDump,
                "sd" => VmFlags.SoftDirty,
                "mm" => VmFlags.MixedMap,
                "hg" => VmFlags.HugePage,
                "nh" => VmFlags.NoHugePage,
                "mg" => VmFlags.Mergeable,
                "bt" => VmFlags.BtiGuarded,
                "mt" => VmFlags.MteTagged,
                "um" => VmFlags.UffdMissing,
                "uw" => VmFlags.UffdWriteProtect,
                "ui" => VmFlags.UffdMinor,
                "ss" => VmFlags.ShadowStack,
                "sl" => VmFlags.Sealed,
                "lf" => VmFlags.LockOnFault,
                "dp" => VmFlags.Droppable,
                "gu" => VmFlags.GuardRegions,
                _ => VmFlags.Unknown,
            };
        }
    }
}
