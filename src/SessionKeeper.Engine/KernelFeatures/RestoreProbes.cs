using SessionKeeper.Engine.ProcFs;
using System.Runtime.InteropServices;
using SessionKeeper.Native;
using SessionKeeper.ProcessControl;

namespace SessionKeeper.Engine;

/// <summary>
/// Probes that do to a throwaway what restore does to its host process (DESIGN.md §5): clone3
/// with set_tid, moving the vDSO, PR_SET_MM_MAP. Each gets its own throwaway and kills it.
/// </summary>
internal static class RestoreProbes
{
    /// <summary>Where in the scratch page the auxv copy goes, after the prctl_mm_map.</summary>
    private const int AuxvOffset = 256;

    /// <summary>
    /// clone3 with set_tid injected into a seized throwaway, through the very code restore uses
    /// (<see cref="RestoreTasks.CloneProcess"/>): the child must get exactly the requested pid
    /// and start traced and stopped. The capability check for set_tid applies to the calling
    /// task, i.e. the host process, which is why this runs inside one rather than in keeper.
    /// </summary>
    public static ProbeOutcome Clone3SetTid(ProbeContext context)
    {
        Tracee thread = context.Stopped(ThrowawayRole.Clone, RestoreTasks.RestoreOptions);
        int host = thread.Pid;
        try
        {
            var injector = new Injector(context.Tracer, thread);
            injector.MapStub();
            var taken = new List<int>();
            for (int attempt = 0; attempt < 8; attempt++)
            {
                int wanted = PickFreePid(attempt);
                try
                {
                    // The child's injector is not needed: the child is killed right away.
                    RestoreTasks.CloneProcess(context.Tracer, injector, wanted, parentOutsideTree: false);
                }
                catch (ErrnoException e) when (e.Errno == Errno.EEXIST)
                {
                    // Taken between the /proc check and the call (a zombie counts as taken).
                    taken.Add(wanted);
                    continue;
                }
                finally
                {
                    // Whatever went wrong after the clone, the child exists, traced by us.
                    if (injector.LastChild != 0)
                    {
                        context.TrackTracedChild(injector.LastChild);
                    }
                }
                int child = injector.LastChild;
                context.KillTracedChild(child);
                string retried = taken.Count == 0 ? "" : $" (pids {string.Join(", ", taken)} were taken meanwhile)";
                return ProbeOutcome.Ok($"clone3 in pid {host} created pid {child} as asked{retried}; it started traced and stopped");
            }
            return ProbeOutcome.Error($"clone3 answered EEXIST for every pid tried: {string.Join(", ", taken)}");
        }
        finally
        {
            context.Kill(ThrowawayRole.Clone);
        }
    }

    /// <summary>
    /// A pid nobody uses: some way above the last one handed out (so a fork running right now
    /// does not take it first), below pid_max, with no /proc entry (threads have one too).
    /// </summary>
    private static int PickFreePid(int attempt)
    {
        long last = ProbeProcFs.ReadNumber("/proc/sys/kernel/ns_last_pid");
        long max = ProbeProcFs.ReadNumber("/proc/sys/kernel/pid_max");
        // The kernel never hands out pids below 300 after wrapping (RESERVED_PIDS).
        const long reserved = 300;
        long candidate = last + 100 + (attempt * 37);
        for (int step = 0; step < 1000; step++, candidate++)
        {
            if (candidate >= max)
            {
                candidate = reserved + (candidate % (max - reserved));
            }
            if (!Directory.Exists($"/proc/{candidate}"))
            {
                return (int)candidate;
            }
        }
        throw new InvalidOperationException("found no free pid near ns_last_pid");
    }

    /// <summary>
    /// Unmaps [vvar], [vvar_vclock] and [vdso] of a throwaway and maps them back at the same
    /// address with arch_prctl(ARCH_MAP_VDSO_64). The kernel picks another address, silently,
    /// when the asked one is busy, so success is judged from /proc/PID/maps.
    /// </summary>
    public static ProbeOutcome MapVdso(ProbeContext context)
    {
        Tracee thread = context.Stopped(ThrowawayRole.Vdso);
        int pid = thread.Pid;
        try
        {
            var injector = new Injector(context.Tracer, thread);
            injector.MapStub();
            (MapEntry vvar, MapEntry vdso, string layout) = VdsoRange(ProbeProcFs.Maps(pid));
            injector.CallChecked(SyscallNumber.Munmap, vvar.Start, vdso.End - vvar.Start);
            long size = injector.CallChecked(SyscallNumber.ArchPrctl, (ulong)ArchPrctlCode.ARCH_MAP_VDSO_64, vvar.Start);
            List<MapEntry> after = ProbeProcFs.Maps(pid);
            ulong? newVdso = after.FirstOrDefault(m => m.Kind == MapPathKind.Vdso)?.Start;
            ulong? newVvar = after.FirstOrDefault(m => m.Kind == MapPathKind.Vvar)?.Start;
            if (newVdso != vdso.Start || newVvar != vvar.Start)
            {
                return ProbeOutcome.Error($"asked for [vvar] at 0x{vvar.Start:x} and [vdso] at 0x{vdso.Start:x}; "
                    + $"the kernel mapped them at 0x{newVvar ?? 0:x} and 0x{newVdso ?? 0:x}");
            }
            if ((ulong)size != vdso.Size)
            {
                return ProbeOutcome.Error($"ARCH_MAP_VDSO_64 returned size {size}, the [vdso] mapping is {vdso.Size} bytes");
            }
            return ProbeOutcome.Ok($"unmapped {layout} of pid {pid} and mapped them back at 0x{vvar.Start:x} ({size / 1024} KiB vDSO)");
        }
        finally
        {
            // The process is left without a usable stub and with a moved vDSO: it is not released.
            context.Kill(ThrowawayRole.Vdso);
        }
    }

