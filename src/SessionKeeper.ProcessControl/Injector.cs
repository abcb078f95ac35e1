using System.Buffers.Binary;
using System.Runtime.InteropServices;
using SessionKeeper.Native;

namespace SessionKeeper.ProcessControl;

/// <summary>
/// Runs system calls inside a stopped process, using one of its threads (DESIGN.md §3): set
/// rax and the argument registers, orig_rax = -1, rip at a <c>syscall</c> instruction, resume,
/// stop, read rax. No code of ours runs in the target beyond <c>syscall; int3</c> and a loop
/// that runs a table of such calls (<see cref="CallBatch"/>).
/// <para>
/// The first call runs at the vDSO's own <c>syscall</c> instruction, stepped with two
/// PTRACE_SYSCALL stops. <see cref="MapStub"/> then maps a private page holding
/// <c>0f 05 cc</c> (syscall; int3) plus scratch memory for pointer arguments; calls through it
/// need one PTRACE_CONT and one stop, and a batch of calls needs one for all of them.
/// <see cref="Dispose"/> unmaps the page through the vDSO
/// again, so the process is left without a trace.
/// </para>
/// While calls run the thread blocks every signal but SIGTRAP: an asynchronous signal would
/// otherwise stop it mid-injection, and SIGTRAP must stay deliverable because the kernel resets
/// a blocked SIGTRAP's handler to SIG_DFL when int3 forces it.
/// </summary>
public sealed class Injector : IDisposable
{
    private const ulong StubCode = 0xcc050f; // syscall; int3 (little-endian)

    // The stub page also holds a loop that runs a table of calls in one stop (CallBatch):
    // its code at BatchCodeOffset, the table after it, one 64-byte entry per call
    // (number, six arguments, then the result the loop stores).
    private const int BatchCodeOffset = 16;
    private const int BatchTableOffset = 128;
    private const int BatchEntryLength = 64;
    private const int PageSize = 4096;
    private const ulong AllButTrap = ~(1UL << (Signals.SIGTRAP - 1));

    /// <summary>Calls <see cref="CallBatch"/> runs per stop; longer batches take several.</summary>
    public const int MaxBatch = (PageSize - BatchTableOffset) / BatchEntryLength;

    // rbx = the table, r12 = the number of entries:
    //   1: test r12, r12 / jz 2f
    //      mov rax, [rbx]; mov rdi, [rbx+8]; mov rsi, [rbx+16]; mov rdx, [rbx+24]
    //      mov r10, [rbx+32]; mov r8, [rbx+40]; mov r9, [rbx+48]
    //      syscall; mov [rbx+56], rax
    //      add rbx, 64; dec r12; jmp 1b
    //   2: int3
    private static ReadOnlySpan<byte> BatchCode =>
    [
        0x4d, 0x85, 0xe4, 0x74, 0x2a, 0x48, 0x8b, 0x03, 0x48, 0x8b, 0x7b, 0x08,
        0x48, 0x8b, 0x73, 0x10, 0x48, 0x8b, 0x53, 0x18, 0x4c, 0x8b, 0x53, 0x20,
        0x4c, 0x8b, 0x43, 0x28, 0x4c, 0x8b, 0x4b, 0x30, 0x0f, 0x05, 0x48, 0x89,
        0x43, 0x38, 0x48, 0x83, 0xc3, 0x40, 0x49, 0xff, 0xcc, 0xeb, 0xd1, 0xcc,
    ];

    private readonly TracerThread _tracer;
    private readonly Tracee _thread;
    private ulong _vdsoSyscall;
    private ulong _stub;
    private int _stubLength;

