namespace SessionKeeper.Engine.ProcFs;

public static partial class ProcFsReader
{
    /// <summary>The text names of /proc/PID/limits in RLIMIT_* order (fs/proc/base.c lnames[]).</summary>
    public static IReadOnlyList<string> LimitNames { get; } =
    [
        "Max cpu time",          // RLIMIT_CPU 0
        "Max file size",         // RLIMIT_FSIZE 1
        "Max data size",         // RLIMIT_DATA 2
        "Max stack size",        // RLIMIT_STACK 3
        "Max core file size",    // RLIMIT_CORE 4
        "Max resident set",      // RLIMIT_RSS 5
        "Max processes",         // RLIMIT_NPROC 6
        "Max open files",        // RLIMIT_NOFILE 7
        "Max locked memory",     // RLIMIT_MEMLOCK 8
        "Max address space",     // RLIMIT_AS 9
        "Max file locks",        // RLIMIT_LOCKS 10
        "Max pending signals",   // RLIMIT_SIGPENDING 11
        "Max msgqueue size",     // RLIMIT_MSGQUEUE 12
        "Max nice priority",     // RLIMIT_NICE 13
        "Max realtime priority", // RLIMIT_RTPRIO 14
        "Max realtime timeout",  // RLIMIT_RTTIME 15
    ];

    /// <summary>
    /// Reads /proc/PID/limits; false when the process is gone. This is how the dump learns
    /// another process's rlimits: prlimit(2) on a process of another user needs
    /// CAP_SYS_RESOURCE, which our sandboxes withhold even from root.
    /// </summary>
    public static bool TryReadLimits(int pid, out ResourceLimit[] limits)
        => TryParseFile(ProcPath(pid, "limits"), static text => ParseLimits(text), out limits!);

    /// <summary>Parses /proc/PID/limits into an array indexed by RLIMIT_* number; every one of the 16 must be present.</summary>
    public static ResourceLimit[] ParseLimits(ReadOnlySpan<char> text)
    {
        var limits = new ResourceLimit[LimitNames.Count];
        while (ProcText.NextLine(ref text, out ReadOnlySpan<char> line))
        {
            // Names contain spaces, so each line is matched against the known names and the
            // columns after the name are split on whitespace.
            int resource = -1;
            for (int i = 0; i < LimitNames.Count; i++)
            {
                string name = LimitNames[i];
                if (line.StartsWith(name, StringComparison.Ordinal) && line.Length > name.Length && line[name.Length] == ' ')
                {
                    resource = i;
                    break;
                }
            }
            if (resource < 0)
            {
                continue; // the header line "Limit  Soft Limit  Hard Limit  Units"
            }
            ReadOnlySpan<char> rest = line[LimitNames[resource].Length..];
            ulong soft = ParseLimitValue(ProcText.NextToken(ref rest));
            ulong hard = ParseLimitValue(ProcText.NextToken(ref rest));
            string units = ProcText.NextToken(ref rest) switch
            {
                "" => "",
                "seconds" => "seconds",
                "bytes" => "bytes",
                "processes" => "processes",
                "files" => "files",
                "locks" => "locks",
                "signals" => "signals",
                "us" => "us",
                var other => other.ToString(),
            };
            limits[resource] = new ResourceLimit(resource, LimitNames[resource], soft, hard, units);
        }
        for (int i = 0; i < limits.Length; i++)
        {
            if (limits[i] is null)
            {
                throw new FormatException($"/proc parse error: limits has no line '{LimitNames[i]}'");
            }
        }
        return limits;
    }

    private static ulong ParseLimitValue(ReadOnlySpan<char> token)
        => token is "unlimited" ? ResourceLimit.Unlimited : ProcText.Dec(token, "limits value");
}
