/*
 * signalfd — a signalfd keeps its mask and flags, and a blocked signal pending before the
 * checkpoint is read through it afterwards, with its siginfo.
 *
 * SIGUSR1 and SIGUSR2 are blocked and accepted by a non-blocking signalfd; SIGHUP is blocked
 * but not accepted. SIGUSR1 is queued with a value before the tree is ready. After SIGTERM:
 * the signalfd reads SIGUSR1 with its value, then nothing; SIGUSR2 sent now is read too (the
 * mask still holds it); SIGHUP sent now stays pending and is not read.
 */
#include "../lib/zdtm.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#define USR1_VALUE 0x5331

static int read_one(int fd, struct signalfd_siginfo *info)
{
    ssize_t n = read(fd, info, sizeof(*info));
    if (n < 0 && errno == EAGAIN) {
        return 0;
    }
    if (n != sizeof(*info)) {
        fail("read from the signalfd: %zd, %m", n);
    }
    return 1;
}

int main(int argc, char **argv)
{
    test_init(argc, argv);
    test_daemon();

    sigset_t blocked, accepted;
    sigemptyset(&accepted);
    sigaddset(&accepted, SIGUSR1);
    sigaddset(&accepted, SIGUSR2);
    blocked = accepted;
    sigaddset(&blocked, SIGHUP);
    if (sigprocmask(SIG_BLOCK, &blocked, NULL) < 0) {
        fail("sigprocmask: %m");
    }
    int fd = signalfd(-1, &accepted, SFD_NONBLOCK | SFD_CLOEXEC);
    if (fd < 0) {
        fail("signalfd: %m");
    }
    if (sigqueue(getpid(), SIGUSR1, (union sigval){.sival_int = USR1_VALUE}) < 0) {
        fail("sigqueue: %m");
    }

    test_waitsig();

    if (!(fcntl(fd, F_GETFL) & O_NONBLOCK) || fcntl(fd, F_GETFD) != FD_CLOEXEC) {
        fail("flags changed: status 0%o, descriptor %d", fcntl(fd, F_GETFL), fcntl(fd, F_GETFD));
    }
    struct signalfd_siginfo info;
    if (!read_one(fd, &info)) {
        fail("the pending SIGUSR1 is not readable through the signalfd");
    }
    if (info.ssi_signo != SIGUSR1 || info.ssi_code != SI_QUEUE || info.ssi_int != USR1_VALUE
        || info.ssi_pid != (uint32_t)getpid()) {
        fail("read signal %u code %d value %#x from pid %u, expected SIGUSR1 SI_QUEUE %#x from %d",
             info.ssi_signo, info.ssi_code, info.ssi_int, info.ssi_pid, USR1_VALUE, getpid());
    }
    if (read_one(fd, &info)) {
        fail("a second signal %u was read", info.ssi_signo);
    }
    kill(getpid(), SIGUSR2);
    kill(getpid(), SIGHUP);
    if (!read_one(fd, &info) || info.ssi_signo != SIGUSR2) {
        fail("SIGUSR2 sent after the restore is not read through the signalfd");
    }
    if (read_one(fd, &info)) {
        fail("signal %u read, but the signalfd does not accept it", info.ssi_signo);
    }
    sigset_t pending;
    sigpending(&pending);
    if (!sigismember(&pending, SIGHUP)) {
        fail("SIGHUP is not pending");
    }
    pass();
}
