using System.Runtime.InteropServices;

namespace SessionKeeper.Native;

/// <summary>ptrace(2) requests used by the engine (linux/ptrace.h).</summary>
public enum PtraceRequest : long
{
    /// <summary>Read a word of tracee memory (raw syscall form: result stored at data).</summary>
    PeekData = 2,
    /// <summary>Write a word of tracee memory.</summary>
    PokeData = 5,
    /// <summary>Resume, delivering the signal in data.</summary>
    Cont = 7,
    /// <summary>Resume until the next syscall entry or exit.</summary>
    Syscall = 24,
    /// <summary>Read user_regs_struct.</summary>
    GetRegs = 12,
    /// <summary>Write user_regs_struct.</summary>
    SetRegs = 13,
    /// <summary>Detach, delivering the signal in data.</summary>
    Detach = 17,
    /// <summary>Set PTRACE_O_* options.</summary>
    SetOptions = 0x4200,
    /// <summary>Read the message of the last ptrace event (new pid, exit status).</summary>
    GetEventMsg = 0x4201,
    /// <summary>Read the siginfo of the signal that caused the stop.</summary>
    GetSigInfo = 0x4202,
    /// <summary>Replace the siginfo of the signal that caused the stop.</summary>
    SetSigInfo = 0x4203,
    /// <summary>Read a register set (NT_PRSTATUS, NT_X86_XSTATE …).</summary>
    GetRegSet = 0x4204,
    /// <summary>Write a register set.</summary>
    SetRegSet = 0x4205,
    /// <summary>Attach without stopping the tracee and without SIGSTOP.</summary>
    Seize = 0x4206,
    /// <summary>Stop a seized tracee (PTRACE_EVENT_STOP).</summary>
    Interrupt = 0x4207,
    /// <summary>Read queued signals without dequeuing them.</summary>
    PeekSigInfo = 0x4209,
    /// <summary>Read the blocked signal mask.</summary>
    GetSigMask = 0x420a,
    /// <summary>Write the blocked signal mask.</summary>
    SetSigMask = 0x420b,
    /// <summary>Read the rseq registration.</summary>
    GetRseqConfiguration = 0x420f,
}

/// <summary>PTRACE_O_* options.</summary>
[Flags]
public enum PtraceOptions : long
{
    /// <summary>No options.</summary>
    None = 0,
    /// <summary>Syscall stops report SIGTRAP|0x80, so they cannot be confused with a real SIGTRAP.</summary>
    TraceSysGood = 1,
    /// <summary>Trace children created by fork.</summary>
    TraceFork = 2,
    /// <summary>Trace children created by vfork.</summary>
    TraceVfork = 4,
    /// <summary>Trace children created by clone (threads included).</summary>
    TraceClone = 8,
    /// <summary>Stop at execve.</summary>
    TraceExec = 0x10,
    /// <summary>Stop just before exit.</summary>
    TraceExit = 0x40,
    /// <summary>Kill every tracee if the tracer exits: a crashed restore leaves nothing half-built.</summary>
    ExitKill = 0x100000,
}

/// <summary>PTRACE_EVENT_* values, found in bits 16..23 of a wait status.</summary>
public enum PtraceEvent
{
    /// <summary>Not an event stop.</summary>
    None = 0,
    /// <summary>fork.</summary>
    Fork = 1,
    /// <summary>vfork.</summary>
    Vfork = 2,
    /// <summary>clone.</summary>
    Clone = 3,
    /// <summary>execve.</summary>
    Exec = 4,
    /// <summary>exit.</summary>
    Exit = 6,
    /// <summary>Group stop or PTRACE_INTERRUPT on a seized tracee.</summary>
    Stop = 128,
}

/// <summary>ELF note types accepted by PTRACE_GETREGSET/SETREGSET.</summary>
public enum NoteType : long
{
    /// <summary>General registers (user_regs_struct).</summary>
    PrStatus = 1,
    /// <summary>Legacy FXSAVE area.</summary>
    PrFpReg = 2,
    /// <summary>The XSAVE area (all extended state the CPU has).</summary>
    X86Xstate = 0x202,
}

