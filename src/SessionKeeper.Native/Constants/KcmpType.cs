namespace SessionKeeper.Native;

/// <summary>What kcmp(2) compares (linux/kcmp.h enum kcmp_type).</summary>
public enum KcmpType
{
    /// <summary>KCMP_FILE: whether two fds refer to the same open file description.</summary>
    KCMP_FILE = 0,
    /// <summary>KCMP_VM: same address space (threads, CLONE_VM).</summary>
    KCMP_VM = 1,
    /// <summary>KCMP_FILES: same fd table (CLONE_FILES).</summary>
    KCMP_FILES = 2,
    /// <summary>KCMP_FS: same cwd/root/umask (CLONE_FS).</summary>
    KCMP_FS = 3,
    /// <summary>KCMP_SIGHAND: same signal handler table (CLONE_SIGHAND).</summary>
    KCMP_SIGHAND = 4,
    /// <summary>KCMP_IO: same I/O context (CLONE_IO).</summary>
    KCMP_IO = 5,
    /// <summary>KCMP_SYSVSEM: same SysV semaphore undo list (CLONE_SYSVSEM).</summary>
    KCMP_SYSVSEM = 6,
    /// <summary>KCMP_EPOLL_TFD: a file registered in an epoll instance against an fd (<see cref="KcmpEpollSlot"/>).</summary>
    KCMP_EPOLL_TFD = 7,
}

/// <summary>
/// The result of kcmp(2): the kernel orders objects by their (obfuscated) kernel addresses,
/// which is enough to sort and deduplicate shared objects without learning the addresses.
/// </summary>
public enum KcmpOrder
{
    /// <summary>0: the same object.</summary>
    Equal = 0,
    /// <summary>1: the first object orders before the second.</summary>
    Less = 1,
    /// <summary>2: the first object orders after the second.</summary>
    Greater = 2,
    /// <summary>3: different objects, no ordering available.</summary>
    NotEqual = 3,
}
