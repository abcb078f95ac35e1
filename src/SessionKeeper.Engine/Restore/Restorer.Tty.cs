using SessionKeeper.Engine.Kinds.Tty;
using SessionKeeper.Images.V1;
using SessionKeeper.Native;
using SessionKeeper.ProcessControl;

namespace SessionKeeper.Engine.Restore;

public sealed partial class Restorer
{
    private TtyRestore? _ttys;

    private TtyRestore Ttys => _ttys ??= TtyRestore.Load(_images.Directory, _progress);

    /// <summary>A pty end: keeper creates (or reuses) the pair and hands the task its own description.</summary>
    private long OpenTty(Injector task, FileEntry file)
    {
        using SafeFd fd = Ttys.Open(file);
        return DeliverFile(task, fd, file.Tty.Path);
    }

    /// <summary>
    /// In a session leader right after its setsid, before any process of its session is
    /// cloned: TIOCSCTTY on a temporary slave of its terminal. The controlling terminal is
    /// per process and only a session leader can take one; every other process of the session
    /// gets it by inheriting it at clone, so the leader must have it before its descendants
    /// exist. (A member that had given its terminal up with TIOCNOTTY gets it back; that
    /// state is not saved.)
    /// </summary>
    private void AcquireControllingTerminal(int pid)
    {
        Injector task = _tasks[pid];
        foreach (TtyInfo info in Ttys.ControlledBy(pid))
        {
            using SafeFd slave = Ttys.OpenSlave(info.Index);
            long fd = DeliverFile(task, slave, $"a slave of pty {info.Index} for TIOCSCTTY");
            try
            {
                Step(task, $"ioctl(TIOCSCTTY) for pty {info.Index}", () => task.CallChecked(SyscallNumber.Ioctl, (ulong)fd, (ulong)IoctlRequest.TIOCSCTTY, 0));
            }
            finally
            {
                task.Call(SyscallNumber.Close, (ulong)fd);
            }
        }
    }

    /// <summary>
    /// In a session leader whose fds are in place: TIOCSPGRP with the saved foreground group,
    /// through a slave fd it holds (a temporary one when it holds none). Every process exists
    /// by now, so the group does too; the leader is still in the terminal's foreground (its
    /// group became the foreground at TIOCSCTTY), so TIOCSPGRP raises no SIGTTOU.
    /// </summary>
    private void RestoreControllingTerminal(Injector task, int pid)
    {
        foreach (TtyInfo info in Ttys.ControlledBy(pid).Where(i => i.HasForegroundPgrp && i.ForegroundPgrp != (uint)pid))
        {
            long fd = -1;
            foreach (FdEntry entry in _images.Fds[pid])
            {
                if (_images.Files[entry.FileId] is { Tty: { Kind: TtyKind.PtySlave } tty } && tty.Index == info.Index)
                {
                    fd = entry.Fd;
                    break;
                }
            }
            bool temporary = fd < 0;
            if (temporary)
            {
                using SafeFd slave = Ttys.OpenSlave(info.Index);
                fd = DeliverFile(task, slave, $"a slave of pty {info.Index} for TIOCSPGRP");
            }
            long slaveFd = fd;
            ulong address = task.WriteScratch(BitConverter.GetBytes((int)info.ForegroundPgrp), 4096);
            Step(task, $"ioctl(TIOCSPGRP, {info.ForegroundPgrp})", () => task.CallChecked(SyscallNumber.Ioctl, (ulong)slaveFd, (ulong)IoctlRequest.TIOCSPGRP, address));
            if (temporary)
            {
                task.Call(SyscallNumber.Close, (ulong)slaveFd);
            }
        }
    }
}