public static partial class Interop
{
    [LibraryImport(Libc, EntryPoint = "syscall", SetLastError = true)]
    private static partial long PtraceRaw(long number, long request, int pid, nint addr, nint data);

    private static long Ptrace(PtraceRequest request, int pid, nint addr, nint data)
    {
        long result = PtraceRaw((long)SyscallNumber.Ptrace, (long)request, pid, addr, data);
        if (result < 0)
        {
            Errno errno = ErrnoException.LastErrno;
            string? hint = errno switch
            {
                Errno.EPERM when request == PtraceRequest.Seize => "is another tracer attached, or does the process belong to another user?",
                Errno.ESRCH => "the task is gone or not stopped under this tracer thread",
                _ => null,
            };
            throw new ErrnoException(errno, $"ptrace(PTRACE_{request.ToString().ToUpperInvariant()})", $"tid {pid}", hint);
        }
        return result;
    }

    /// <summary>PTRACE_SEIZE: attach without stopping and without a SIGSTOP.</summary>
    public static void PtraceSeize(int tid, PtraceOptions options) => Ptrace(PtraceRequest.Seize, tid, 0, (nint)options);

    /// <summary>PTRACE_SEIZE that reports a vanished task as false.</summary>
    public static bool TryPtraceSeize(int tid, PtraceOptions options)
    {
        if (PtraceRaw((long)SyscallNumber.Ptrace, (long)PtraceRequest.Seize, tid, 0, (nint)options) == 0)
        {
            return true;
        }
        Errno errno = ErrnoException.LastErrno;
        if (errno == Errno.ESRCH)
        {
            return false;
        }
        string? hint = errno == Errno.EPERM ? "is another tracer attached, or does the process belong to another user?" : null;
        throw new ErrnoException(errno, "ptrace(PTRACE_SEIZE)", $"tid {tid}", hint);
    }

    /// <summary>PTRACE_INTERRUPT: stop a seized task; it reports PTRACE_EVENT_STOP.</summary>
    public static void PtraceInterrupt(int tid) => Ptrace(PtraceRequest.Interrupt, tid, 0, 0);

    /// <summary>PTRACE_SETOPTIONS.</summary>
    public static void PtraceSetOptions(int tid, PtraceOptions options) => Ptrace(PtraceRequest.SetOptions, tid, 0, (nint)options);

    /// <summary>PTRACE_CONT, delivering <paramref name="signal"/> (0 for none).</summary>
    public static void PtraceCont(int tid, int signal = 0) => Ptrace(PtraceRequest.Cont, tid, 0, signal);

    /// <summary>PTRACE_SYSCALL: run to the next syscall entry or exit stop.</summary>
    public static void PtraceSyscall(int tid, int signal = 0) => Ptrace(PtraceRequest.Syscall, tid, 0, signal);

    /// <summary>PTRACE_DETACH, delivering <paramref name="signal"/> (0 for none).</summary>
    public static void PtraceDetach(int tid, int signal = 0) => Ptrace(PtraceRequest.Detach, tid, 0, signal);

    /// <summary>PTRACE_DETACH that reports a vanished task as false (cleanup paths).</summary>
    public static bool TryPtraceDetach(int tid, int signal = 0)
        => PtraceRaw((long)SyscallNumber.Ptrace, (long)PtraceRequest.Detach, tid, 0, signal) == 0;

    /// <summary>PTRACE_GETREGS.</summary>
    public static unsafe UserRegs PtraceGetRegs(int tid)
    {
        UserRegs regs;
        Ptrace(PtraceRequest.GetRegs, tid, 0, (nint)(&regs));
        return regs;
    }

    /// <summary>PTRACE_SETREGS.</summary>
    public static unsafe void PtraceSetRegs(int tid, in UserRegs regs)
    {
        fixed (UserRegs* p = &regs)
        {
            Ptrace(PtraceRequest.SetRegs, tid, 0, (nint)p);
        }
    }

