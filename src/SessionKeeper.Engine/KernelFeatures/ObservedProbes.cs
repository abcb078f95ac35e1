using SessionKeeper.Engine.ProcFs;
using System.Buffers.Binary;
using SessionKeeper.Native;
using SessionKeeper.ProcessControl;

namespace SessionKeeper.Engine;

/// <summary>
/// Probes that look at one seized throwaway without changing what it would do: what a dump
/// does to every process of a session.
/// </summary>
internal static class ObservedProbes
{
    private const int PageSize = 4096;

    /// <summary>PTRACE_SEIZE + PTRACE_INTERRUPT: the freeze of DESIGN.md §3.</summary>
    public static ProbeOutcome Seize(ProbeContext context)
    {
        Tracee thread = context.Stopped(ThrowawayRole.Observed);
        char? state = ProcTasks.State(thread.Pid);
        if (state != 't')
        {
            return ProbeOutcome.Error($"pid {thread.Pid} is in state '{state}' after PTRACE_INTERRUPT, not in a trace stop");
        }
        return ProbeOutcome.Ok($"seized and interrupted a throwaway sleep (pid {thread.Pid}); it stopped without SIGSTOP");
    }

    /// <summary>PTRACE_GET_RSEQ_CONFIGURATION on the stopped thread.</summary>
    public static ProbeOutcome Rseq(ProbeContext context)
    {
        Tracee thread = context.Stopped(ThrowawayRole.Observed);
        PtraceRseqConfiguration rseq = Interop.PtraceGetRseqConfiguration(thread.Tid);
        // glibc registers rseq for every thread unless a tunable turns it off; either way the
        // request itself answered, which is what the dump needs.
        return ProbeOutcome.Ok(rseq.RseqAbiPointer == 0
            ? "the request works; the throwaway registered no rseq area"
            : $"rseq area at 0x{rseq.RseqAbiPointer:x}, {rseq.RseqAbiSize} bytes, signature 0x{rseq.Signature:x8}");
    }

    /// <summary>process_vm_readv of the stopped thread's stack, at rsp.</summary>
    public static ProbeOutcome ProcessVmReadv(ProbeContext context)
    {
        Tracee thread = context.Stopped(ThrowawayRole.Observed);
        ulong rsp = thread.InitialRegs.Rsp;
        Span<byte> buffer = stackalloc byte[64];
        long read = RemoteMemory.Read(thread.Pid, rsp, buffer);
        return read == buffer.Length
            ? ProbeOutcome.Ok($"read {read} bytes of the throwaway's stack at rsp 0x{rsp:x}")
            : ProbeOutcome.Error($"process_vm_readv at rsp 0x{rsp:x} returned {read} of {buffer.Length} bytes");
    }

    /// <summary>
    /// pidfd_open + pidfd_getfd of the throwaway's fd 0, then kcmp KCMP_FILE: the copy must be
    /// the very same open file description, not merely the same file.
    /// </summary>
    public static ProbeOutcome PidfdGetfd(ProbeContext context)
    {
        int pid = context.Sleeper(ThrowawayRole.Observed).Pid;
        int self = Environment.ProcessId;
        using SafeFd pidfd = Interop.PidfdOpen(pid);
        using SafeFd copy = Interop.PidfdGetfd(pidfd, 0);
        using SafeFd devNull = Interop.Open("/dev/null", OpenFlags.O_RDONLY);
        Stat copied = Interop.Fstat(copy);
        Stat expected = Interop.Fstat(devNull);
        if (copied.FileType != Stat.TypeCharDevice || copied.Rdev != expected.Rdev)
        {
            return ProbeOutcome.Error($"fd 0 of pid {pid} was started on /dev/null, but its copy is another file (rdev 0x{copied.Rdev:x})");
        }
        KcmpOrder same = Interop.Kcmp(self, pid, KcmpType.KCMP_FILE, (ulong)copy.Fd, 0);
        KcmpOrder other = Interop.Kcmp(self, pid, KcmpType.KCMP_FILE, (ulong)devNull.Fd, 0);
        if (same != KcmpOrder.Equal || other == KcmpOrder.Equal)
        {
            return ProbeOutcome.Error($"kcmp(KCMP_FILE) says copy vs fd 0: {same}, our own /dev/null vs fd 0: {other}");
        }
        return ProbeOutcome.Ok($"copied fd 0 of pid {pid}; kcmp(KCMP_FILE) confirms the same open /dev/null");
    }

