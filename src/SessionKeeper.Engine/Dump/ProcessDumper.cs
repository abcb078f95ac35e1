using System.Buffers.Binary;
using System.Runtime.InteropServices;
using SessionKeeper.Engine.ProcFs;
using SessionKeeper.Native;
using SessionKeeper.ProcessControl;
using V1 = SessionKeeper.Images.V1;

namespace SessionKeeper.Engine.Dump;

/// <summary>
/// Collects the core image of one frozen process (DESIGN.md §4): per thread registers, xstate,
/// signal mask and queues, rseq, robust list, clear-tid address, sigaltstack; per process
/// signal handlers, credentials, limits, timers and paths. Runs on the tracer thread.
/// </summary>
/// <remarks>
/// What ptrace and /proc can tell from outside is read from outside. The rest (signal
/// handlers, itimers, POSIX timer times, the clear-tid address, sigaltstack) only the task can
/// tell, so it is asked with injected system calls whose results land in the injector's scratch
/// page. Threads share the address space, so threads other than the first use the first
/// thread's scratch page and run their few calls at the vDSO's <c>syscall</c> instruction,
/// without a stub of their own.
/// </remarks>
public sealed class ProcessDumper
{
    /// <summary>Large enough for the XSAVE area of any current x86 CPU (AMX tiles included: ~11 KiB).</summary>
    private const int XstateBufferSize = 16384;

    private const int SigactionSize = 32;
    // Scratch layout (two pages): kernel sigactions for signals 1..64, then itimers, then
    // per-call slots.
    private const int ScratchSigactions = 0;
    private const int ScratchItimers = 64 * SigactionSize;
    private const int ScratchSlot = ScratchItimers + (3 * 32);
    private const int ScratchPages = 2;

    private readonly TracerThread _tracer;
    private readonly FrozenProcess _process;

    /// <summary>Prepares to dump <paramref name="process"/> of a tree frozen by <paramref name="tracer"/>.</summary>
    public ProcessDumper(TracerThread tracer, FrozenProcess process)
    {
        _tracer = tracer;
        _process = process;
    }

    /// <summary>Number of system calls injected (for the freeze-time breakdown).</summary>
    public int InjectedCalls { get; private set; }

    /// <summary>The brk(0) value the process reported: the mm image needs it.</summary>
    public ulong Brk { get; private set; }

    /// <summary>Length of the XSAVE area the kernel filled, from the first thread.</summary>
    public int XsaveSize { get; private set; }

    /// <summary>XCR0 as stored in the first thread's XSAVE area (bytes 464..471).</summary>
    public ulong XsaveFeatures { get; private set; }

    /// <summary>Builds the core image of a zombie: only its pid and exit code.</summary>
    public static V1.Core ZombieCore(int pid, int exitCode) => new()
    {
        Pid = (uint)pid,
        Threads = { new V1.ThreadCore { Tid = (uint)pid, State = V1.TaskState.Zombie, ExitCode = exitCode } },
    };