    /// <summary>Prepares to run calls in the process of <paramref name="thread"/>.</summary>
    /// <param name="tracer">The tracer thread that seized the thread.</param>
    /// <param name="thread">A stopped thread of the target; its registers are the template and are put back after.</param>
    /// <param name="vdsoStart">Where [vdso] is mapped in the target (null: read /proc/PID/maps).</param>
    public Injector(TracerThread tracer, Tracee thread, ulong? vdsoStart = null)
    {
        _tracer = tracer;
        _thread = thread;
        ulong vdso = vdsoStart ?? ProcTasks.VdsoStart(thread.Pid)
            ?? throw new InvalidOperationException($"{thread}: no [vdso] mapping, so no syscall instruction to run injected calls at");
        _vdsoSyscall = vdso + (ulong)Vdso.SyscallOffset;
    }

    /// <summary>The thread that executes the calls.</summary>
    public Tracee Thread => _thread;

    /// <summary>Address of the scratch area in the target (after <see cref="MapStub"/>), for pointer arguments.</summary>
    public ulong Scratch => _stub == 0 ? throw new InvalidOperationException("no stub page mapped") : _stub + PageSize;

    /// <summary>Size of the scratch area in bytes.</summary>
    public int ScratchLength => _stubLength - PageSize;

    /// <summary>Number of calls run so far (for benchmarks and progress).</summary>
    public int CallCount { get; private set; }

    /// <summary>
    /// Maps the stub page plus <paramref name="scratchPages"/> pages of scratch memory at an
    /// address the kernel picks (or at <paramref name="address"/> with MAP_FIXED_NOREPLACE).
    /// </summary>
    public void MapStub(int scratchPages = 1, ulong address = 0)
    {
        if (_stub != 0)
        {
            return;
        }
        int length = PageSize * (1 + scratchPages);
        const MmapProt protRwx = MmapProt.PROT_READ | MmapProt.PROT_WRITE | MmapProt.PROT_EXEC;
        MmapFlags flags = MmapFlags.MAP_PRIVATE | MmapFlags.MAP_ANONYMOUS | (address != 0 ? MmapFlags.MAP_FIXED_NOREPLACE : 0);
        long result = Call(SyscallNumber.Mmap, address, (ulong)length, (ulong)protRwx, (ulong)flags, ulong.MaxValue, 0);
        if (result < 0 && result > -4096)
        {
            ErrnoException.Throw((Errno)(-result), "injected mmap(stub)", _thread.ToString());
        }
        _tracer.VerifyAccess();
        Interop.PtracePokeData(_thread.Tid, (ulong)result, StubCode);
        RemoteMemory.Write(_thread.Pid, (ulong)result + BatchCodeOffset, BatchCode);
        _stub = (ulong)result;
        _stubLength = length;
    }

    /// <summary>
    /// Runs one system call in the target and returns the raw result (negative errno on
    /// failure, as the kernel returns it).
    /// </summary>
    public long Call(SyscallNumber number, ulong a0 = 0, ulong a1 = 0, ulong a2 = 0, ulong a3 = 0, ulong a4 = 0, ulong a5 = 0)
    {
        _tracer.VerifyAccess();
        int tid = _thread.Tid;
        UserRegs regs = PrepareThread();
        regs.Rax = (ulong)number;
        regs.Rdi = a0;
        regs.Rsi = a1;
        regs.Rdx = a2;
        regs.R10 = a3;
        regs.R8 = a4;
        regs.R9 = a5;
        // orig_rax = -1: no syscall in progress, so the kernel applies no restart logic to our registers.
        regs.OrigRax = ulong.MaxValue;
        CallCount++;
        if (_stub != 0)
        {
            regs.Rip = _stub;
            RunToStubTrap(regs, number, batch: 0);
        }
        else
        {
            regs.Rip = _vdsoSyscall;
            Interop.PtraceSetRegs(tid, regs);
            Step(number);
            Step(number);
            _thread.Stop = TraceeStop.SyscallExit;
        }
        return (long)Interop.PtraceGetRegs(tid).Rax;
    }