    /// <summary>
    /// PTRACE_GETREGSET into <paramref name="buffer"/>; returns how many bytes the kernel
    /// filled (the iovec length is updated by the kernel).
    /// </summary>
    public static unsafe int PtraceGetRegSet(int tid, NoteType type, Span<byte> buffer)
    {
        fixed (byte* p = buffer)
        {
            var iov = new IoVec(p, (nuint)buffer.Length);
            Ptrace(PtraceRequest.GetRegSet, tid, (nint)type, (nint)(&iov));
            return (int)iov.Length;
        }
    }

    /// <summary>PTRACE_SETREGSET from <paramref name="buffer"/>.</summary>
    public static unsafe void PtraceSetRegSet(int tid, NoteType type, ReadOnlySpan<byte> buffer)
    {
        fixed (byte* p = buffer)
        {
            var iov = new IoVec(p, (nuint)buffer.Length);
            Ptrace(PtraceRequest.SetRegSet, tid, (nint)type, (nint)(&iov));
        }
    }

    /// <summary>PTRACE_GETSIGMASK: the blocked set as a 64-bit mask (bit n-1 = signal n).</summary>
    public static unsafe ulong PtraceGetSigMask(int tid)
    {
        ulong mask;
        Ptrace(PtraceRequest.GetSigMask, tid, sizeof(ulong), (nint)(&mask));
        return mask;
    }

    /// <summary>PTRACE_SETSIGMASK. SIGKILL and SIGSTOP are dropped by the kernel.</summary>
    public static unsafe void PtraceSetSigMask(int tid, ulong mask)
        => Ptrace(PtraceRequest.SetSigMask, tid, sizeof(ulong), (nint)(&mask));

    /// <summary>PTRACE_GETEVENTMSG: the new tid after a clone event, the exit status after an exit event.</summary>
    public static unsafe ulong PtraceGetEventMsg(int tid)
    {
        ulong message;
        Ptrace(PtraceRequest.GetEventMsg, tid, 0, (nint)(&message));
        return message;
    }

    /// <summary>PTRACE_GETSIGINFO: the signal behind the current stop.</summary>
    public static unsafe SigInfo PtraceGetSigInfo(int tid)
    {
        SigInfo info;
        Ptrace(PtraceRequest.GetSigInfo, tid, 0, (nint)(&info));
        return info;
    }

    /// <summary>
    /// PTRACE_PEEKSIGINFO: copies queued signals without dequeuing them, starting at
    /// <paramref name="offset"/>; <paramref name="shared"/> selects the process-wide queue.
    /// Returns how many were copied (0 at the end of the queue).
    /// </summary>
    public static unsafe int PtracePeekSigInfo(int tid, ulong offset, bool shared, Span<SigInfo> buffer)
    {
        var args = new PtracePeekSigInfoArgs
        {
            Offset = offset,
            Flags = shared ? PtracePeekSigInfoArgs.Shared : 0u,
            Count = buffer.Length,
        };
        fixed (SigInfo* p = buffer)
        {
            return (int)Ptrace(PtraceRequest.PeekSigInfo, tid, (nint)(&args), (nint)p);
        }
    }

    /// <summary>PTRACE_GET_RSEQ_CONFIGURATION (kernel 5.13+).</summary>
    public static unsafe PtraceRseqConfiguration PtraceGetRseqConfiguration(int tid)
    {
        PtraceRseqConfiguration config;
        Ptrace(PtraceRequest.GetRseqConfiguration, tid, sizeof(PtraceRseqConfiguration), (nint)(&config));
        return config;
    }

    /// <summary>PTRACE_PEEKDATA: one word of tracee memory (slow; for single words only).</summary>
    public static unsafe ulong PtracePeekData(int tid, ulong address)
    {
        ulong word;
        Ptrace(PtraceRequest.PeekData, tid, (nint)address, (nint)(&word));
        return word;
    }

    /// <summary>PTRACE_POKEDATA: writes one word even into read-only mappings (FOLL_FORCE).</summary>
    public static void PtracePokeData(int tid, ulong address, ulong word)
        => Ptrace(PtraceRequest.PokeData, tid, (nint)address, (nint)word);
}