    /// <summary>Collects the core image; must run on the tracer thread while the tree is frozen.</summary>
    public V1.Core Dump(ProcStat stat, ProcStatus status)
    {
        _tracer.VerifyAccess();
        int pid = _process.Pid;
        var core = new V1.Core
        {
            Pid = (uint)pid,
            Personality = ProcFsReader.TryReadPersonality(pid, out uint personality) ? personality : 0,
            Umask = status.Umask ?? 0,
            Cwd = ProcFsReader.TryReadCwd(pid, out string cwd) ? cwd : "",
            Root = ProcFsReader.TryReadRoot(pid, out string root) ? root : "",
            Exe = ProcFsReader.TryReadExe(pid, out string exe) ? exe : "",
            ExitSignal = (uint)Math.Max(0, stat.ExitSignal),
            Creds = CredsFromStatus(status),
        };
        if (ProcFsReader.TryReadLimits(pid, out ResourceLimit[] limits))
        {
            foreach (ResourceLimit limit in limits)
            {
                core.Rlimits.Add(new V1.Rlimit { Resource = (uint)limit.Resource, Cur = limit.Soft, Max = limit.Hard });
            }
        }

        // Everything ptrace reads from outside first, before injected calls change the stop state.
        byte[] xstate = new byte[XstateBufferSize];
        foreach (Tracee thread in _process.Threads)
        {
            core.Threads.Add(ThreadFromOutside(thread, xstate));
        }
        core.SharedPending.AddRange(PendingSignals(_process.Threads[0].Tid, shared: true));
        foreach (V1.ThreadCore thread in core.Threads.Skip(1))
        {
            // Credentials are per thread; a thread that changed its own (raw setresuid) keeps them.
            if (ProcFsReader.TryReadTaskStatus(pid, (int)thread.Tid, out ProcStatus threadStatus)
                && CredsFromStatus(threadStatus) is var threadCreds
                && !threadCreds.Equals(CredsFromStatus(status)))
            {
                thread.Creds = threadCreds;
            }
        }

        // Every disposition is read, not only caught and ignored signals: a SIG_DFL set through
        // glibc carries SA_RESTORER and a restorer, which the program can see again.
        ulong everySignal = ~(Bit(Signals.SIGKILL) | Bit(Signals.SIGSTOP));
        ProcFsReader.TryReadTimers(pid, out List<ProcFs.PosixTimer> timers);
        ulong? vdso = ProcTasks.VdsoStart(pid);
        if (vdso is null)
        {
            // No vDSO (a static program under vdso=0): nothing can be injected. What injected calls
            // would have told is then simply missing from the image.
            return core;
        }

        using (var injector = new Injector(_tracer, _process.Threads[0], vdso))
        {
            injector.MapStub(ScratchPages);
            ulong scratch = injector.Scratch;
            byte[] buffer = new byte[ScratchPages * 4096];

            InjectSigactions(injector, scratch, everySignal, buffer, core);
            InjectProcessCalls(injector, scratch, buffer, core);
            InjectPosixTimers(injector, scratch, timers, buffer, core);

            for (int i = 0; i < _process.Threads.Count; i++)
            {
                Tracee thread = _process.Threads[i];
                if (i == 0)
                {
                    InjectThreadCalls(injector, scratch, buffer, core.Threads[i]);
                    continue;
                }
                // A second injector for this thread: its calls run at the vDSO's syscall and write
                // into the first thread's scratch page, which every thread of the process sees.
                using var threadInjector = new Injector(_tracer, thread, vdso);
                InjectThreadCalls(threadInjector, scratch, buffer, core.Threads[i]);
            }
        }
        return core;
    }

    private V1.ThreadCore ThreadFromOutside(Tracee thread, byte[] xstate)
    {
        int tid = thread.Tid;
        var entry = new V1.ThreadCore
        {
            Tid = (uint)tid,
            State = thread.GroupStopSignal != 0 ? V1.TaskState.Stopped : V1.TaskState.Running,
            Comm = ProcFsReader.TryReadTaskComm(thread.Pid, tid, out string comm) ? comm : "",
            Regs = RegisterImages.ToImage(SyscallRestart.Apply(thread.InitialRegs, restartBlock: false)),
            Blocked = thread.InitialSigMask,
        };

        int length = Interop.PtraceGetRegSet(tid, NoteType.X86Xstate, xstate);
        ulong features = length >= 472 ? BinaryPrimitives.ReadUInt64LittleEndian(xstate.AsSpan(464)) : 0;
        ulong xstateBv = length >= 520 ? BinaryPrimitives.ReadUInt64LittleEndian(xstate.AsSpan(512)) : 0;
        entry.Xstate = new V1.XState
        {
            Data = Google.Protobuf.ByteString.CopyFrom(xstate, 0, length),
            Size = (uint)length,
            Features = features,
            XstateBv = xstateBv,
        };
        if (XsaveSize == 0)
        {
            XsaveSize = length;
            XsaveFeatures = features;
        }

        entry.Pending.AddRange(PendingSignals(tid, shared: false));

        PtraceRseqConfiguration rseq = Interop.PtraceGetRseqConfiguration(tid);
        if (rseq.RseqAbiPointer != 0)
        {
            entry.Rseq = new V1.Rseq
            {
                Address = rseq.RseqAbiPointer,
                Length = rseq.RseqAbiSize,
                Signature = rseq.Signature,
                Flags = rseq.Flags,
            };
        }
        if (Interop.TryGetRobustList(tid) is { Head: not 0 } robust)
        {
            entry.RobustList = new V1.RobustList { Head = robust.Head, Length = robust.Length };
        }
        return entry;
    }

