using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;

namespace SessionKeeper.Native;

/// <summary>
/// <c>siginfo_t</c> (asm-generic/siginfo.h; glibc bits/types/siginfo_t.h): always 128 bytes.
/// The three leading ints are common; the rest is a union whose meaning depends on the signal
/// and <see cref="Code"/>. Dump stores the whole 128 bytes, so only the accessors used for
/// decisions and messages are named here.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = Size)]
public struct SigInfo
{
    /// <summary>sizeof(siginfo_t).</summary>
    public const int Size = 128;

    /// <summary>si_signo</summary>
    [FieldOffset(0)]
    public int Signo;
    /// <summary>si_errno</summary>
    [FieldOffset(4)]
    public int ErrorNumber;
    /// <summary>si_code: SI_USER (0), SI_QUEUE (-1), SI_TIMER (-2), SI_TKILL (-6), or a signal-specific code &gt; 0.</summary>
    [FieldOffset(8)]
    public int Code;
    /// <summary>si_pid: the sender (kill, sigqueue, SIGCHLD).</summary>
    [FieldOffset(16)]
    public int Pid;
    /// <summary>si_uid: the sender's real uid (kill, sigqueue, SIGCHLD).</summary>
    [FieldOffset(20)]
    public uint Uid;
    /// <summary>si_timerid: the POSIX timer (SI_TIMER); overlaps <see cref="Pid"/>.</summary>
    [FieldOffset(16)]
    public int TimerId;
    /// <summary>si_overrun: timer overrun count (SI_TIMER); overlaps <see cref="Uid"/>.</summary>
    [FieldOffset(20)]
    public int Overrun;
    /// <summary>si_status: exit status or signal (SIGCHLD).</summary>
    [FieldOffset(24)]
    public int Status;
    /// <summary>si_value (sival_ptr / sival_int): sigqueue and timer payload; overlaps <see cref="Status"/>.</summary>
    [FieldOffset(24)]
    public ulong Value;
    /// <summary>si_addr: the faulting address (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP).</summary>
    [FieldOffset(16)]
    public ulong Addr;

    /// <summary>The errno stored in <see cref="ErrorNumber"/> (usually 0).</summary>
    public readonly Errno Errno => (Errno)ErrorNumber;

    /// <summary>The raw 128 bytes, for storing the record as it is.</summary>
    [UnscopedRef]
    public Span<byte> AsBytes() => MemoryMarshal.AsBytes(MemoryMarshal.CreateSpan(ref this, 1));
}
