using System.Runtime.InteropServices;

namespace SessionKeeper.Native;

/// <summary>
/// x86_64 <c>struct user_regs_struct</c> (sys/user.h; the kernel's arch/x86/include/asm/user_64.h),
/// as read and written by PTRACE_GETREGS / PTRACE_SETREGS: 27 unsigned longs in kernel order.
/// </summary>
/// <remarks>
/// <see cref="OrigRax"/> is the system call number while a task is stopped inside a call, and
/// -1 otherwise; a remote syscall sets it to -1 so the kernel does not restart anything.
/// </remarks>
[StructLayout(LayoutKind.Sequential)]
public struct UserRegs
{
    /// <summary>r15</summary>
    public ulong R15;
    /// <summary>r14</summary>
    public ulong R14;
    /// <summary>r13</summary>
    public ulong R13;
    /// <summary>r12</summary>
    public ulong R12;
    /// <summary>rbp</summary>
    public ulong Rbp;
    /// <summary>rbx</summary>
    public ulong Rbx;
    /// <summary>r11 (clobbered by <c>syscall</c>: it receives rflags)</summary>
    public ulong R11;
    /// <summary>r10 (fourth system call argument)</summary>
    public ulong R10;
    /// <summary>r9 (sixth system call argument)</summary>
    public ulong R9;
    /// <summary>r8 (fifth system call argument)</summary>
    public ulong R8;
    /// <summary>rax (system call number on entry, result on exit)</summary>
    public ulong Rax;
    /// <summary>rcx (clobbered by <c>syscall</c>: it receives the return rip)</summary>
    public ulong Rcx;
    /// <summary>rdx (third system call argument)</summary>
    public ulong Rdx;
    /// <summary>rsi (second system call argument)</summary>
    public ulong Rsi;
    /// <summary>rdi (first system call argument)</summary>
    public ulong Rdi;
    /// <summary>orig_rax: the interrupted system call number, or -1 (as ulong) outside a call.</summary>
    public ulong OrigRax;
    /// <summary>rip</summary>
    public ulong Rip;
    /// <summary>cs</summary>
    public ulong Cs;
    /// <summary>eflags</summary>
    public ulong Eflags;
    /// <summary>rsp</summary>
    public ulong Rsp;
    /// <summary>ss</summary>
    public ulong Ss;
    /// <summary>fs_base (thread pointer; restored with SETREGS, not with arch_prctl)</summary>
    public ulong FsBase;
    /// <summary>gs_base</summary>
    public ulong GsBase;
    /// <summary>ds</summary>
    public ulong Ds;
    /// <summary>es</summary>
    public ulong Es;
    /// <summary>fs</summary>
    public ulong Fs;
    /// <summary>gs</summary>
    public ulong Gs;
}