    /// <summary>Reads a signal queue with PTRACE_PEEKSIGINFO without dequeuing anything.</summary>
    private static List<V1.PendingSignal> PendingSignals(int tid, bool shared)
    {
        var result = new List<V1.PendingSignal>();
        Span<SigInfo> batch = stackalloc SigInfo[16];
        ulong offset = 0;
        while (true)
        {
            int n = Interop.PtracePeekSigInfo(tid, offset, shared, batch);
            if (n <= 0)
            {
                return result;
            }
            for (int i = 0; i < n; i++)
            {
                result.Add(new V1.PendingSignal
                {
                    Signo = (uint)batch[i].Signo,
                    Siginfo = Google.Protobuf.ByteString.CopyFrom(batch[i].AsBytes()),
                });
            }
            offset += (ulong)n;
        }
    }

    private void InjectSigactions(Injector injector, ulong scratch, ulong signals, byte[] buffer, V1.Core core)
    {
        if (signals == 0)
        {
            return;
        }
        var calls = new List<SyscallRequest>(Signals.SIGRTMAX);
        for (int signo = 1; signo <= Signals.SIGRTMAX; signo++)
        {
            if ((signals & Bit(signo)) != 0)
            {
                calls.Add(new SyscallRequest(SyscallNumber.RtSigaction, (ulong)signo, 0,
                    scratch + ScratchSigactions + (ulong)((signo - 1) * SigactionSize), sizeof(ulong)));
            }
        }
        // One stop for all the calls, and one read for all the results: each call wrote its own slot.
        InjectedCalls += calls.Count;
        injector.CallBatchChecked(CollectionsMarshal.AsSpan(calls), new long[calls.Count]);
        ReadScratch(scratch + ScratchSigactions, buffer.AsSpan(0, 64 * SigactionSize));
        for (int signo = 1; signo <= Signals.SIGRTMAX; signo++)
        {
            if ((signals & Bit(signo)) == 0)
            {
                continue;
            }
            KernelSigaction action = MemoryMarshal.Read<KernelSigaction>(buffer.AsSpan((signo - 1) * SigactionSize));
            if (action.Handler == 0 && action.Flags == 0 && action.Restorer == 0 && action.Mask == 0)
            {
                continue; // the plain default, which the image leaves out
            }
            core.Sigactions.Add(new V1.SigAction
            {
                Signo = (uint)signo,
                Handler = action.Handler,
                Flags = action.Flags,
                Restorer = action.Restorer,
                Mask = action.Mask,
            });
        }
    }

    /// <summary>
    /// The process-wide values only the process can answer, in one batch: its three itimers,
    /// brk, dumpable, securebits and child-subreaper flag.
    /// </summary>
    private void InjectProcessCalls(Injector injector, ulong scratch, byte[] buffer, V1.Core core)
    {
        int size = Marshal.SizeOf<ItimerVal>();
        long[] results = Batch(injector,
            new(SyscallNumber.Getitimer, 0, scratch + ScratchItimers),
            new(SyscallNumber.Getitimer, 1, scratch + ScratchItimers + (ulong)size),
            new(SyscallNumber.Getitimer, 2, scratch + ScratchItimers + (ulong)(2 * size)),
            new(SyscallNumber.Brk, 0),
            new(SyscallNumber.Prctl, (ulong)PrctlOption.PR_GET_DUMPABLE),
            new(SyscallNumber.Prctl, (ulong)PrctlOption.PR_GET_SECUREBITS),
            new(SyscallNumber.Prctl, (ulong)PrctlOption.PR_GET_CHILD_SUBREAPER, scratch + ScratchSlot));
        for (int which = 0; which < 3; which++)
        {
            injector.ThrowIfFailed(SyscallNumber.Getitimer, results[which]);
        }
        ReadScratch(scratch + ScratchItimers, buffer.AsSpan(0, 3 * size));
        core.Itimers = new V1.ITimers
        {
            Real = Itimer(MemoryMarshal.Read<ItimerVal>(buffer.AsSpan(0))),
            Virt = Itimer(MemoryMarshal.Read<ItimerVal>(buffer.AsSpan(size))),
            Prof = Itimer(MemoryMarshal.Read<ItimerVal>(buffer.AsSpan(2 * size))),
        };
        Brk = (ulong)results[3];
        core.Dumpable = (uint)results[4];
        core.Creds.Securebits = (uint)results[5];
        foreach (V1.ThreadCore thread in core.Threads.Where(t => t.Creds is not null))
        {
            thread.Creds.Securebits = core.Creds.Securebits;
        }
        ReadScratch(scratch + ScratchSlot, buffer.AsSpan(0, 4));
        core.ChildSubreaper = BinaryPrimitives.ReadInt32LittleEndian(buffer) != 0;
    }

