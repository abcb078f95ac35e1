/* Structs and constants whose glibc and uapi headers coexist in one unit. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <sys/user.h>
#include <netinet/in.h>
#include <time.h>
#include <linux/kcmp.h>
#include <linux/prctl.h>
#include <linux/sched.h>
#include <linux/sockios.h>
#include <asm/prctl.h>
#include "abi.h"

void abi_glibc(void)
{
    S(UserRegs, struct user_regs_struct);
    F(UserRegs, R15, struct user_regs_struct, r15);
    F(UserRegs, R14, struct user_regs_struct, r14);
    F(UserRegs, R13, struct user_regs_struct, r13);
    F(UserRegs, R12, struct user_regs_struct, r12);
    F(UserRegs, Rbp, struct user_regs_struct, rbp);
    F(UserRegs, Rbx, struct user_regs_struct, rbx);
    F(UserRegs, R11, struct user_regs_struct, r11);
    F(UserRegs, R10, struct user_regs_struct, r10);
    F(UserRegs, R9, struct user_regs_struct, r9);
    F(UserRegs, R8, struct user_regs_struct, r8);
    F(UserRegs, Rax, struct user_regs_struct, rax);
    F(UserRegs, Rcx, struct user_regs_struct, rcx);
    F(UserRegs, Rdx, struct user_regs_struct, rdx);
    F(UserRegs, Rsi, struct user_regs_struct, rsi);
    F(UserRegs, Rdi, struct user_regs_struct, rdi);
    F(UserRegs, OrigRax, struct user_regs_struct, orig_rax);
    F(UserRegs, Rip, struct user_regs_struct, rip);
    F(UserRegs, Cs, struct user_regs_struct, cs);
    F(UserRegs, Eflags, struct user_regs_struct, eflags);
    F(UserRegs, Rsp, struct user_regs_struct, rsp);
    F(UserRegs, Ss, struct user_regs_struct, ss);
    F(UserRegs, FsBase, struct user_regs_struct, fs_base);
    F(UserRegs, GsBase, struct user_regs_struct, gs_base);
    F(UserRegs, Ds, struct user_regs_struct, ds);
    F(UserRegs, Es, struct user_regs_struct, es);
    F(UserRegs, Fs, struct user_regs_struct, fs);
    F(UserRegs, Gs, struct user_regs_struct, gs);

    S(CloneArgs, struct clone_args);
    F(CloneArgs, Flags, struct clone_args, flags);
    F(CloneArgs, Pidfd, struct clone_args, pidfd);
    F(CloneArgs, ChildTid, struct clone_args, child_tid);
    F(CloneArgs, ParentTid, struct clone_args, parent_tid);
    F(CloneArgs, ExitSignal, struct clone_args, exit_signal);
    F(CloneArgs, Stack, struct clone_args, stack);
    F(CloneArgs, StackSize, struct clone_args, stack_size);
    F(CloneArgs, Tls, struct clone_args, tls);
    F(CloneArgs, SetTid, struct clone_args, set_tid);
    F(CloneArgs, SetTidSize, struct clone_args, set_tid_size);
    F(CloneArgs, Cgroup, struct clone_args, cgroup);

    S(PrctlMmMap, struct prctl_mm_map);
    F(PrctlMmMap, StartCode, struct prctl_mm_map, start_code);
    F(PrctlMmMap, EndCode, struct prctl_mm_map, end_code);
    F(PrctlMmMap, StartData, struct prctl_mm_map, start_data);
    F(PrctlMmMap, EndData, struct prctl_mm_map, end_data);
    F(PrctlMmMap, StartBrk, struct prctl_mm_map, start_brk);
    F(PrctlMmMap, Brk, struct prctl_mm_map, brk);
    F(PrctlMmMap, StartStack, struct prctl_mm_map, start_stack);
    F(PrctlMmMap, ArgStart, struct prctl_mm_map, arg_start);
    F(PrctlMmMap, ArgEnd, struct prctl_mm_map, arg_end);
    F(PrctlMmMap, EnvStart, struct prctl_mm_map, env_start);
    F(PrctlMmMap, EnvEnd, struct prctl_mm_map, env_end);
    F(PrctlMmMap, Auxv, struct prctl_mm_map, auxv);
    F(PrctlMmMap, AuxvSize, struct prctl_mm_map, auxv_size);
    F(PrctlMmMap, ExeFd, struct prctl_mm_map, exe_fd);

    S(IoVec, struct iovec);
    F(IoVec, Base, struct iovec, iov_base);
    F(IoVec, Length, struct iovec, iov_len);

    S(MsgHdr, struct msghdr);
    F(MsgHdr, Name, struct msghdr, msg_name);
    F(MsgHdr, NameLength, struct msghdr, msg_namelen);
    F(MsgHdr, Iov, struct msghdr, msg_iov);
    F(MsgHdr, IovLength, struct msghdr, msg_iovlen);
    F(MsgHdr, Control, struct msghdr, msg_control);
    F(MsgHdr, ControlLength, struct msghdr, msg_controllen);
    F(MsgHdr, Flags, struct msghdr, msg_flags);

    S(CmsgHdr, struct cmsghdr);
    F(CmsgHdr, Length, struct cmsghdr, cmsg_len);
    F(CmsgHdr, Level, struct cmsghdr, cmsg_level);
    F(CmsgHdr, Type, struct cmsghdr, cmsg_type);

    S(SockAddrUn, struct sockaddr_un);
    F(SockAddrUn, Family, struct sockaddr_un, sun_family);
    F(SockAddrUn, Path, struct sockaddr_un, sun_path);

    S(SockAddrIn, struct sockaddr_in);
    F(SockAddrIn, Family, struct sockaddr_in, sin_family);
    F(SockAddrIn, PortBigEndian, struct sockaddr_in, sin_port);
    F(SockAddrIn, AddressBigEndian, struct sockaddr_in, sin_addr);
    F(SockAddrIn, Zero, struct sockaddr_in, sin_zero);

    S(SockAddrIn6, struct sockaddr_in6);
    F(SockAddrIn6, Family, struct sockaddr_in6, sin6_family);
    F(SockAddrIn6, PortBigEndian, struct sockaddr_in6, sin6_port);
    F(SockAddrIn6, FlowInfo, struct sockaddr_in6, sin6_flowinfo);
    F(SockAddrIn6, Address, struct sockaddr_in6, sin6_addr);
    F(SockAddrIn6, ScopeId, struct sockaddr_in6, sin6_scope_id);

    S(Ucred, struct ucred);
    F(Ucred, Pid, struct ucred, pid);
    F(Ucred, Uid, struct ucred, uid);
    F(Ucred, Gid, struct ucred, gid);

    S(SigInfo, siginfo_t);
    F(SigInfo, Signo, siginfo_t, si_signo);
    F(SigInfo, ErrorNumber, siginfo_t, si_errno);
    F(SigInfo, Code, siginfo_t, si_code);
    F(SigInfo, Pid, siginfo_t, si_pid);
    F(SigInfo, Uid, siginfo_t, si_uid);
    F(SigInfo, TimerId, siginfo_t, si_timerid);
    F(SigInfo, Overrun, siginfo_t, si_overrun);
    F(SigInfo, Status, siginfo_t, si_status);
    F(SigInfo, Value, siginfo_t, si_value);
    F(SigInfo, Addr, siginfo_t, si_addr);

    S(Timespec, struct timespec);
    F(Timespec, Seconds, struct timespec, tv_sec);
    F(Timespec, Nanoseconds, struct timespec, tv_nsec);
    S(Timeval, struct timeval);
    F(Timeval, Seconds, struct timeval, tv_sec);
    F(Timeval, Microseconds, struct timeval, tv_usec);
    S(ItimerVal, struct itimerval);
    F(ItimerVal, Interval, struct itimerval, it_interval);
    F(ItimerVal, Value, struct itimerval, it_value);
    S(ItimerSpec, struct itimerspec);
    F(ItimerSpec, Interval, struct itimerspec, it_interval);
    F(ItimerSpec, Value, struct itimerspec, it_value);
    S(Rlimit, struct rlimit);
    F(Rlimit, Current, struct rlimit, rlim_cur);
    F(Rlimit, Maximum, struct rlimit, rlim_max);

    S(KcmpEpollSlot, struct kcmp_epoll_slot);
    F(KcmpEpollSlot, EpollFd, struct kcmp_epoll_slot, efd);
    F(KcmpEpollSlot, TargetFd, struct kcmp_epoll_slot, tfd);
    F(KcmpEpollSlot, TargetOffset, struct kcmp_epoll_slot, toff);

    C(KcmpType, KCMP_FILE);
    C(KcmpType, KCMP_VM);
    C(KcmpType, KCMP_FILES);
    C(KcmpType, KCMP_FS);
    C(KcmpType, KCMP_SIGHAND);
    C(KcmpType, KCMP_IO);
    C(KcmpType, KCMP_SYSVSEM);
    C(KcmpType, KCMP_EPOLL_TFD);

    S(EpollEvent, struct epoll_event);
    F(EpollEvent, Events, struct epoll_event, events);
    F(EpollEvent, Data, struct epoll_event, data);
    S(FileHandleHeader, struct file_handle);
    F(FileHandleHeader, HandleBytes, struct file_handle, handle_bytes);
    F(FileHandleHeader, HandleType, struct file_handle, handle_type);
    C(EpollOperation, EPOLL_CTL_ADD);
    C(EventfdFlags, EFD_SEMAPHORE);
    C(TimerfdSettimeFlags, TFD_TIMER_ABSTIME);
    C(TimerfdSettimeFlags, TFD_TIMER_CANCEL_ON_SET);
    C(InotifyMaskFlags, IN_ALL_EVENTS);
    C(InotifyMaskFlags, IN_DONT_FOLLOW);
    C(InotifyMaskFlags, IN_EXCL_UNLINK);
    C(InotifyMaskFlags, IN_ONESHOT);

    C(PrctlOption, PR_SET_PDEATHSIG);
    C(PrctlOption, PR_GET_PDEATHSIG);
    C(PrctlOption, PR_GET_DUMPABLE);
    C(PrctlOption, PR_SET_DUMPABLE);
    C(PrctlOption, PR_GET_KEEPCAPS);
    C(PrctlOption, PR_SET_KEEPCAPS);
    C(PrctlOption, PR_SET_NAME);
    C(PrctlOption, PR_GET_NAME);
    C(PrctlOption, PR_GET_SECCOMP);
    C(PrctlOption, PR_SET_SECCOMP);
    C(PrctlOption, PR_CAPBSET_READ);
    C(PrctlOption, PR_CAPBSET_DROP);
    C(PrctlOption, PR_GET_SECUREBITS);
    C(PrctlOption, PR_SET_SECUREBITS);
    C(PrctlOption, PR_SET_TIMERSLACK);
    C(PrctlOption, PR_GET_TIMERSLACK);
    C(PrctlOption, PR_SET_MM);
    C(PrctlOption, PR_SET_CHILD_SUBREAPER);
    C(PrctlOption, PR_GET_CHILD_SUBREAPER);
    C(PrctlOption, PR_SET_NO_NEW_PRIVS);
    C(PrctlOption, PR_GET_NO_NEW_PRIVS);
    C(PrctlOption, PR_GET_TID_ADDRESS);
#ifdef PR_TIMER_CREATE_RESTORE_IDS
    C(PrctlOption, PR_TIMER_CREATE_RESTORE_IDS);
#endif
    C(PrctlOption, PR_SET_THP_DISABLE);
    C(PrctlOption, PR_GET_THP_DISABLE);
    C(PrctlOption, PR_CAP_AMBIENT);
    C(PrctlOption, PR_GET_SPECULATION_CTRL);
    C(PrctlOption, PR_SET_SPECULATION_CTRL);
    C(PrctlOption, PR_SET_PTRACER);
    C(PrctlOption, PR_SET_VMA);
    C(PrSetMmOption, PR_SET_MM_START_CODE);
    C(PrSetMmOption, PR_SET_MM_END_CODE);
    C(PrSetMmOption, PR_SET_MM_START_DATA);
    C(PrSetMmOption, PR_SET_MM_END_DATA);
    C(PrSetMmOption, PR_SET_MM_START_STACK);
    C(PrSetMmOption, PR_SET_MM_START_BRK);
    C(PrSetMmOption, PR_SET_MM_BRK);
    C(PrSetMmOption, PR_SET_MM_ARG_START);
    C(PrSetMmOption, PR_SET_MM_ARG_END);
    C(PrSetMmOption, PR_SET_MM_ENV_START);
    C(PrSetMmOption, PR_SET_MM_ENV_END);
    C(PrSetMmOption, PR_SET_MM_AUXV);
    C(PrSetMmOption, PR_SET_MM_EXE_FILE);
    C(PrSetMmOption, PR_SET_MM_MAP);
    C(PrSetMmOption, PR_SET_MM_MAP_SIZE);

    C(ArchPrctlCode, ARCH_SET_GS);
    C(ArchPrctlCode, ARCH_SET_FS);
    C(ArchPrctlCode, ARCH_GET_FS);
    C(ArchPrctlCode, ARCH_GET_GS);
    C(ArchPrctlCode, ARCH_GET_CPUID);
    C(ArchPrctlCode, ARCH_SET_CPUID);
    C(ArchPrctlCode, ARCH_GET_XCOMP_SUPP);
    C(ArchPrctlCode, ARCH_GET_XCOMP_PERM);
    C(ArchPrctlCode, ARCH_REQ_XCOMP_PERM);
    C(ArchPrctlCode, ARCH_MAP_VDSO_X32);
    C(ArchPrctlCode, ARCH_MAP_VDSO_32);
    C(ArchPrctlCode, ARCH_MAP_VDSO_64);
    /* The shadow-stack codes arrived in 6.6 headers; older installed headers lack them. */
