using System.Diagnostics;
using SessionKeeper.ProcessControl;

// The folder's types live in SessionKeeper.Engine itself: a namespace named KernelFeatures
// would hide this class from every other SessionKeeper.Engine.* namespace that uses it.
namespace SessionKeeper.Engine;

/// <summary>
/// Probes, once, every kernel feature and privilege the engine needs, each with a real
/// operation on a throwaway process or socket rather than a guess from the kernel version
/// (distribution kernels backport and configure features away). The engine consults the
/// results to refuse a dump or restore early; <c>keeper check</c> prints them.
/// </summary>
public static class KernelFeatures
{
    /// <summary>PTRACE_SEIZE + PTRACE_INTERRUPT: freezing without SIGSTOP.</summary>
    public const string PtraceSeize = "ptrace-seize";

    /// <summary>PTRACE_GET_RSEQ_CONFIGURATION.</summary>
    public const string PtraceRseq = "ptrace-rseq";

    /// <summary>process_vm_readv of another process.</summary>
    public const string ProcessVmReadv = "process-vm-readv";

    /// <summary>pidfd_open + pidfd_getfd.</summary>
    public const string PidfdGetfd = "pidfd-getfd";

    /// <summary>kcmp(2).</summary>
    public const string Kcmp = "kcmp";

    /// <summary>clone3 with set_tid, injected into a host process.</summary>
    public const string Clone3SetTid = "clone3-set-tid";

    /// <summary>arch_prctl(ARCH_MAP_VDSO_64).</summary>
    public const string ArchMapVdso = "arch-map-vdso";

    /// <summary>prctl(PR_SET_MM, PR_SET_MM_MAP).</summary>
    public const string PrctlMmMap = "prctl-mm-map";

    /// <summary>setsockopt(TCP_REPAIR).</summary>
    public const string TcpRepair = "tcp-repair";

    /// <summary>readlink of /proc/PID/map_files entries.</summary>
    public const string MapFiles = "map-files";

    /// <summary>nft can add and delete a table.</summary>
    public const string Nftables = "nftables";

    /// <summary>CAP_CHECKPOINT_RESTORE in keeper's effective set.</summary>
    public const string CapCheckpointRestore = "cap-checkpoint-restore";

    /// <summary>CAP_SYS_PTRACE in keeper's effective set.</summary>
    public const string CapSysPtrace = "cap-sys-ptrace";

    /// <summary>CAP_NET_ADMIN in keeper's effective set.</summary>
    public const string CapNetAdmin = "cap-net-admin";

    /// <summary>CAP_SYS_ADMIN in keeper's effective set.</summary>
    public const string CapSysAdmin = "cap-sys-admin";

    /// <summary>CAP_SYS_RESOURCE in keeper's effective set.</summary>
    public const string CapSysResource = "cap-sys-resource";

    /// <summary>/proc/sys/kernel/ns_last_pid writable.</summary>
    public const string NsLastPid = "ns-last-pid";

    /// <summary>/proc/sys/kernel/shm_next_id writable.</summary>
    public const string ShmNextId = "shm-next-id";

    /// <summary>Soft-dirty page tracking (CONFIG_MEM_SOFT_DIRTY).</summary>
    public const string SoftDirty = "soft-dirty";

    private const FeatureImportance Essential = FeatureImportance.Essential;
    private const FeatureImportance Optional = FeatureImportance.Optional;
    private const FeatureImportance Informational = FeatureImportance.Informational;