    /// <summary>
    /// Runs <paramref name="calls"/> in order and stores each raw result (negative errno on
    /// failure) in <paramref name="results"/>. With the stub mapped, up to <see cref="MaxBatch"/>
    /// calls run in one stop of the target, which saves the ptrace round trip each single call
    /// costs; a failing call does not stop the ones after it. Calls that fork or stop the thread
    /// must be made one by one with <see cref="Call"/>.
    /// </summary>
    public void CallBatch(ReadOnlySpan<SyscallRequest> calls, Span<long> results)
    {
        if (results.Length < calls.Length)
        {
            throw new ArgumentException($"room for {results.Length} results, not {calls.Length}", nameof(results));
        }
        if (_stub == 0)
        {
            for (int i = 0; i < calls.Length; i++)
            {
                SyscallRequest call = calls[i];
                results[i] = Call(call.Number, call.A0, call.A1, call.A2, call.A3, call.A4, call.A5);
            }
            return;
        }
        _tracer.VerifyAccess();
        Span<byte> table = stackalloc byte[MaxBatch * BatchEntryLength];
        for (int start = 0; start < calls.Length; start += MaxBatch)
        {
            ReadOnlySpan<SyscallRequest> part = calls.Slice(start, Math.Min(MaxBatch, calls.Length - start));
            Span<byte> entries = table[..(part.Length * BatchEntryLength)];
            entries.Clear();
            for (int i = 0; i < part.Length; i++)
            {
                Span<ulong> entry = MemoryMarshal.Cast<byte, ulong>(entries.Slice(i * BatchEntryLength, BatchEntryLength));
                (entry[0], entry[1], entry[2], entry[3], entry[4], entry[5], entry[6]) =
                    ((ulong)part[i].Number, part[i].A0, part[i].A1, part[i].A2, part[i].A3, part[i].A4, part[i].A5);
            }
            RemoteMemory.Write(_thread.Pid, _stub + BatchTableOffset, entries);
            RunBatch(part[0].Number, part.Length);
            if (RemoteMemory.Read(_thread.Pid, _stub + BatchTableOffset, entries) != entries.Length)
            {
                throw new InvalidOperationException($"{_thread}: the results of an injected batch could not be read back");
            }
            for (int i = 0; i < part.Length; i++)
            {
                results[start + i] = BinaryPrimitives.ReadInt64LittleEndian(entries[((i * BatchEntryLength) + 56)..]);
            }
        }
    }

    /// <summary><see cref="CallBatch"/> that throws <see cref="ErrnoException"/> naming the first call that failed.</summary>
    public void CallBatchChecked(ReadOnlySpan<SyscallRequest> calls, Span<long> results)
    {
        CallBatch(calls, results);
        for (int i = 0; i < calls.Length; i++)
        {
            ThrowIfFailed(calls[i].Number, results[i]);
        }
    }

    /// <summary>Throws <see cref="ErrnoException"/> naming the call and thread when <paramref name="result"/> (of <paramref name="number"/>) is a negative errno.</summary>
    public void ThrowIfFailed(SyscallNumber number, long result)
    {
        if (result < 0 && result > -4096)
        {
            ErrnoException.Throw((Errno)(-result), $"injected {number}", _thread.ToString());
        }
    }

    private void RunBatch(SyscallNumber first, int count)
    {
        UserRegs regs = PrepareThread();
        regs.Rip = _stub + BatchCodeOffset;
        regs.Rbx = _stub + BatchTableOffset;
        regs.R12 = (ulong)count;
        regs.OrigRax = ulong.MaxValue;
        CallCount += count;
        RunToStubTrap(regs, first, batch: count);
    }

    /// <summary>
    /// Blocks every signal but SIGTRAP in the thread (once) and returns its saved registers,
    /// the template each injected call starts from.
    /// </summary>
    private UserRegs PrepareThread()
    {
        if (!_thread.Modified)
        {
            Interop.PtraceSetSigMask(_thread.Tid, AllButTrap);
            _thread.Modified = true;
        }
        return _thread.InitialRegs;
    }