    private static V1.TimerValue? Itimer(ItimerVal value)
    {
        // A periodic ITIMER_REAL that expired while the tree was frozen reads as value 0 with
        // its interval: the kernel re-arms it only when the SIGALRM is dequeued. It is armed.
        if (value.Value.Seconds == 0 && value.Value.Microseconds == 0 && value.Interval.Seconds == 0 && value.Interval.Microseconds == 0)
        {
            return null;
        }
        return new V1.TimerValue
        {
            IntervalNs = (ulong)((value.Interval.Seconds * 1_000_000_000L) + (value.Interval.Microseconds * 1000)),
            ValueNs = (ulong)((value.Value.Seconds * 1_000_000_000L) + (value.Value.Microseconds * 1000)),
        };
    }

    private void InjectPosixTimers(Injector injector, ulong scratch, List<ProcFs.PosixTimer> timers, byte[] buffer, V1.Core core)
    {
        int size = Marshal.SizeOf<ItimerSpec>();
        foreach (ProcFs.PosixTimer timer in timers)
        {
            CallChecked(injector, SyscallNumber.TimerGettime, (ulong)timer.Id, scratch + ScratchSlot);
            ReadScratch(scratch + ScratchSlot, buffer.AsSpan(0, size));
            ItimerSpec spec = MemoryMarshal.Read<ItimerSpec>(buffer);
            long overrun = Call(injector, SyscallNumber.TimerGetoverrun, (ulong)timer.Id);
            var entry = new V1.PosixTimer
            {
                Id = timer.Id,
                ClockId = timer.ClockId,
                Signo = timer.Signal,
                SigevValue = timer.SigevValue,
                Overrun = overrun > 0 ? (int)overrun : 0,
                Notify = timer.Notify switch
                {
                    TimerNotify.Signal when timer.NotifiesThread => V1.SigevNotify.ThreadId,
                    TimerNotify.Signal => V1.SigevNotify.Signal,
                    TimerNotify.None => V1.SigevNotify.None,
                    TimerNotify.Thread => V1.SigevNotify.Thread,
                    _ => V1.SigevNotify.Unspecified,
                },
                NotifyTid = timer.NotifiesThread ? (uint)timer.NotifyPid : 0,
            };
            // A periodic timer waiting for its signal to be dequeued may read as value 0: armed still.
            if (spec.Value.Seconds != 0 || spec.Value.Nanoseconds != 0 || spec.Interval.Seconds != 0 || spec.Interval.Nanoseconds != 0)
            {
                entry.Value = new V1.TimerValue
                {
                    IntervalNs = (ulong)((spec.Interval.Seconds * 1_000_000_000L) + spec.Interval.Nanoseconds),
                    ValueNs = (ulong)((spec.Value.Seconds * 1_000_000_000L) + spec.Value.Nanoseconds),
                };
            }
            core.PosixTimers.Add(entry);
        }
    }