    private static readonly ProbeDefinition[] s_probes =
    [
        new(PtraceSeize, Essential, "freezing a session without SIGSTOP", ObservedProbes.Seize),
        new(PtraceRseq, Optional, "saving each thread's rseq registration", ObservedProbes.Rseq),
        new(ProcessVmReadv, Essential, "copying process memory during a save", ObservedProbes.ProcessVmReadv),
        new(PidfdGetfd, Essential, "inspecting ptys, pipes and sockets of a session", ObservedProbes.PidfdGetfd),
        new(Kcmp, Optional, "finding files and memory shared between processes", ObservedProbes.Kcmp),
        new(Clone3SetTid, Essential, "restoring processes with their original pids", RestoreProbes.Clone3SetTid),
        new(ArchMapVdso, Essential, "putting the vDSO back where the program expects it", RestoreProbes.MapVdso),
        new(PrctlMmMap, Essential, "restoring brk, stack, arguments, environment and auxv", RestoreProbes.SetMmMap),
        new(TcpRepair, Optional, "saving and restoring established TCP connections", HostProbes.TcpRepair),
        new(MapFiles, Optional, "saving mappings of deleted files", ObservedProbes.MapFiles),
        new(Nftables, Optional, "keeping TCP peers out during a save (network lock)", HostProbes.Nftables),
        new(CapCheckpointRestore, Essential, "choosing pids and restoring memory layout",
            HostProbes.Capability(HostProbes.CapCheckpointRestore, "CAP_CHECKPOINT_RESTORE", "restore cannot choose pids")),
        new(CapSysPtrace, Essential, "tracing processes of other users",
            HostProbes.Capability(HostProbes.CapSysPtrace, "CAP_SYS_PTRACE", "only keeper's own processes can be saved")),
        new(CapNetAdmin, Optional, "TCP repair mode and the nftables network lock",
            HostProbes.Capability(HostProbes.CapNetAdmin, "CAP_NET_ADMIN", "TCP connections cannot be saved")),
        new(CapSysAdmin, Optional, "namespaces and privileged restore steps",
            HostProbes.Capability(HostProbes.CapSysAdmin, "CAP_SYS_ADMIN", "sessions in their own namespaces cannot be restored")),
        new(CapSysResource, Informational, "restoring rlimits above the hard limit",
            HostProbes.Capability(HostProbes.CapSysResource, "CAP_SYS_RESOURCE", "rlimits are read from /proc and restored only up to the hard limit")),
        new(NsLastPid, Optional, "choosing pids where clone3 set_tid is missing", HostProbes.NsLastPid),
        new(ShmNextId, Optional, "restoring SysV shm segments with their ids (VNC MIT-SHM)", HostProbes.ShmNextId),
        new(SoftDirty, Informational, "incremental saves that skip unchanged pages", ObservedProbes.SoftDirty),
    ];

    private static readonly Lazy<KernelFeatureReport> s_current = new(() => Probe());

    /// <summary>The names of every probe, in the order they run.</summary>
    public static IReadOnlyList<string> Names { get; } = s_probes.Select(p => p.Name).ToArray();

    /// <summary>The report of the first <see cref="Probe()"/> made through this property; later calls reuse it.</summary>
    public static KernelFeatureReport Current => s_current.Value;

    /// <summary>
    /// Runs every probe, one after another, on a tracer thread of its own. An exception in one
    /// probe becomes that probe's error; the others still run. Every throwaway process is
    /// killed before this returns, whatever happened.
    /// </summary>
    public static KernelFeatureReport Probe() => Probe(s_probes);

    /// <summary>Runs the given probes (tests use it to inject failing ones).</summary>
    internal static KernelFeatureReport Probe(IReadOnlyList<ProbeDefinition> probes)
    {
        var clock = Stopwatch.StartNew();
        using var tracer = new TracerThread("keeper-probe");
        (List<FeatureResult> results, List<int> pids, List<string> problems) = tracer.Invoke(() =>
        {
            var results = new List<FeatureResult>();
            var context = new ProbeContext(tracer);
            try
            {
                foreach (ProbeDefinition probe in probes)
                {
                    results.Add(Run(probe, context));
                }
            }
            finally
            {
                context.Dispose();
            }
            return (results, context.Pids.ToList(), context.CleanupProblems.ToList());
        });
        return new KernelFeatureReport(results, clock.Elapsed, KernelRelease(), pids, problems);
    }

    private static FeatureResult Run(ProbeDefinition probe, ProbeContext context)
    {
        var clock = Stopwatch.StartNew();
        ProbeOutcome outcome;
        try
        {
            outcome = probe.Run(context);
        }
        catch (Exception e)
        {
            outcome = ProbeOutcome.FromException(e);
        }
        return new FeatureResult(probe.Name, probe.Importance, outcome.State, outcome.Detail, probe.Enables, outcome.Errno, clock.Elapsed);
    }

    private static string KernelRelease()
    {
        try
        {
            return File.ReadAllText("/proc/sys/kernel/osrelease").Trim();
        }
        catch (IOException)
        {
            return "unknown";
        }
    }
}