    /// <summary>Resumes the thread with <paramref name="regs"/> until the stub's int3 stops it (after a single call or a batch of <paramref name="batch"/> from <paramref name="number"/>).</summary>
    private void RunToStubTrap(UserRegs regs, SyscallNumber number, int batch)
    {
        Interop.PtraceSetRegs(_thread.Tid, regs);
        Interop.PtraceCont(_thread.Tid);
        WaitStatus status = WaitSkippingEvents(number, stepping: false);
        if (status.StopSignal != Signals.SIGTRAP || status.Event != PtraceEvent.None)
        {
            string what = batch == 0 ? $"injected {number}" : $"an injected batch of {batch} calls from {number}";
            throw new InvalidOperationException($"{_thread}: {what} stopped with {status} instead of the stub's trap");
        }
        _thread.Stop = TraceeStop.Trap;
    }

    /// <summary>Runs a call and throws <see cref="ErrnoException"/> when it returns an error.</summary>
    public long CallChecked(SyscallNumber number, ulong a0 = 0, ulong a1 = 0, ulong a2 = 0, ulong a3 = 0, ulong a4 = 0, ulong a5 = 0)
    {
        long result = Call(number, a0, a1, a2, a3, a4, a5);
        ThrowIfFailed(number, result);
        return result;
    }

    /// <summary>
    /// Makes the process exit with <paramref name="code"/> (injected exit_group, which does not
    /// return) and collects the tracer's notification, so that the real parent is the one to
    /// reap it. For restoring zombies.
    /// </summary>
    public void Exit(int code)
    {
        _tracer.VerifyAccess();
        UserRegs regs = _thread.InitialRegs;
        regs.Rax = (ulong)SyscallNumber.ExitGroup;
        regs.Rdi = (ulong)code;
        regs.OrigRax = ulong.MaxValue;
        regs.Rip = _stub != 0 ? _stub : _vdsoSyscall;
        Interop.PtraceSetRegs(_thread.Tid, regs);
        Interop.PtraceCont(_thread.Tid);
        WaitForDeath();
    }

    /// <summary>
    /// Makes the process die by <paramref name="signal"/>: the thread stands in the stub's
    /// SIGTRAP delivery stop after an injected call, and resuming it with another signal
    /// delivers that one instead. The caller sets the signal's disposition to the default first.
    /// </summary>
    public void KillWith(int signal)
    {
        _tracer.VerifyAccess();
        if (_thread.Stop != TraceeStop.Trap)
        {
            throw new InvalidOperationException($"{_thread}: a signal can be delivered only from the stub's trap stop");
        }
        Interop.PtraceSetSigMask(_thread.Tid, 0);
        Interop.PtraceCont(_thread.Tid, signal);
        WaitForDeath();
    }

    private void WaitForDeath()
    {
        while (true)
        {
            WaitStatus status = Interop.WaitPid(_thread.Tid, WaitOptions.All);
            if (!status.Stopped)
            {
                return;
            }
            // PTRACE_EVENT_EXIT or a signal stop on the way out: go on with the signal, if any.
            Interop.PtraceCont(_thread.Tid, status.Event == PtraceEvent.None && status.StopSignal != Signals.SIGTRAP ? status.StopSignal : 0);
        }
    }

    /// <summary>
    /// The tid of the task created by the last injected fork/clone/clone3, when the thread was
    /// seized with PTRACE_O_TRACEFORK/TRACECLONE (the new task starts traced and stopped; the
    /// caller collects its first stop).
    /// </summary>
    public int LastChild { get; private set; }

