namespace SessionKeeper.Engine.ProcFs;

public static partial class ProcFsReader
{
    /// <summary>Fields up to starttime (22) are required; later ones appeared over kernel versions.</summary>
    private const int StatRequiredFields = 22;

    /// <summary>Reads /proc/PID/stat; false when the process is gone.</summary>
    public static bool TryReadStat(int pid, out ProcStat stat)
        => TryParseFile(ProcPath(pid, "stat"), static text => ParseStat(text), out stat!);

    /// <summary>Reads /proc/PID/task/TID/stat (per-thread state and times); false when the thread is gone.</summary>
    public static bool TryReadTaskStat(int pid, int tid, out ProcStat stat)
        => TryParseFile(TaskPath(pid, tid, "stat"), static text => ParseStat(text), out stat!);

    /// <summary>Parses the one line of a stat file.</summary>
    public static ProcStat ParseStat(ReadOnlySpan<char> text)
    {
        // comm is whatever the program set (prctl PR_SET_NAME), up to 15 bytes, and may hold
        // spaces and parentheses; it ends at the last ')' of the line, since no later field
        // contains one.
        int open = text.IndexOf('(');
        int close = text.LastIndexOf(')');
        if (open < 0 || close < open)
        {
            throw ProcText.Bad("stat comm", text);
        }
        int pid = ProcText.Int(text[..open].Trim(' '), "stat pid");
        string comm = text[(open + 1)..close].ToString();
        ReadOnlySpan<char> rest = text[(close + 1)..].TrimEnd("\n ");
        Span<ulong> values = stackalloc ulong[StatFieldCount];
        int count = 0;
        char state = '?';
        while (count < StatFieldCount)
        {
            ReadOnlySpan<char> token = ProcText.NextToken(ref rest);
            if (token.IsEmpty)
            {
                break;
            }
            // Field 3 is a letter; every other field is a decimal number, some of them signed.
            if (count == 0)
            {
                state = token.Length == 1 ? token[0] : throw ProcText.Bad("stat state", token);
            }
            else
            {
                values[count] = unchecked((ulong)(token[0] == '-' ? ProcText.SignedDec(token, "stat field") : (long)ProcText.Dec(token, "stat field")));
            }
            count++;
        }
        if (count + 2 < StatRequiredFields)
        {
            throw ProcText.Bad("stat (too few fields)", text);
        }
        return new ProcStat
        {
            Pid = pid,
            Comm = comm,
            State = state,
            Ppid = unchecked((int)values[1]),
            Pgrp = unchecked((int)values[2]),
            Session = unchecked((int)values[3]),
            TtyNr = unchecked((int)values[4]),
            Tpgid = unchecked((int)values[5]),
            Flags = unchecked((uint)values[6]),
            MinFlt = unchecked(values[7]),
            CMinFlt = unchecked(values[8]),
            MajFlt = unchecked(values[9]),
            CMajFlt = unchecked(values[10]),
            UTime = unchecked(values[11]),
            STime = unchecked(values[12]),
            CUTime = unchecked((long)values[13]),
            CSTime = unchecked((long)values[14]),
            Priority = unchecked((long)values[15]),
            Nice = unchecked((long)values[16]),
            NumThreads = unchecked((int)values[17]),
            ItRealValue = unchecked((long)values[18]),
            StartTime = unchecked(values[19]),
            VSize = unchecked(values[20]),
            Rss = unchecked((long)values[21]),
            RssLim = unchecked(values[22]),
            StartCode = unchecked(values[23]),
            EndCode = unchecked(values[24]),
            StartStack = unchecked(values[25]),
            KStkEsp = unchecked(values[26]),
            KStkEip = unchecked(values[27]),
            Signal = unchecked(values[28]),
            Blocked = unchecked(values[29]),
            SigIgnore = unchecked(values[30]),
            SigCatch = unchecked(values[31]),
            WChan = unchecked(values[32]),
            NSwap = unchecked(values[33]),
            CNSwap = unchecked(values[34]),
            ExitSignal = unchecked((int)values[35]),
            Processor = unchecked((int)values[36]),
            RtPriority = unchecked((uint)values[37]),
            Policy = unchecked((uint)values[38]),
            DelayAcctBlkioTicks = unchecked(values[39]),
            GuestTime = unchecked(values[40]),
            CGuestTime = unchecked((long)values[41]),
            StartData = unchecked(values[42]),
            EndData = unchecked(values[43]),
            StartBrk = unchecked(values[44]),
            ArgStart = unchecked(values[45]),
            ArgEnd = unchecked(values[46]),
            EnvStart = unchecked(values[47]),
            EnvEnd = unchecked(values[48]),
            ExitCode = unchecked((int)values[49]),
        };
    }

    private const int StatFieldCount = 50;
}