#ifdef ARCH_SHSTK_ENABLE
    C(ArchPrctlCode, ARCH_SHSTK_ENABLE);
    C(ArchPrctlCode, ARCH_SHSTK_DISABLE);
    C(ArchPrctlCode, ARCH_SHSTK_LOCK);
    C(ArchPrctlCode, ARCH_SHSTK_UNLOCK);
    C(ArchPrctlCode, ARCH_SHSTK_STATUS);
#endif

    C(SocketFamily, AF_UNSPEC);
    C(SocketFamily, AF_UNIX);
    C(SocketFamily, AF_INET);
    C(SocketFamily, AF_INET6);
    C(SocketFamily, AF_NETLINK);
    C(SocketFamily, AF_PACKET);
    C(SocketKind, SOCK_STREAM);
    C(SocketKind, SOCK_DGRAM);
    C(SocketKind, SOCK_RAW);
    C(SocketKind, SOCK_SEQPACKET);
    C(SocketKind, SOCK_NONBLOCK);
    C(SocketKind, SOCK_CLOEXEC);
    C(SocketLevel, SOL_IP);
    C(SocketLevel, SOL_SOCKET);
    C(SocketLevel, SOL_IPV6);
    C(SocketOption, SO_DEBUG);
    C(SocketOption, SO_REUSEADDR);
    C(SocketOption, SO_TYPE);
    C(SocketOption, SO_ERROR);
    C(SocketOption, SO_DONTROUTE);
    C(SocketOption, SO_BROADCAST);
    C(SocketOption, SO_SNDBUF);
    C(SocketOption, SO_RCVBUF);
    C(SocketOption, SO_KEEPALIVE);
    C(SocketOption, SO_OOBINLINE);
    C(SocketOption, SO_NO_CHECK);
    C(SocketOption, SO_PRIORITY);
    C(SocketOption, SO_LINGER);
    C(SocketOption, SO_REUSEPORT);
    C(SocketOption, SO_PASSCRED);
    C(SocketOption, SO_PEERCRED);
    C(SocketOption, SO_RCVLOWAT);
    C(SocketOption, SO_SNDLOWAT);
    C(SocketOption, SO_BINDTODEVICE);
    C(SocketOption, SO_ACCEPTCONN);
    C(SocketOption, SO_SNDBUFFORCE);
    C(SocketOption, SO_RCVBUFFORCE);
    C(SocketOption, SO_PASSSEC);
    C(SocketOption, SO_MARK);
    C(SocketOption, SO_PROTOCOL);
    C(SocketOption, SO_DOMAIN);
    C(SocketOption, SO_PEEK_OFF);
    C(MsgFlags, MSG_OOB);
    C(MsgFlags, MSG_PEEK);
    C(MsgFlags, MSG_DONTROUTE);
    C(MsgFlags, MSG_CTRUNC);
    C(MsgFlags, MSG_TRUNC);
    C(MsgFlags, MSG_DONTWAIT);
    C(MsgFlags, MSG_EOR);
    C(MsgFlags, MSG_WAITALL);
    C(MsgFlags, MSG_NOSIGNAL);
    C(MsgFlags, MSG_CMSG_CLOEXEC);
    C(ScmType, SCM_RIGHTS);
    C(ScmType, SCM_CREDENTIALS);
    C(ShutdownHow, SHUT_RD);
    C(ShutdownHow, SHUT_WR);
    C(ShutdownHow, SHUT_RDWR);
    C(IoctlRequest, SIOCINQ);
    C(IoctlRequest, SIOCOUTQ);
    C(IoctlRequest, SIOCOUTQNSD);

    C(OpenFlags, O_RDONLY);
    C(OpenFlags, O_WRONLY);
    C(OpenFlags, O_RDWR);
    C(OpenFlags, O_ACCMODE);
    C(OpenFlags, O_CREAT);
    C(OpenFlags, O_EXCL);
    C(OpenFlags, O_NOCTTY);
    C(OpenFlags, O_TRUNC);
    C(OpenFlags, O_APPEND);
    C(OpenFlags, O_NONBLOCK);
    C(OpenFlags, O_DSYNC);
    C(OpenFlags, O_ASYNC);
    C(OpenFlags, O_DIRECT);
    C(OpenFlags, O_DIRECTORY);
    C(OpenFlags, O_NOFOLLOW);
    C(OpenFlags, O_NOATIME);
    C(OpenFlags, O_CLOEXEC);
    C(OpenFlags, O_SYNC);
    C(OpenFlags, O_PATH);
    C(OpenFlags, O_TMPFILE);
    C(FcntlCommand, F_DUPFD);
    C(FcntlCommand, F_GETFD);
    C(FcntlCommand, F_SETFD);
    C(FcntlCommand, F_GETFL);
    C(FcntlCommand, F_SETFL);
    C(FcntlCommand, F_SETPIPE_SZ);
    C(FcntlCommand, F_GETPIPE_SZ);
    C(FcntlCommand, F_DUPFD_CLOEXEC);
    C(SeekWhence, SEEK_SET);
    C(SeekWhence, SEEK_CUR);
    C(SeekWhence, SEEK_END);
    C(SeekWhence, SEEK_DATA);
    C(SeekWhence, SEEK_HOLE);
    C(SpliceFlags, SPLICE_F_NONBLOCK);
}