    /// <summary>Waits for the next stop; fork/clone event stops record the new task, and event stops go on.</summary>
    private WaitStatus WaitSkippingEvents(SyscallNumber number, bool stepping)
    {
        while (true)
        {
            WaitStatus status = _thread.WaitStop("injected " + number);
            bool forked = status.Event is PtraceEvent.Fork or PtraceEvent.Vfork or PtraceEvent.Clone;
            if (forked)
            {
                LastChild = (int)Interop.PtraceGetEventMsg(_thread.Tid);
            }
            // A thread seized in a job-control stop reports that group-stop first; the trap of
            // our PTRACE_INTERRUPT is still pending and stops it once more as soon as it is
            // resumed, before it runs anything. Resume it again.
            if (forked || status.Event == PtraceEvent.Stop)
            {
                if (stepping)
                {
                    Interop.PtraceSyscall(_thread.Tid);
                }
                else
                {
                    Interop.PtraceCont(_thread.Tid);
                }
                continue;
            }
            return status;
        }
    }

    private void Step(SyscallNumber number)
    {
        Interop.PtraceSyscall(_thread.Tid);
        WaitStatus status = WaitSkippingEvents(number, stepping: true);
        if (!status.IsSyscallStop)
        {
            throw new InvalidOperationException($"{_thread}: injected {number} stopped with {status} instead of a syscall stop");
        }
    }

    /// <summary>
    /// Adopts a stub page that is already mapped in the target: a process cloned from one
    /// that had the stub inherits it at the same address.
    /// </summary>
    public void AdoptStub(ulong stub, int length)
    {
        _stub = stub;
        _stubLength = length;
    }

    /// <summary>Address and length of the stub mapping (0 when none).</summary>
    public (ulong Address, int Length) StubMapping => (_stub, _stubLength);

    /// <summary>
    /// Tells the injector that the vDSO now starts at <paramref name="vdsoStart"/> (after
    /// ARCH_MAP_VDSO_64 or mremap during restore), so vDSO-stepped calls use the new copy.
    /// </summary>
    public void VdsoMoved(ulong vdsoStart) => _vdsoSyscall = vdsoStart + (ulong)Vdso.SyscallOffset;

    /// <summary>
    /// Writes <paramref name="data"/> into the scratch area at <paramref name="offset"/> and
    /// returns its address in the target.
    /// </summary>
    public ulong WriteScratch(ReadOnlySpan<byte> data, int offset = 0)
    {
        if (offset + data.Length > ScratchLength)
        {
            throw new ArgumentOutOfRangeException(nameof(data), $"{data.Length} bytes at {offset} do not fit the {ScratchLength}-byte scratch area");
        }
        ulong address = Scratch + (ulong)offset;
        RemoteMemory.Write(_thread.Pid, address, data);
        return address;
    }

    /// <summary>Reads <paramref name="buffer"/>.Length bytes of the scratch area at <paramref name="offset"/>.</summary>
    public void ReadScratch(Span<byte> buffer, int offset = 0) => RemoteMemory.Read(_thread.Pid, Scratch + (ulong)offset, buffer);

    /// <summary>
    /// Unmaps the stub through the vDSO: a page cannot unmap itself and then return to its int3.
    /// </summary>
    public void UnmapStub()
    {
        if (_stub != 0)
        {
            ulong stub = _stub;
            _stub = 0;
            CallChecked(SyscallNumber.Munmap, stub, (ulong)_stubLength);
        }
    }

    /// <summary>
    /// Unmaps the stub and puts the thread's registers and signal mask back. Idempotent.
    /// </summary>
    public void Dispose()
    {
        UnmapStub();
        if (_thread.Modified)
        {
            Interop.PtraceSetRegs(_thread.Tid, _thread.RegsToRestore());
            Interop.PtraceSetSigMask(_thread.Tid, _thread.InitialSigMask);
            _thread.Modified = false;
        }
    }
}

/// <summary>One system call of an injected batch: its number and arguments.</summary>
public readonly record struct SyscallRequest(SyscallNumber Number, ulong A0 = 0, ulong A1 = 0, ulong A2 = 0, ulong A3 = 0, ulong A4 = 0, ulong A5 = 0);
