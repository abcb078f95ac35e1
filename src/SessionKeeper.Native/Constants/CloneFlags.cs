namespace SessionKeeper.Native;

/// <summary>clone/clone3 flags (linux/sched.h).</summary>
[Flags]
public enum CloneFlags : ulong
{
    /// <summary>No flags: a new process (fork).</summary>
    None = 0,
    /// <summary>CLONE_VM: share the address space.</summary>
    CLONE_VM = 0x00000100,
    /// <summary>CLONE_FS: share cwd, root, umask.</summary>
    CLONE_FS = 0x00000200,
    /// <summary>CLONE_FILES: share the fd table.</summary>
    CLONE_FILES = 0x00000400,
    /// <summary>CLONE_SIGHAND: share signal handlers.</summary>
    CLONE_SIGHAND = 0x00000800,
    /// <summary>CLONE_PIDFD: return a pidfd.</summary>
    CLONE_PIDFD = 0x00001000,
    /// <summary>CLONE_PTRACE: the child is traced too.</summary>
    CLONE_PTRACE = 0x00002000,
    /// <summary>CLONE_VFORK: the parent waits for exec/exit.</summary>
    CLONE_VFORK = 0x00004000,
    /// <summary>CLONE_PARENT: the child gets the caller's parent.</summary>
    CLONE_PARENT = 0x00008000,
    /// <summary>CLONE_THREAD: same thread group.</summary>
    CLONE_THREAD = 0x00010000,
    /// <summary>CLONE_NEWNS: new mount namespace.</summary>
    CLONE_NEWNS = 0x00020000,
    /// <summary>CLONE_SYSVSEM: share SysV semaphore undo.</summary>
    CLONE_SYSVSEM = 0x00040000,
    /// <summary>CLONE_SETTLS: set the TLS (fs base).</summary>
    CLONE_SETTLS = 0x00080000,
    /// <summary>CLONE_PARENT_SETTID.</summary>
    CLONE_PARENT_SETTID = 0x00100000,
    /// <summary>CLONE_CHILD_CLEARTID.</summary>
    CLONE_CHILD_CLEARTID = 0x00200000,
    /// <summary>CLONE_CHILD_SETTID.</summary>
    CLONE_CHILD_SETTID = 0x01000000,
    /// <summary>CLONE_NEWIPC.</summary>
    CLONE_NEWIPC = 0x08000000,
    /// <summary>CLONE_NEWPID.</summary>
    CLONE_NEWPID = 0x20000000,
    /// <summary>CLONE_NEWNET.</summary>
    CLONE_NEWNET = 0x40000000,
}
