using SessionKeeper.Native;

namespace SessionKeeper.Engine.Dump;

/// <summary>
/// Turns the registers of a task frozen inside a system call into the registers to save
/// (DESIGN.md §4). The freeze interrupts blocking calls with an internal restart code that only
/// the kernel's signal-return path understands; a restored task never passes through that path
/// for the old call, so the saved copy must already hold what the kernel would have done.
/// </summary>
public static class RegisterFixup
{
    /// <summary>
    /// The registers to store for a thread frozen with <paramref name="regs"/>: a call
    /// interrupted with ERESTARTSYS/ERESTARTNOINTR/ERESTARTNOHAND restarts (rip back over the
    /// 2-byte <c>syscall</c>, rax = the call number); one interrupted with
    /// ERESTART_RESTARTBLOCK returns EINTR, because the kernel's restart block (the remaining
    /// nanosleep time, for example) cannot be saved. orig_rax is always -1, so that the restored
    /// registers carry no "inside a system call" state.
    /// </summary>
    public static UserRegs ForImage(UserRegs regs)
    {
        if ((long)regs.OrigRax >= 0)
        {
            switch ((Errno)(-(long)regs.Rax))
            {
                case Errno.ERESTARTSYS:
                case Errno.ERESTARTNOINTR:
                case Errno.ERESTARTNOHAND:
                    regs.Rax = regs.OrigRax;
                    regs.Rip -= 2;
                    break;
                case Errno.ERESTART_RESTARTBLOCK:
                    regs.Rax = unchecked((ulong)-(long)Errno.EINTR);
                    break;
            }
        }
        regs.OrigRax = ulong.MaxValue;
        return regs;
    }
}
