using System.Runtime.InteropServices;

namespace SessionKeeper.Native;

/// <summary><c>stack_t</c> for sigaltstack(2) (asm-generic/signal.h; x86_64 layout, 24 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
public struct StackT
{
    /// <summary>SS_ONSTACK: the thread is running on the alternate stack.</summary>
    public const int SsOnStack = 1;
    /// <summary>SS_DISABLE: no alternate stack.</summary>
    public const int SsDisable = 2;
    /// <summary>SS_AUTODISARM (linux/signal.h).</summary>
    public const int SsAutoDisarm = unchecked((int)(1u << 31));

    /// <summary>ss_sp: the stack's lowest address.</summary>
    public ulong Sp;
    /// <summary>ss_flags</summary>
    public int Flags;
    /// <summary>ss_size in bytes.</summary>
    public ulong Size;
}
