namespace SessionKeeper.Engine.ProcFs;

/// <summary>
/// /proc/PID/stat or /proc/PID/task/TID/stat (proc(5)): every field, by its position in the file.
/// Fields a kernel does not print (older than 3.5 for 45-52) are 0.
/// </summary>
public sealed class ProcStat
{
    /// <summary>(1) pid: the process (or thread) id.</summary>
    public int Pid { get; init; }

    /// <summary>(2) comm: the command name without the parentheses; may contain spaces and ')'.</summary>
    public required string Comm { get; init; }

    /// <summary>(3) state: R, S, D, T, t, Z, X, I, P …</summary>
    public char State { get; init; }

    /// <summary>(4) ppid: the parent's pid.</summary>
    public int Ppid { get; init; }

    /// <summary>(5) pgrp: the process group.</summary>
    public int Pgrp { get; init; }

    /// <summary>(6) session: the session id.</summary>
    public int Session { get; init; }

    /// <summary>(7) tty_nr: the controlling terminal's device number (major in bits 15-8, minor in 31-20 and 7-0); 0 if none.</summary>
    public int TtyNr { get; init; }

    /// <summary>(8) tpgid: the foreground process group of the controlling terminal, -1 if none.</summary>
    public int Tpgid { get; init; }

    /// <summary>(9) flags: PF_* of the task.</summary>
    public uint Flags { get; init; }

    /// <summary>(10) minflt.</summary>
    public ulong MinFlt { get; init; }

    /// <summary>(11) cminflt.</summary>
    public ulong CMinFlt { get; init; }

    /// <summary>(12) majflt.</summary>
    public ulong MajFlt { get; init; }

    /// <summary>(13) cmajflt.</summary>
    public ulong CMajFlt { get; init; }

    /// <summary>(14) utime in clock ticks.</summary>
    public ulong UTime { get; init; }

    /// <summary>(15) stime in clock ticks.</summary>
    public ulong STime { get; init; }

    /// <summary>(16) cutime in clock ticks.</summary>
    public long CUTime { get; init; }

    /// <summary>(17) cstime in clock ticks.</summary>
    public long CSTime { get; init; }

    /// <summary>(18) priority (negated, minus one, for real-time tasks).</summary>
    public long Priority { get; init; }

    /// <summary>(19) nice value, -20 to 19.</summary>
    public long Nice { get; init; }

    /// <summary>(20) num_threads.</summary>
    public int NumThreads { get; init; }

    /// <summary>(21) itrealvalue: always 0 since Linux 2.6.17.</summary>
    public long ItRealValue { get; init; }

    /// <summary>(22) starttime: start time after boot in clock ticks; with the pid it identifies a process across pid reuse.</summary>
    public ulong StartTime { get; init; }

    /// <summary>(23) vsize: virtual memory size in bytes.</summary>
    public ulong VSize { get; init; }

    /// <summary>(24) rss: resident pages.</summary>
    public long Rss { get; init; }

    /// <summary>(25) rsslim: soft RSS limit in bytes.</summary>
    public ulong RssLim { get; init; }

    /// <summary>(26) startcode: start of the text (0 unless the reader may ptrace the task).</summary>
    public ulong StartCode { get; init; }

    /// <summary>(27) endcode: end of the text.</summary>
    public ulong EndCode { get; init; }

    /// <summary>(28) startstack: bottom of the main thread's stack.</summary>
    public ulong StartStack { get; init; }

    /// <summary>(29) kstkesp: 0 unless the task is being core dumped.</summary>
    public ulong KStkEsp { get; init; }

    /// <summary>(30) kstkeip: 0 unless the task is being core dumped.</summary>
    public ulong KStkEip { get; init; }

    /// <summary>(31) signal: pending signals (obsolete, first 32 only; use /proc/PID/status).</summary>
    public ulong Signal { get; init; }

    /// <summary>(32) blocked (obsolete).</summary>
    public ulong Blocked { get; init; }

    /// <summary>(33) sigignore (obsolete).</summary>
    public ulong SigIgnore { get; init; }

    /// <summary>(34) sigcatch (obsolete).</summary>
    public ulong SigCatch { get; init; }

    /// <summary>(35) wchan: 0 or 1 (the address is hidden).</summary>
    public ulong WChan { get; init; }

    /// <summary>(36) nswap: not maintained.</summary>
    public ulong NSwap { get; init; }

    /// <summary>(37) cnswap: not maintained.</summary>
    public ulong CNSwap { get; init; }

    /// <summary>(38) exit_signal: signal sent to the parent when the task dies (SIGCHLD for processes, -1 for threads).</summary>
    public int ExitSignal { get; init; }

    /// <summary>(39) processor last run on.</summary>
    public int Processor { get; init; }

    /// <summary>(40) rt_priority.</summary>
    public uint RtPriority { get; init; }

    /// <summary>(41) policy: SCHED_* scheduling policy.</summary>
    public uint Policy { get; init; }

    /// <summary>(42) delayacct_blkio_ticks.</summary>
    public ulong DelayAcctBlkioTicks { get; init; }

    /// <summary>(43) guest_time.</summary>
    public ulong GuestTime { get; init; }

    /// <summary>(44) cguest_time.</summary>
    public long CGuestTime { get; init; }

    /// <summary>(45) start_data: start of initialized and BSS data (needed for prctl PR_SET_MM_MAP).</summary>
    public ulong StartData { get; init; }

    /// <summary>(46) end_data.</summary>
    public ulong EndData { get; init; }

    /// <summary>(47) start_brk: start of the heap.</summary>
    public ulong StartBrk { get; init; }

    /// <summary>(48) arg_start: start of the argv strings.</summary>
    public ulong ArgStart { get; init; }

    /// <summary>(49) arg_end.</summary>
    public ulong ArgEnd { get; init; }

    /// <summary>(50) env_start: start of the environment strings.</summary>
    public ulong EnvStart { get; init; }

    /// <summary>(51) env_end.</summary>
    public ulong EnvEnd { get; init; }

    /// <summary>(52) exit_code: the wait status of an exited task, 0 otherwise.</summary>
    public int ExitCode { get; init; }
}