    /// <summary>kcmp KCMP_VM between this process and the throwaway: two address spaces.</summary>
    public static ProbeOutcome Kcmp(ProbeContext context)
    {
        int pid = context.Sleeper(ThrowawayRole.Observed).Pid;
        int self = Environment.ProcessId;
        KcmpOrder own = Interop.Kcmp(self, self, KcmpType.KCMP_VM);
        KcmpOrder theirs = Interop.Kcmp(self, pid, KcmpType.KCMP_VM);
        return own == KcmpOrder.Equal && theirs != KcmpOrder.Equal
            ? ProbeOutcome.Ok($"KCMP_VM: equal with itself, {theirs} with pid {pid}")
            : ProbeOutcome.Error($"KCMP_VM gave {own} for keeper with itself and {theirs} with pid {pid}");
    }

    /// <summary>readlink of one /proc/PID/map_files entry (needs CAP_CHECKPOINT_RESTORE or CAP_SYS_ADMIN).</summary>
    public static ProbeOutcome MapFiles(ProbeContext context)
    {
        int pid = context.Sleeper(ThrowawayRole.Observed).Pid;
        MapEntry? mapping = ProbeProcFs.Maps(pid).FirstOrDefault(m => m.Kind == MapPathKind.File);
        if (mapping is null)
        {
            return ProbeOutcome.Error($"pid {pid} maps no file");
        }
        string link = Interop.Readlink($"/proc/{pid}/map_files/{mapping.Start:x}-{mapping.End:x}");
        return link == mapping.Path
            ? ProbeOutcome.Ok($"map_files/{mapping.Start:x}-{mapping.End:x} of pid {pid} reads as {link}")
            : ProbeOutcome.Error($"map_files/{mapping.Start:x}-{mapping.End:x} of pid {pid} reads as {link}, maps says {mapping.Path}");
    }

    /// <summary>
    /// Soft-dirty tracking: clear_refs = 4 on the throwaway, then a write into its stack page;
    /// the page's pagemap entry must show bit 55. Without CONFIG_MEM_SOFT_DIRTY the write to
    /// clear_refs still succeeds but the bit never appears.
    /// </summary>
    public static ProbeOutcome SoftDirty(ProbeContext context)
    {
        const ulong present = 1UL << 63;
        const ulong softDirty = 1UL << 55;
        Tracee thread = context.Stopped(ThrowawayRole.Observed);
        int pid = thread.Pid;
        ulong page = thread.InitialRegs.Rsp & ~(ulong)(PageSize - 1);
        using (SafeFd clearRefs = Interop.Open($"/proc/{pid}/clear_refs", OpenFlags.O_WRONLY))
        {
            Interop.WriteAll(clearRefs, "4"u8);
        }
        // Write back what is there: the page becomes dirty, its contents stay the same.
        Span<byte> word = stackalloc byte[8];
        if (RemoteMemory.Read(pid, page, word) != word.Length)
        {
            return ProbeOutcome.Error($"cannot read the stack page 0x{page:x} of pid {pid}");
        }
        RemoteMemory.Write(pid, page, word);
        using SafeFd pagemap = Interop.Open($"/proc/{pid}/pagemap", OpenFlags.O_RDONLY);
        Span<byte> entryBytes = stackalloc byte[8];
        if (Interop.Pread(pagemap, entryBytes, (long)(page / PageSize * 8)) != entryBytes.Length)
        {
            return ProbeOutcome.Error($"short read of /proc/{pid}/pagemap");
        }
        ulong entry = BinaryPrimitives.ReadUInt64LittleEndian(entryBytes);
        if ((entry & present) == 0)
        {
            return ProbeOutcome.Error($"the stack page 0x{page:x} of pid {pid} is not present after a write");
        }
        return (entry & softDirty) != 0
            ? ProbeOutcome.Ok("pagemap bit 55 appears after clear_refs=4 and a write: a later save can skip unchanged pages")
            : ProbeOutcome.Missing("pagemap bit 55 stays clear after clear_refs=4 and a write (kernel built without "
                + "CONFIG_MEM_SOFT_DIRTY): every save reads all pages, and unchanged ones are deduplicated by hash");
    }
}
