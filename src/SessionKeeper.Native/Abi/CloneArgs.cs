using System.Runtime.InteropServices;

namespace SessionKeeper.Native;

/// <summary>
/// <c>struct clone_args</c> for clone3(2) (linux/sched.h), up to CLONE_ARGS_SIZE_VER2 (88 bytes).
/// </summary>
/// <remarks>
/// Every field is a 64-bit value even where it holds a pointer or a pid, so the layout is the
/// same for 32- and 64-bit callers. <see cref="SetTid"/> points at an array of
/// <see cref="SetTidSize"/> pids, innermost pid namespace first; restore uses it to give each
/// task its dumped pid.
/// </remarks>
[StructLayout(LayoutKind.Sequential)]
public struct CloneArgs
{
    /// <summary>The size clone3 is passed for this layout (CLONE_ARGS_SIZE_VER2).</summary>
    public const int SizeVer2 = 88;

    /// <summary>flags: CLONE_* bits (without the exit signal, which has its own field).</summary>
    public ulong Flags;
    /// <summary>pidfd: where CLONE_PIDFD stores the new pidfd (int*).</summary>
    public ulong Pidfd;
    /// <summary>child_tid: for CLONE_CHILD_SETTID / CLONE_CHILD_CLEARTID.</summary>
    public ulong ChildTid;
    /// <summary>parent_tid: for CLONE_PARENT_SETTID.</summary>
    public ulong ParentTid;
    /// <summary>exit_signal: the signal sent to the parent when the child exits (SIGCHLD, or 0 for threads).</summary>
    public ulong ExitSignal;
    /// <summary>stack: lowest address of the child's stack.</summary>
    public ulong Stack;
    /// <summary>stack_size.</summary>
    public ulong StackSize;
    /// <summary>tls: for CLONE_SETTLS (the new fs_base on x86_64).</summary>
    public ulong Tls;
    /// <summary>set_tid: pointer to an array of pid_t, one per pid-namespace level.</summary>
    public ulong SetTid;
    /// <summary>set_tid_size: number of elements at <see cref="SetTid"/>.</summary>
    public ulong SetTidSize;
    /// <summary>cgroup: a cgroup2 directory fd, for CLONE_INTO_CGROUP.</summary>
    public ulong Cgroup;
}