    /// <summary>
    /// The vDSO block: [vvar] first, then [vvar_vclock] (kernels since 6.x), then [vdso], all
    /// adjacent. Returns the first and last mapping and a description of the pages.
    /// </summary>
    private static (MapEntry Vvar, MapEntry Vdso, string Layout) VdsoRange(List<MapEntry> maps)
    {
        int first = maps.FindIndex(m => m.Kind == MapPathKind.Vvar);
        int last = maps.FindIndex(m => m.Kind == MapPathKind.Vdso);
        if (first < 0 || last < 0 || last < first)
        {
            throw new InvalidOperationException("expected [vvar] … [vdso] in this order in /proc/PID/maps: "
                + string.Join(", ", maps.Where(m => m.Kind is MapPathKind.Vvar or MapPathKind.VvarVclock or MapPathKind.Vdso).Select(m => $"{m.Path} 0x{m.Start:x}")));
        }
        for (int i = first; i < last; i++)
        {
            if (maps[i].End != maps[i + 1].Start || maps[i + 1].Kind is not (MapPathKind.VvarVclock or MapPathKind.Vdso))
            {
                throw new InvalidOperationException($"[vvar] … [vdso] are not adjacent: {maps[i + 1].Path} at 0x{maps[i + 1].Start:x}");
            }
        }
        string layout = string.Join(" + ", maps.Skip(first).Take(last - first + 1).Select(m => $"{m.Path} ({m.Size / 4096} pages)"));
        return (maps[first], maps[last], layout);
    }

    /// <summary>
    /// prctl(PR_SET_MM, PR_SET_MM_MAP) in a throwaway with its own current values: what restore
    /// issues with the dumped ones. exe_fd stays -1 (replacing the executable needs the old one
    /// unmapped first, which only a real restore does).
    /// </summary>
    public static ProbeOutcome SetMmMap(ProbeContext context)
    {
        uint kernelSize = Interop.GetMmMapSize();
        if (kernelSize != (uint)PrctlMmMap.Size || Marshal.SizeOf<PrctlMmMap>() != PrctlMmMap.Size)
        {
            return ProbeOutcome.Error($"PR_SET_MM_MAP_SIZE says struct prctl_mm_map is {kernelSize} bytes; keeper's is {PrctlMmMap.Size}");
        }
        Tracee thread = context.Stopped(ThrowawayRole.MmMap);
        int pid = thread.Pid;
        try
        {
            var injector = new Injector(context.Tracer, thread);
            injector.MapStub();
            ulong scratch = injector.Scratch;
            byte[] auxv = File.ReadAllBytes($"/proc/{pid}/auxv");
            if (AuxvOffset + auxv.Length > injector.ScratchLength)
            {
                return ProbeOutcome.Error($"the auxv of pid {pid} is {auxv.Length} bytes, more than the scratch page holds");
            }
            if (!ProcFsReader.TryReadStat(pid, out ProcStat stat))
            {
                return ProbeOutcome.Error($"pid {pid} vanished");
            }
            var map = new PrctlMmMap
            {
                StartCode = stat.StartCode,
                EndCode = stat.EndCode,
                StartStack = stat.StartStack,
                StartData = stat.StartData,
                EndData = stat.EndData,
                StartBrk = stat.StartBrk,
                Brk = (ulong)injector.CallChecked(SyscallNumber.Brk, 0),
                ArgStart = stat.ArgStart,
                ArgEnd = stat.ArgEnd,
                EnvStart = stat.EnvStart,
                EnvEnd = stat.EnvEnd,
                Auxv = scratch + AuxvOffset,
                AuxvSize = (uint)auxv.Length,
                ExeFd = -1,
            };
            injector.WriteScratch(auxv, AuxvOffset);
            injector.WriteScratch(ProbeProcFs.Bytes(map));
            injector.CallChecked(SyscallNumber.Prctl, (ulong)PrctlOption.PR_SET_MM, (ulong)PrSetMmOption.PR_SET_MM_MAP, scratch, (ulong)PrctlMmMap.Size);
            return ProbeOutcome.Ok($"pid {pid} accepted its own code/data/brk/stack/arg/env values and a {auxv.Length}-byte auxv "
                + $"(struct size {kernelSize} as PR_SET_MM_MAP_SIZE reports)");
        }
        finally
        {
            context.Kill(ThrowawayRole.MmMap);
        }
    }
}
