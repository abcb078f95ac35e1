using System.Runtime.InteropServices;

namespace SessionKeeper.Native;

/// <summary>
/// The <c>struct sigaction</c> the x86_64 kernel's rt_sigaction(2) copies in and out
/// (include/linux/signal_types.h with SA_RESTORER, which arch/x86 defines): handler, flags,
/// restorer, an 8-byte mask. 32 bytes. No installed uapi header declares it for x86_64.
/// </summary>
/// <remarks>
/// glibc's <c>struct sigaction</c> is a different layout (mask before flags, 128-byte mask);
/// rt_sigaction injected into a tracee takes this one, with sigsetsize = 8.
/// On x86_64 every user handler needs SA_RESTORER and a restorer that calls rt_sigreturn, so
/// dumped values are restored as they are.
/// </remarks>
[StructLayout(LayoutKind.Sequential)]
public struct KernelSigaction
{
    /// <summary>sa_handler / sa_sigaction, or SIG_DFL (0) / SIG_IGN (1).</summary>
    public ulong Handler;
    /// <summary>sa_flags: SA_* bits.</summary>
    public ulong Flags;
    /// <summary>sa_restorer: the rt_sigreturn trampoline (SA_RESTORER).</summary>
    public ulong Restorer;
    /// <summary>sa_mask: signals blocked while the handler runs, bit (signo - 1).</summary>
    public ulong Mask;
}
