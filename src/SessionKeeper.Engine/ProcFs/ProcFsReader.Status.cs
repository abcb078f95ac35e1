namespace SessionKeeper.Engine.ProcFs;

public static partial class ProcFsReader
{
    /// <summary>Reads /proc/PID/status; false when the process is gone.</summary>
    public static bool TryReadStatus(int pid, out ProcStatus status)
        => TryParseFile(ProcPath(pid, "status"), static text => ParseStatus(text), out status!);

    /// <summary>Reads /proc/PID/task/TID/status (the thread's own SigBlk and SigPnd); false when the thread is gone.</summary>
    public static bool TryReadTaskStatus(int pid, int tid, out ProcStatus status)
        => TryParseFile(TaskPath(pid, tid, "status"), static text => ParseStatus(text), out status!);

    /// <summary>Parses the text of a status file. Unknown lines are skipped; known lines must be well formed.</summary>
    public static ProcStatus ParseStatus(ReadOnlySpan<char> text)
    {
        var status = new ProcStatus();
        while (ProcText.NextLine(ref text, out ReadOnlySpan<char> line))
        {
            if (!ProcText.SplitKeyValue(line, out ReadOnlySpan<char> key, out ReadOnlySpan<char> value))
            {
                continue;
            }
            switch (key)
            {
                // Name is the one value that may contain ':' or spaces; take the line after "Name:\t".
                case "Name": status.Name = line[(line.IndexOf(':') + 1)..].TrimStart('\t').ToString(); break;
                case "Umask": status.Umask = (uint)ProcText.Octal(value, "status Umask"); break;
                case "State": status.State = value.IsEmpty ? '?' : value[0]; break;
                case "Tgid": status.Tgid = ProcText.Int(value, "status Tgid"); break;
                case "Ngid": status.Ngid = ProcText.Int(value, "status Ngid"); break;
                case "Pid": status.Pid = ProcText.Int(value, "status Pid"); break;
                case "PPid": status.PPid = ProcText.Int(value, "status PPid"); break;
                case "TracerPid": status.TracerPid = ProcText.Int(value, "status TracerPid"); break;
                case "Uid": status.Uid = ParseIdSet(value, "status Uid"); break;
                case "Gid": status.Gid = ParseIdSet(value, "status Gid"); break;
                case "FDSize": status.FdSize = ProcText.Int(value, "status FDSize"); break;
                case "Groups": status.Groups = ProcText.UIntList(value, "status Groups"); break;
                case "NStgid": status.NSTgid = ProcText.IntList(value, "status NStgid"); break;
                case "NSpid": status.NSPid = ProcText.IntList(value, "status NSpid"); break;
                case "NSpgid": status.NSPgid = ProcText.IntList(value, "status NSpgid"); break;
                case "NSsid": status.NSSid = ProcText.IntList(value, "status NSsid"); break;
                case "Kthread": status.KernelThread = value is "1"; break;
                case "Threads": status.Threads = ProcText.Int(value, "status Threads"); break;
                case "SigQ": ParseSigQ(status, value); break;
                case "SigPnd": status.SigPnd = ProcText.Hex(value, "status SigPnd"); break;
                case "ShdPnd": status.ShdPnd = ProcText.Hex(value, "status ShdPnd"); break;
                case "SigBlk": status.SigBlk = ProcText.Hex(value, "status SigBlk"); break;
                case "SigIgn": status.SigIgn = ProcText.Hex(value, "status SigIgn"); break;
                case "SigCgt": status.SigCgt = ProcText.Hex(value, "status SigCgt"); break;
                case "CapInh": status.CapInh = ProcText.Hex(value, "status CapInh"); break;
                case "CapPrm": status.CapPrm = ProcText.Hex(value, "status CapPrm"); break;
                case "CapEff": status.CapEff = ProcText.Hex(value, "status CapEff"); break;
                case "CapBnd": status.CapBnd = ProcText.Hex(value, "status CapBnd"); break;
                case "CapAmb": status.CapAmb = ProcText.Hex(value, "status CapAmb"); break;
                case "NoNewPrivs": status.NoNewPrivs = value is "1"; break;
                case "Seccomp": status.Seccomp = ProcText.Int(value, "status Seccomp"); break;
                case "Seccomp_filters": status.SeccompFilters = ProcText.Int(value, "status Seccomp_filters"); break;
                case "Speculation_Store_Bypass": status.SpeculationStoreBypass = value.ToString(); break;
                case "SpeculationIndirectBranch": status.SpeculationIndirectBranch = value.ToString(); break;
                case "Cpus_allowed_list": status.CpusAllowedList = value.ToString(); break;
                case "Mems_allowed_list": status.MemsAllowedList = value.ToString(); break;
                case "CoreDumping": status.CoreDumping = value is "1"; break;
                case "THP_enabled": status.ThpEnabled = value is "1"; break;
                case "VmRSS": status.VmRssKb = ProcText.Kilobytes(value, "status VmRSS"); break;
                case "VmSwap": status.VmSwapKb = ProcText.Kilobytes(value, "status VmSwap"); break;
                case "voluntary_ctxt_switches": status.VoluntaryContextSwitches = ProcText.Dec(value, "status voluntary_ctxt_switches"); break;
                case "nonvoluntary_ctxt_switches": status.NonvoluntaryContextSwitches = ProcText.Dec(value, "status nonvoluntary_ctxt_switches"); break;
                default: break;
            }
        }
        return status;
    }

    private static IdSet ParseIdSet(ReadOnlySpan<char> value, string what)
    {
        uint real = (uint)ProcText.Dec(ProcText.NextToken(ref value), what);
        uint effective = (uint)ProcText.Dec(ProcText.NextToken(ref value), what);
        uint saved = (uint)ProcText.Dec(ProcText.NextToken(ref value), what);
        uint filesystem = (uint)ProcText.Dec(ProcText.NextToken(ref value), what);
        return new IdSet(real, effective, saved, filesystem);
    }

    private static void ParseSigQ(ProcStatus status, ReadOnlySpan<char> value)
    {
        int slash = value.IndexOf('/');
        if (slash < 0)
        {
            throw ProcText.Bad("status SigQ", value);
        }
        status.SignalsQueued = ProcText.Int(value[..slash], "status SigQ");
        status.SignalQueueLimit = ProcText.Dec(value[(slash + 1)..], "status SigQ");
    }
}
