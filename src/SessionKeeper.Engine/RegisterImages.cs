using SessionKeeper.Images.V1;
using SessionKeeper.Native;

namespace SessionKeeper.Engine;

/// <summary>user_regs_struct ⇄ the image's X86Regs, field by field; the one place that knows both.</summary>
internal static class RegisterImages
{
    /// <summary>The image form of <paramref name="r"/>.</summary>
    public static X86Regs ToImage(in UserRegs r) => new()
    {
        R15 = r.R15, R14 = r.R14, R13 = r.R13, R12 = r.R12, Rbp = r.Rbp, Rbx = r.Rbx, R11 = r.R11,
        R10 = r.R10, R9 = r.R9, R8 = r.R8, Rax = r.Rax, Rcx = r.Rcx, Rdx = r.Rdx, Rsi = r.Rsi,
        Rdi = r.Rdi, OrigRax = r.OrigRax, Rip = r.Rip, Cs = r.Cs, Eflags = r.Eflags, Rsp = r.Rsp,
        Ss = r.Ss, FsBase = r.FsBase, GsBase = r.GsBase, Ds = r.Ds, Es = r.Es, Fs = r.Fs, Gs = r.Gs,
    };

    /// <summary>The kernel form of <paramref name="r"/>, for PTRACE_SETREGS.</summary>
    public static UserRegs ToKernel(X86Regs r) => new()
    {
        R15 = r.R15, R14 = r.R14, R13 = r.R13, R12 = r.R12, Rbp = r.Rbp, Rbx = r.Rbx, R11 = r.R11,
        R10 = r.R10, R9 = r.R9, R8 = r.R8, Rax = r.Rax, Rcx = r.Rcx, Rdx = r.Rdx, Rsi = r.Rsi,
        Rdi = r.Rdi, OrigRax = r.OrigRax, Rip = r.Rip, Cs = r.Cs, Eflags = r.Eflags, Rsp = r.Rsp,
        Ss = r.Ss, FsBase = r.FsBase, GsBase = r.GsBase, Ds = r.Ds, Es = r.Es, Fs = r.Fs, Gs = r.Gs,
    };
}
