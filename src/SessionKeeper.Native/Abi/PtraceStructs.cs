using System.Runtime.InteropServices;

namespace SessionKeeper.Native;

/// <summary>
/// <c>struct ptrace_rseq_configuration</c> (linux/ptrace.h), returned by
/// PTRACE_GET_RSEQ_CONFIGURATION: where a thread registered its rseq area, so restore can
/// register it again.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct PtraceRseqConfiguration
{
    /// <summary>rseq_abi_pointer: address of the thread's struct rseq, 0 if none.</summary>
    public ulong RseqAbiPointer;
    /// <summary>rseq_abi_size</summary>
    public uint RseqAbiSize;
    /// <summary>signature: the abort-handler signature passed to rseq(2).</summary>
    public uint Signature;
    /// <summary>flags</summary>
    public uint Flags;
    /// <summary>pad</summary>
    public uint Pad;
}

/// <summary>
/// <c>struct ptrace_peeksiginfo_args</c> (linux/ptrace.h) for PTRACE_PEEKSIGINFO: reads queued
/// signals without dequeuing them.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct PtracePeekSigInfoArgs
{
    /// <summary>PTRACE_PEEKSIGINFO_SHARED: read the process-wide queue instead of the thread's.</summary>
    public const uint Shared = 1;

    /// <summary>off: index of the first signal to read.</summary>
    public ulong Offset;
    /// <summary>flags: 0 or <see cref="Shared"/>.</summary>
    public uint Flags;
    /// <summary>nr: how many siginfo records to read at most.</summary>
    public int Count;
}