    /// <summary>The calls only a thread itself can answer: clear-tid address, sigaltstack, pdeath signal, timer slack.</summary>
    private void InjectThreadCalls(Injector injector, ulong scratch, byte[] buffer, V1.ThreadCore thread)
    {
        ulong slot = scratch + ScratchSlot;
        long[] results = Batch(injector,
            new(SyscallNumber.Prctl, (ulong)PrctlOption.PR_GET_TID_ADDRESS, slot),
            new(SyscallNumber.Sigaltstack, 0, slot + 16),
            new(SyscallNumber.Prctl, (ulong)PrctlOption.PR_GET_PDEATHSIG, slot + 48),
            new(SyscallNumber.Prctl, (ulong)PrctlOption.PR_GET_TIMERSLACK));
        injector.ThrowIfFailed(SyscallNumber.Prctl, results[0]);
        injector.ThrowIfFailed(SyscallNumber.Sigaltstack, results[1]);
        injector.ThrowIfFailed(SyscallNumber.Prctl, results[2]);
        long slack = results[3];
        ReadScratch(slot, buffer.AsSpan(0, 64));
        thread.ClearTidAddress = BinaryPrimitives.ReadUInt64LittleEndian(buffer);
        StackT stack = MemoryMarshal.Read<StackT>(buffer.AsSpan(16));
        if ((stack.Flags & StackT.SsDisable) == 0)
        {
            thread.Sigaltstack = new V1.SigAltStack { Sp = stack.Sp, Flags = stack.Flags, Size = stack.Size };
        }
        thread.PdeathSignal = (uint)BinaryPrimitives.ReadInt32LittleEndian(buffer.AsSpan(48));
        if (slack >= 0)
        {
            thread.TimerSlackNs = (ulong)slack;
        }
    }

    /// <summary>Runs <paramref name="calls"/> as one injected batch; returns their raw results.</summary>
    private long[] Batch(Injector injector, params SyscallRequest[] calls)
    {
        InjectedCalls += calls.Length;
        var results = new long[calls.Length];
        injector.CallBatch(calls, results);
        return results;
    }

    private long Call(Injector injector, SyscallNumber number, ulong a0 = 0, ulong a1 = 0, ulong a2 = 0, ulong a3 = 0)
    {
        InjectedCalls++;
        return injector.Call(number, a0, a1, a2, a3);
    }

    private long CallChecked(Injector injector, SyscallNumber number, ulong a0 = 0, ulong a1 = 0, ulong a2 = 0, ulong a3 = 0)
    {
        InjectedCalls++;
        return injector.CallChecked(number, a0, a1, a2, a3);
    }

    private unsafe void ReadScratch(ulong address, Span<byte> destination)
    {
        fixed (byte* p = destination)
        {
            IoVec local = new(p, (nuint)destination.Length);
            IoVec remote = new((void*)address, (nuint)destination.Length);
            long n = Interop.ProcessVmReadv(_process.Pid, new ReadOnlySpan<IoVec>(in local), new ReadOnlySpan<IoVec>(in remote));
            if (n != destination.Length)
            {
                throw new IOException($"{_process}: short read of the injector's scratch memory ({n} of {destination.Length} bytes)");
            }
        }
    }

    /// <summary>The credentials /proc/PID/status shows (everything but the securebits).</summary>
    public static V1.Creds CredsFromStatus(ProcStatus status)
    {
        var creds = new V1.Creds
        {
            Uid = status.Uid.Real,
            Euid = status.Uid.Effective,
            Suid = status.Uid.Saved,
            Fsuid = status.Uid.Filesystem,
            Gid = status.Gid.Real,
            Egid = status.Gid.Effective,
            Sgid = status.Gid.Saved,
            Fsgid = status.Gid.Filesystem,
            CapInheritable = status.CapInh,
            CapPermitted = status.CapPrm,
            CapEffective = status.CapEff,
            CapBounding = status.CapBnd,
            CapAmbient = status.CapAmb,
            NoNewPrivs = status.NoNewPrivs,
        };
        creds.Groups.AddRange(status.Groups);
        return creds;
    }

    private static ulong Bit(int signo) => 1UL << (signo - 1);
}
