namespace SessionKeeper.Native;

/// <summary>x86_64 system call numbers (asm/unistd_64.h); used for raw and injected calls.</summary>
public enum SyscallNumber : long
{
    /// <summary>read</summary>
    Read = 0,
    /// <summary>write</summary>
    Write = 1,
    /// <summary>open</summary>
    Open = 2,
    /// <summary>close</summary>
    Close = 3,
    /// <summary>stat</summary>
    Stat = 4,
    /// <summary>fstat</summary>
    Fstat = 5,
    /// <summary>lstat</summary>
    Lstat = 6,
    /// <summary>poll</summary>
    Poll = 7,
    /// <summary>lseek</summary>
    Lseek = 8,
    /// <summary>mmap</summary>
    Mmap = 9,
    /// <summary>mprotect</summary>
    Mprotect = 10,
    /// <summary>munmap</summary>
    Munmap = 11,
    /// <summary>brk</summary>
    Brk = 12,
    /// <summary>rt_sigaction</summary>
    RtSigaction = 13,
    /// <summary>rt_sigprocmask</summary>
    RtSigprocmask = 14,
    /// <summary>rt_sigreturn</summary>
    RtSigreturn = 15,
    /// <summary>ioctl</summary>
    Ioctl = 16,
    /// <summary>pread64</summary>
    Pread64 = 17,
    /// <summary>pwrite64</summary>
    Pwrite64 = 18,
    /// <summary>readv</summary>
    Readv = 19,
    /// <summary>writev</summary>
    Writev = 20,
    /// <summary>access</summary>
    Access = 21,
    /// <summary>pipe</summary>
    Pipe = 22,
    /// <summary>select</summary>
    Select = 23,
    /// <summary>sched_yield</summary>
    SchedYield = 24,
    /// <summary>mremap</summary>
    Mremap = 25,
    /// <summary>msync</summary>
    Msync = 26,
    /// <summary>mincore</summary>
    Mincore = 27,
    /// <summary>madvise</summary>
    Madvise = 28,
    /// <summary>shmget</summary>
    Shmget = 29,
    /// <summary>shmat</summary>
    Shmat = 30,
    /// <summary>shmctl</summary>
    Shmctl = 31,
    /// <summary>dup</summary>
    Dup = 32,
    /// <summary>dup2</summary>
    Dup2 = 33,
    /// <summary>pause</summary>
    Pause = 34,
    /// <summary>nanosleep</summary>
    Nanosleep = 35,
    /// <summary>getitimer</summary>
    Getitimer = 36,
    /// <summary>alarm</summary>
    Alarm = 37,
    /// <summary>setitimer</summary>
    Setitimer = 38,
    /// <summary>getpid</summary>
    Getpid = 39,
    /// <summary>sendfile</summary>
    Sendfile = 40,
    /// <summary>socket</summary>
    Socket = 41,
    /// <summary>connect</summary>
    Connect = 42,
    /// <summary>accept</summary>
    Accept = 43,
    /// <summary>sendto</summary>
    Sendto = 44,
    /// <summary>recvfrom</summary>
    Recvfrom = 45,
    /// <summary>sendmsg</summary>
    Sendmsg = 46,
    /// <summary>recvmsg</summary>
    Recvmsg = 47,
    /// <summary>shutdown</summary>
    Shutdown = 48,
    /// <summary>bind</summary>
    Bind = 49,
    /// <summary>listen</summary>
    Listen = 50,
    /// <summary>getsockname</summary>
    Getsockname = 51,
    /// <summary>getpeername</summary>
    Getpeername = 52,
    /// <summary>socketpair</summary>
    Socketpair = 53,
    /// <summary>setsockopt</summary>
    Setsockopt = 54,
    /// <summary>getsockopt</summary>
    Getsockopt = 55,
    /// <summary>clone</summary>
    Clone = 56,
    /// <summary>fork</summary>
    Fork = 57,
    /// <summary>vfork</summary>
    Vfork = 58,
    /// <summary>execve</summary>
    Execve = 59,
    /// <summary>exit</summary>
    Exit = 60,
    /// <summary>wait4</summary>
    Wait4 = 61,
    /// <summary>kill</summary>
    Kill = 62,
    /// <summary>uname</summary>
    Uname = 63,
    /// <summary>semget</summary>
    Semget = 64,
    /// <summary>semop</summary>
    Semop = 65,
    /// <summary>semctl</summary>
    Semctl = 66,
    /// <summary>shmdt</summary>
    Shmdt = 67,
    /// <summary>msgget</summary>
    Msgget = 68,
    /// <summary>msgsnd</summary>
    Msgsnd = 69,
    /// <summary>msgrcv</summary>
    Msgrcv = 70,
    /// <summary>msgctl</summary>
    Msgctl = 71,
    /// <summary>fcntl</summary>
    Fcntl = 72,
    /// <summary>flock</summary>
    Flock = 73,
    /// <summary>fsync</summary>
    Fsync = 74,
    /// <summary>fdatasync</summary>
    Fdatasync = 75,
    /// <summary>truncate</summary>
    Truncate = 76,
    /// <summary>ftruncate</summary>
    Ftruncate = 77,
    /// <summary>getdents</summary>
    Getdents = 78,
    /// <summary>getcwd</summary>
    Getcwd = 79,
    /// <summary>chdir</summary>
    Chdir = 80,
    /// <summary>fchdir</summary>
    Fchdir = 81,
    /// <summary>rename</summary>
    Rename = 82,
    /// <summary>mkdir</summary>
    Mkdir = 83,
    /// <summary>rmdir</summary>
    Rmdir = 84,
    /// <summary>creat</summary>
    Creat = 85,
    /// <summary>link</summary>
    Link = 86,
    /// <summary>unlink</summary>
    Unlink = 87,
    /// <summary>symlink</summary>
    Symlink = 88,
    /// <summary>readlink</summary>
    Readlink = 89,
    /// <summary>chmod</summary>
    Chmod = 90,
    /// <summary>fchmod</summary>
    Fchmod = 91,
    /// <summary>chown</summary>
    Chown = 92,
    /// <summary>fchown</summary>
    Fchown = 93,
    /// <summary>lchown</summary>
    Lchown = 94,
    /// <summary>umask</summary>
    Umask = 95,
    /// <summary>gettimeofday</summary>
    Gettimeofday = 96,
    /// <summary>getrlimit</summary>
    Getrlimit = 97,
    /// <summary>getrusage</summary>
    Getrusage = 98,
    /// <summary>sysinfo</summary>
    Sysinfo = 99,
    /// <summary>times</summary>
    Times = 100,
    /// <summary>ptrace</summary>
    Ptrace = 101,
    /// <summary>getuid</summary>
    Getuid = 102,
    /// <summary>syslog</summary>
    Syslog = 103,
    /// <summary>getgid</summary>
    Getgid = 104,
    /// <summary>setuid</summary>
    Setuid = 105,
    /// <summary>setgid</summary>
    Setgid = 106,
    /// <summary>geteuid</summary>
    Geteuid = 107,
    /// <summary>getegid</summary>
    Getegid = 108,
    /// <summary>setpgid</summary>
    Setpgid = 109,
    /// <summary>getppid</summary>
    Getppid = 110,
    /// <summary>getpgrp</summary>
    Getpgrp = 111,
    /// <summary>setsid</summary>
    Setsid = 112,
    /// <summary>setreuid</summary>
    Setreuid = 113,
    /// <summary>setregid</summary>
    Setregid = 114,
    /// <summary>getgroups</summary>
    Getgroups = 115,
    /// <summary>setgroups</summary>
    Setgroups = 116,
    /// <summary>setresuid</summary>
    Setresuid = 117,
    /// <summary>getresuid</summary>
    Getresuid = 118,
    /// <summary>setresgid</summary>
    Setresgid = 119,
    /// <summary>getresgid</summary>
    Getresgid = 120,
    /// <summary>getpgid</summary>
    Getpgid = 121,
    /// <summary>setfsuid</summary>
    Setfsuid = 122,
    /// <summary>setfsgid</summary>
    Setfsgid = 123,
    /// <summary>getsid</summary>
    Getsid = 124,
    /// <summary>capget</summary>
    Capget = 125,
    /// <summary>capset</summary>
    Capset = 126,
    /// <summary>rt_sigpending</summary>
    RtSigpending = 127,
    /// <summary>rt_sigtimedwait</summary>
    RtSigtimedwait = 128,
    /// <summary>rt_sigqueueinfo</summary>
    RtSigqueueinfo = 129,
    /// <summary>rt_sigsuspend</summary>
    RtSigsuspend = 130,
    /// <summary>sigaltstack</summary>
    Sigaltstack = 131,
    /// <summary>utime</summary>
    Utime = 132,
    /// <summary>mknod</summary>
    Mknod = 133,
    /// <summary>uselib</summary>
    Uselib = 134,
    /// <summary>personality</summary>
    Personality = 135,
    /// <summary>ustat</summary>
    Ustat = 136,
    /// <summary>statfs</summary>
    Statfs = 137,
    /// <summary>fstatfs</summary>
    Fstatfs = 138,
    /// <summary>sysfs</summary>
    Sysfs = 139,
    /// <summary>getpriority</summary>
    Getpriority = 140,
    /// <summary>setpriority</summary>
    Setpriority = 141,
    /// <summary>sched_setparam</summary>
    SchedSetparam = 142,
    /// <summary>sched_getparam</summary>
    SchedGetparam = 143,
    /// <summary>sched_setscheduler</summary>
    SchedSetscheduler = 144,
    /// <summary>sched_getscheduler</summary>
    SchedGetscheduler = 145,
    /// <summary>sched_get_priority_max</summary>
    SchedGetPriorityMax = 146,
    /// <summary>sched_get_priority_min</summary>
    SchedGetPriorityMin = 147,
    /// <summary>sched_rr_get_interval</summary>
    SchedRrGetInterval = 148,
    /// <summary>mlock</summary>
    Mlock = 149,
    /// <summary>munlock</summary>
    Munlock = 150,
    /// <summary>mlockall</summary>
    Mlockall = 151,
    /// <summary>munlockall</summary>
    Munlockall = 152,
    /// <summary>vhangup</summary>
    Vhangup = 153,
    /// <summary>modify_ldt</summary>
    ModifyLdt = 154,
    /// <summary>pivot_root</summary>
    PivotRoot = 155,
    /// <summary>_sysctl</summary>
    Sysctl = 156,
    /// <summary>prctl</summary>
    Prctl = 157,
    /// <summary>arch_prctl</summary>
    ArchPrctl = 158,
    /// <summary>adjtimex</summary>
    Adjtimex = 159,
    /// <summary>setrlimit</summary>
    Setrlimit = 160,
    /// <summary>chroot</summary>
    Chroot = 161,
    /// <summary>sync</summary>
    Sync = 162,
    /// <summary>acct</summary>
    Acct = 163,
    /// <summary>settimeofday</summary>
    Settimeofday = 164,
    /// <summary>mount</summary>
    Mount = 165,
    /// <summary>umount2</summary>
    Umount2 = 166,
    /// <summary>swapon</summary>
    Swapon = 167,
    /// <summary>swapoff</summary>
    Swapoff = 168,
    /// <summary>reboot</summary>
    Reboot = 169,
    /// <summary>sethostname</summary>
    Sethostname = 170,
    /// <summary>setdomainname</summary>
    Setdomainname = 171,
    /// <summary>iopl</summary>
    Iopl = 172,
    /// <summary>ioperm</summary>
    Ioperm = 173,
    /// <summary>create_module</summary>
    CreateModule = 174,
    /// <summary>init_module</summary>
    InitModule = 175,
    /// <summary>delete_module</summary>
    DeleteModule = 176,
    /// <summary>get_kernel_syms</summary>
    GetKernelSyms = 177,
    /// <summary>query_module</summary>
    QueryModule = 178,
    /// <summary>quotactl</summary>
    Quotactl = 179,
    /// <summary>nfsservctl</summary>
    Nfsservctl = 180,
    /// <summary>getpmsg</summary>
    Getpmsg = 181,
    /// <summary>putpmsg</summary>
    Putpmsg = 182,
    /// <summary>afs_syscall</summary>
    AfsSyscall = 183,
    /// <summary>tuxcall</summary>
    Tuxcall = 184,
    /// <summary>security</summary>
    Security = 185,
    /// <summary>gettid</summary>
    Gettid = 186,
    /// <summary>readahead</summary>
    Readahead = 187,
    /// <summary>setxattr</summary>
    Setxattr = 188,
    /// <summary>lsetxattr</summary>
    Lsetxattr = 189,
    /// <summary>fsetxattr</summary>
    Fsetxattr = 190,
    /// <summary>getxattr</summary>
    Getxattr = 191,
    /// <summary>lgetxattr</summary>
    Lgetxattr = 192,
    /// <summary>fgetxattr</summary>
    Fgetxattr = 193,
    /// <summary>listxattr</summary>
    Listxattr = 194,
    /// <summary>llistxattr</summary>
    Llistxattr = 195,
    /// <summary>flistxattr</summary>
    Flistxattr = 196,
    /// <summary>removexattr</summary>
    Removexattr = 197,
    /// <summary>lremovexattr</summary>
    Lremovexattr = 198,
    /// <summary>fremovexattr</summary>
    Fremovexattr = 199,
    /// <summary>tkill</summary>
    Tkill = 200,
    /// <summary>time</summary>
    Time = 201,
    /// <summary>futex</summary>
    Futex = 202,
    /// <summary>sched_setaffinity</summary>
    SchedSetaffinity = 203,
    /// <summary>sched_getaffinity</summary>
    SchedGetaffinity = 204,
    /// <summary>set_thread_area</summary>
    SetThreadArea = 205,
    /// <summary>io_setup</summary>
    IoSetup = 206,
    /// <summary>io_destroy</summary>
    IoDestroy = 207,
    /// <summary>io_getevents</summary>
    IoGetevents = 208,
    /// <summary>io_submit</summary>
    IoSubmit = 209,
    /// <summary>io_cancel</summary>
    IoCancel = 210,
    /// <summary>get_thread_area</summary>
    GetThreadArea = 211,
    /// <summary>lookup_dcookie</summary>
    LookupDcookie = 212,
    /// <summary>epoll_create</summary>
    EpollCreate = 213,
    /// <summary>epoll_ctl_old</summary>
    EpollCtlOld = 214,
    /// <summary>epoll_wait_old</summary>
    EpollWaitOld = 215,
    /// <summary>remap_file_pages</summary>
    RemapFilePages = 216,
    /// <summary>getdents64</summary>
    Getdents64 = 217,
    /// <summary>set_tid_address</summary>
    SetTidAddress = 218,
    /// <summary>restart_syscall</summary>
    RestartSyscall = 219,
    /// <summary>semtimedop</summary>
    Semtimedop = 220,
    /// <summary>fadvise64</summary>
    Fadvise64 = 221,
    /// <summary>timer_create</summary>
    TimerCreate = 222,
    /// <summary>timer_settime</summary>
    TimerSettime = 223,
    /// <summary>timer_gettime</summary>
    TimerGettime = 224,
    /// <summary>timer_getoverrun</summary>
    TimerGetoverrun = 225,
    /// <summary>timer_delete</summary>
    TimerDelete = 226,
    /// <summary>clock_settime</summary>
    ClockSettime = 227,
    /// <summary>clock_gettime</summary>
    ClockGettime = 228,
    /// <summary>clock_getres</summary>
    ClockGetres = 229,
    /// <summary>clock_nanosleep</summary>
    ClockNanosleep = 230,
    /// <summary>exit_group</summary>
    ExitGroup = 231,
    /// <summary>epoll_wait</summary>
    EpollWait = 232,
    /// <summary>epoll_ctl</summary>
    EpollCtl = 233,
    /// <summary>tgkill</summary>
    Tgkill = 234,
    /// <summary>utimes</summary>
    Utimes = 235,
    /// <summary>vserver</summary>
    Vserver = 236,
    /// <summary>mbind</summary>
    Mbind = 237,
    /// <summary>set_mempolicy</summary>
    SetMempolicy = 238,
    /// <summary>get_mempolicy</summary>
    GetMempolicy = 239,
    /// <summary>mq_open</summary>
    MqOpen = 240,
    /// <summary>mq_unlink</summary>
    MqUnlink = 241,
    /// <summary>mq_timedsend</summary>
    MqTimedsend = 242,
    /// <summary>mq_timedreceive</summary>
    MqTimedreceive = 243,
    /// <summary>mq_notify</summary>
    MqNotify = 244,
    /// <summary>mq_getsetattr</summary>
    MqGetsetattr = 245,
    /// <summary>kexec_load</summary>
    KexecLoad = 246,
    /// <summary>waitid</summary>
    Waitid = 247,
    /// <summary>add_key</summary>
    AddKey = 248,
    /// <summary>request_key</summary>
    RequestKey = 249,
    /// <summary>keyctl</summary>
    Keyctl = 250,
    /// <summary>ioprio_set</summary>
    IoprioSet = 251,
    /// <summary>ioprio_get</summary>
    IoprioGet = 252,
    /// <summary>inotify_init</summary>
    InotifyInit = 253,
    /// <summary>inotify_add_watch</summary>
    InotifyAddWatch = 254,
    /// <summary>inotify_rm_watch</summary>
    InotifyRmWatch = 255,
    /// <summary>migrate_pages</summary>
    MigratePages = 256,
    /// <summary>openat</summary>
    Openat = 257,
    /// <summary>mkdirat</summary>
    Mkdirat = 258,
    /// <summary>mknodat</summary>
    Mknodat = 259,
    /// <summary>fchownat</summary>
    Fchownat = 260,
    /// <summary>futimesat</summary>
    Futimesat = 261,
    /// <summary>newfstatat</summary>
    Newfstatat = 262,
    /// <summary>unlinkat</summary>
    Unlinkat = 263,
    /// <summary>renameat</summary>
    Renameat = 264,
    /// <summary>linkat</summary>
    Linkat = 265,
    /// <summary>symlinkat</summary>
    Symlinkat = 266,
    /// <summary>readlinkat</summary>
    Readlinkat = 267,
    /// <summary>fchmodat</summary>
    Fchmodat = 268,
    /// <summary>faccessat</summary>
    Faccessat = 269,
    /// <summary>pselect6</summary>
    Pselect6 = 270,
    /// <summary>ppoll</summary>
    Ppoll = 271,
    /// <summary>unshare</summary>
    Unshare = 272,
    /// <summary>set_robust_list</summary>
    SetRobustList = 273,
    /// <summary>get_robust_list</summary>
    GetRobustList = 274,
    /// <summary>splice</summary>
    Splice = 275,
    /// <summary>tee</summary>
    Tee = 276,
    /// <summary>sync_file_range</summary>
    SyncFileRange = 277,
    /// <summary>vmsplice</summary>
    Vmsplice = 278,
    /// <summary>move_pages</summary>
    MovePages = 279,
    /// <summary>utimensat</summary>
    Utimensat = 280,
    /// <summary>epoll_pwait</summary>
    EpollPwait = 281,
    /// <summary>signalfd</summary>
    Signalfd = 282,
    /// <summary>timerfd_create</summary>
    TimerfdCreate = 283,
    /// <summary>eventfd</summary>
    Eventfd = 284,
    /// <summary>fallocate</summary>
    Fallocate = 285,
    /// <summary>timerfd_settime</summary>
    TimerfdSettime = 286,
    /// <summary>timerfd_gettime</summary>
    TimerfdGettime = 287,
    /// <summary>accept4</summary>
    Accept4 = 288,
    /// <summary>signalfd4</summary>
    Signalfd4 = 289,
    /// <summary>eventfd2</summary>
    Eventfd2 = 290,
    /// <summary>epoll_create1</summary>
    EpollCreate1 = 291,
    /// <summary>dup3</summary>
    Dup3 = 292,
    /// <summary>pipe2</summary>
    Pipe2 = 293,
    /// <summary>inotify_init1</summary>
    InotifyInit1 = 294,
    /// <summary>preadv</summary>
    Preadv = 295,
    /// <summary>pwritev</summary>
    Pwritev = 296,
    /// <summary>rt_tgsigqueueinfo</summary>
    RtTgsigqueueinfo = 297,
    /// <summary>perf_event_open</summary>
    PerfEventOpen = 298,
    /// <summary>recvmmsg</summary>
    Recvmmsg = 299,
    /// <summary>fanotify_init</summary>
    FanotifyInit = 300,
    /// <summary>fanotify_mark</summary>
    FanotifyMark = 301,
    /// <summary>prlimit64</summary>
    Prlimit64 = 302,
    /// <summary>name_to_handle_at</summary>
    NameToHandleAt = 303,
    /// <summary>open_by_handle_at</summary>
    OpenByHandleAt = 304,
    /// <summary>clock_adjtime</summary>
    ClockAdjtime = 305,
    /// <summary>syncfs</summary>
    Syncfs = 306,
    /// <summary>sendmmsg</summary>
    Sendmmsg = 307,
    /// <summary>setns</summary>
    Setns = 308,
    /// <summary>getcpu</summary>
    Getcpu = 309,
    /// <summary>process_vm_readv</summary>
    ProcessVmReadv = 310,
    /// <summary>process_vm_writev</summary>
    ProcessVmWritev = 311,
    /// <summary>kcmp</summary>
    Kcmp = 312,
    /// <summary>finit_module</summary>
    FinitModule = 313,
    /// <summary>sched_setattr</summary>
    SchedSetattr = 314,
    /// <summary>sched_getattr</summary>
    SchedGetattr = 315,
    /// <summary>renameat2</summary>
    Renameat2 = 316,
    /// <summary>seccomp</summary>
    Seccomp = 317,
    /// <summary>getrandom</summary>
    Getrandom = 318,
    /// <summary>memfd_create</summary>
    MemfdCreate = 319,
    /// <summary>kexec_file_load</summary>
    KexecFileLoad = 320,
    /// <summary>bpf</summary>
    Bpf = 321,
    /// <summary>execveat</summary>
    Execveat = 322,
    /// <summary>userfaultfd</summary>
    Userfaultfd = 323,
    /// <summary>membarrier</summary>
    Membarrier = 324,
    /// <summary>mlock2</summary>
    Mlock2 = 325,
    /// <summary>copy_file_range</summary>
    CopyFileRange = 326,
    /// <summary>preadv2</summary>
    Preadv2 = 327,
    /// <summary>pwritev2</summary>
    Pwritev2 = 328,
    /// <summary>pkey_mprotect</summary>
    PkeyMprotect = 329,
    /// <summary>pkey_alloc</summary>
    PkeyAlloc = 330,
    /// <summary>pkey_free</summary>
    PkeyFree = 331,
    /// <summary>statx</summary>
    Statx = 332,
    /// <summary>io_pgetevents</summary>
    IoPgetevents = 333,
    /// <summary>rseq</summary>
    Rseq = 334,
    /// <summary>pidfd_send_signal</summary>
    PidfdSendSignal = 424,
    /// <summary>io_uring_setup</summary>
    IoUringSetup = 425,
    /// <summary>io_uring_enter</summary>
    IoUringEnter = 426,
    /// <summary>io_uring_register</summary>
    IoUringRegister = 427,
    /// <summary>open_tree</summary>
    OpenTree = 428,
    /// <summary>move_mount</summary>
    MoveMount = 429,
    /// <summary>fsopen</summary>
    Fsopen = 430,
    /// <summary>fsconfig</summary>
    Fsconfig = 431,
    /// <summary>fsmount</summary>
    Fsmount = 432,
    /// <summary>fspick</summary>
    Fspick = 433,
    /// <summary>pidfd_open</summary>
    PidfdOpen = 434,
    /// <summary>clone3</summary>
    Clone3 = 435,
    /// <summary>close_range</summary>
    CloseRange = 436,
    /// <summary>openat2</summary>
    Openat2 = 437,
    /// <summary>pidfd_getfd</summary>
    PidfdGetfd = 438,
    /// <summary>faccessat2</summary>
    Faccessat2 = 439,
    /// <summary>process_madvise</summary>
    ProcessMadvise = 440,
    /// <summary>epoll_pwait2</summary>
    EpollPwait2 = 441,
    /// <summary>mount_setattr</summary>
    MountSetattr = 442,
    /// <summary>quotactl_fd</summary>
    QuotactlFd = 443,
    /// <summary>landlock_create_ruleset</summary>
    LandlockCreateRuleset = 444,
    /// <summary>landlock_add_rule</summary>
    LandlockAddRule = 445,
    /// <summary>landlock_restrict_self</summary>
    LandlockRestrictSelf = 446,
    /// <summary>memfd_secret</summary>
    MemfdSecret = 447,
    /// <summary>process_mrelease</summary>
    ProcessMrelease = 448,
    /// <summary>futex_waitv</summary>
    FutexWaitv = 449,
    /// <summary>set_mempolicy_home_node</summary>
    SetMempolicyHomeNode = 450,
}
