namespace SessionKeeper.Engine.ProcFs;

/// <summary>The four ids of a credential line of /proc/PID/status: real, effective, saved, filesystem.</summary>
/// <param name="Real">The real id.</param>
/// <param name="Effective">The effective id.</param>
/// <param name="Saved">The saved set-id.</param>
/// <param name="Filesystem">The filesystem id.</param>
public readonly record struct IdSet(uint Real, uint Effective, uint Saved, uint Filesystem);

/// <summary>
/// /proc/PID/status (or task/TID/status): the credentials, capabilities, signal masks, pid
/// namespace ids and security state the dump needs. Lines a kernel does not print leave the
/// property at its default (null for the ones whose absence matters).
/// </summary>
public sealed class ProcStatus
{
    /// <summary>Name: the command name, escaped by the kernel ('\n' as "\n", '\\' as "\\\\"); prefer /proc/PID/comm for the raw bytes.</summary>
    public string Name { get; set; } = "";

    /// <summary>Umask (kernel 4.7 and later), or null.</summary>
    public uint? Umask { get; set; }

    /// <summary>State: the one-letter state (the word after it is dropped).</summary>
    public char State { get; set; }

    /// <summary>Tgid: the thread group (process) id.</summary>
    public int Tgid { get; set; }

    /// <summary>Ngid: NUMA group id, 0 if none.</summary>
    public int Ngid { get; set; }

    /// <summary>Pid: the thread id.</summary>
    public int Pid { get; set; }

    /// <summary>PPid: the parent's pid.</summary>
    public int PPid { get; set; }

    /// <summary>TracerPid: pid of the ptrace tracer, 0 if none. Non-zero at dump time means another tracer holds the task.</summary>
    public int TracerPid { get; set; }

    /// <summary>Uid: real, effective, saved and filesystem uid.</summary>
    public IdSet Uid { get; set; }

    /// <summary>Gid: real, effective, saved and filesystem gid.</summary>
    public IdSet Gid { get; set; }

    /// <summary>FDSize: slots allocated in the fd table.</summary>
    public int FdSize { get; set; }

    /// <summary>Groups: supplementary group ids.</summary>
    public uint[] Groups { get; set; } = [];

    /// <summary>NStgid: the tgid in each pid namespace, outermost (ours) first, the process's own view last.</summary>
    public int[] NSTgid { get; set; } = [];

    /// <summary>NSpid: the thread id in each pid namespace, outermost first.</summary>
    public int[] NSPid { get; set; } = [];

    /// <summary>NSpgid: the process group in each pid namespace, outermost first.</summary>
    public int[] NSPgid { get; set; } = [];

    /// <summary>NSsid: the session in each pid namespace, outermost first.</summary>
    public int[] NSSid { get; set; } = [];

    /// <summary>Kthread: 1 for kernel threads (kernel 6.8 and later), or null.</summary>
    public bool? KernelThread { get; set; }

    /// <summary>Threads: number of threads.</summary>
    public int Threads { get; set; }

    /// <summary>SigQ: queued signals of the real uid.</summary>
    public int SignalsQueued { get; set; }

    /// <summary>SigQ: the RLIMIT_SIGPENDING limit that applies.</summary>
    public ulong SignalQueueLimit { get; set; }

    /// <summary>SigPnd: signals pending for this thread (bit n-1 for signal n).</summary>
    public ulong SigPnd { get; set; }

    /// <summary>ShdPnd: signals pending for the whole process.</summary>
    public ulong ShdPnd { get; set; }

    /// <summary>SigBlk: the thread's blocked mask.</summary>
    public ulong SigBlk { get; set; }

    /// <summary>SigIgn: signals set to SIG_IGN.</summary>
    public ulong SigIgn { get; set; }

    /// <summary>SigCgt: signals with a handler.</summary>
    public ulong SigCgt { get; set; }

    /// <summary>CapInh: inheritable capabilities.</summary>
    public ulong CapInh { get; set; }

    /// <summary>CapPrm: permitted capabilities.</summary>
    public ulong CapPrm { get; set; }

    /// <summary>CapEff: effective capabilities.</summary>
    public ulong CapEff { get; set; }

    /// <summary>CapBnd: the capability bounding set.</summary>
    public ulong CapBnd { get; set; }

    /// <summary>CapAmb: ambient capabilities (kernel 4.3 and later).</summary>
    public ulong CapAmb { get; set; }

    /// <summary>NoNewPrivs: prctl(PR_SET_NO_NEW_PRIVS) is set.</summary>
    public bool NoNewPrivs { get; set; }

    /// <summary>Seccomp: 0 disabled, 1 strict, 2 filter. Null without CONFIG_SECCOMP.</summary>
    public int? Seccomp { get; set; }

    /// <summary>Seccomp_filters: the number of attached filters (kernel 5.9 and later), or null.</summary>
    public int? SeccompFilters { get; set; }

    /// <summary>Speculation_Store_Bypass: the mitigation state as text, or null.</summary>
    public string? SpeculationStoreBypass { get; set; }

    /// <summary>SpeculationIndirectBranch: the mitigation state as text, or null.</summary>
    public string? SpeculationIndirectBranch { get; set; }

    /// <summary>Cpus_allowed_list: the CPU affinity as a list ("0-1,4"), or null.</summary>
    public string? CpusAllowedList { get; set; }

    /// <summary>Mems_allowed_list: the allowed NUMA nodes as a list, or null.</summary>
    public string? MemsAllowedList { get; set; }

    /// <summary>CoreDumping: the process is dumping core.</summary>
    public bool CoreDumping { get; set; }

    /// <summary>THP_enabled: transparent huge pages allowed (prctl PR_SET_THP_DISABLE clears it), or null.</summary>
    public bool? ThpEnabled { get; set; }

    /// <summary>VmRSS in kB (absent for kernel threads and zombies).</summary>
    public ulong VmRssKb { get; set; }

    /// <summary>VmSwap in kB.</summary>
    public ulong VmSwapKb { get; set; }

    /// <summary>voluntary_ctxt_switches.</summary>
    public ulong VoluntaryContextSwitches { get; set; }

    /// <summary>nonvoluntary_ctxt_switches.</summary>
    public ulong NonvoluntaryContextSwitches { get; set; }
}
