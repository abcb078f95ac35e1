using SessionKeeper.Native;

namespace SessionKeeper.ProcessControl;

/// <summary>
/// What the kernel's signal-return path (arch_do_signal_or_restart) does to the registers of a
/// task that was stopped inside an interrupted system call, applied by hand for the paths that
/// do not pass through it. Only the handling of ERESTART_RESTARTBLOCK differs between users.
/// </summary>
public static class SyscallRestart
{
    /// <summary>
    /// Applies the restart to <paramref name="regs"/> when orig_rax says a system call was in
    /// progress and rax holds a restart code; always leaves orig_rax = -1, so the registers carry
    /// no "inside a system call" state.
    /// </summary>
    /// <param name="regs">The registers to fix.</param>
    /// <param name="restartBlock">
    /// For ERESTART_RESTARTBLOCK (nanosleep, poll): true restarts through restart_syscall, which
    /// uses the task's in-kernel restart block — right for a task that runs on; false returns
    /// EINTR, for saved registers, because the restart block cannot be saved.
    /// </param>
    public static UserRegs Apply(UserRegs regs, bool restartBlock)
    {
        if ((long)regs.OrigRax >= 0)
        {
            switch ((Errno)(-(long)regs.Rax))
            {
                case Errno.ERESTARTSYS:
                case Errno.ERESTARTNOINTR:
                case Errno.ERESTARTNOHAND:
                    // Back over the 2-byte syscall instruction, with the call number in rax.
                    regs.Rax = regs.OrigRax;
                    regs.Rip -= 2;
                    break;
                case Errno.ERESTART_RESTARTBLOCK when restartBlock:
                    regs.Rax = (ulong)SyscallNumber.RestartSyscall;
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
