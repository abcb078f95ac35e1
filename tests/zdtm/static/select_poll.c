/*
 * select_poll — tasks waiting in select/poll with nothing to watch keep waiting.
 *
 * Four children each wait for an hour on no file descriptors at all, the only way to wait in
 * these calls with no pipe or socket open (the checkpoint takes regular files only):
 *   - select(0, ...) with a timeval: the kernel writes the time left back into it, and a
 *     stopped select is restarted with that (ERESTARTNOHAND);
 *   - poll(NULL, 0, ms): restarted through the restart block (ERESTART_RESTARTBLOCK), which a
 *     restore cannot rebuild, so one EINTR without a signal is allowed; the child then waits
 *     the rest of its deadline, as a correct program does;
 *   - pselect6 and ppoll with a signal mask: during the call SIGTERM is unblocked, outside it
 *     SIGTERM and SIGUSR1 are blocked. The kernel keeps the task's real mask aside while it
 *     waits; a checkpoint that saved the temporary mask as the task's own would leave SIGTERM
 *     unblocked after the call returns, which the child checks.
 * The system calls are made directly so that we know which one the task sleeps in (glibc maps
 * select and poll onto different calls on different versions). None may end by itself before
 * SIGTERM; the root declares the tree ready only once every child is inside its call.
 */
#include "../lib/zdtm.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define WAIT_SEC 3600

/* The kernel's sigset for the masked calls is 8 bytes, not glibc's 128. */
#define KERNEL_SIGSET_SIZE 8

static long left_ms(const struct timespec *deadline)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (deadline->tv_sec - now.tv_sec) * 1000 + (deadline->tv_nsec - now.tv_nsec) / 1000000;
}

static void wait_select(void *arg)
{
    (void)arg;
    struct timeval tv = {WAIT_SEC, 0};
    for (;;) {
        struct timeval before = tv;
        long rc = syscall(SYS_select, 0, NULL, NULL, NULL, &tv);
        if (rc >= 0) {
            child_fail("select returned %ld before SIGTERM, time left %ld.%06ld s", rc,
                       (long)tv.tv_sec, (long)tv.tv_usec);
        }
        if (errno != EINTR) {
            child_fail("select: %m");
        }
        if (test_stop_requested()) {
            _exit(0);
        }
        if (timercmp(&tv, &before, >)) {
            child_fail("select's time left grew from %ld.%06ld to %ld.%06ld s",
                       (long)before.tv_sec, (long)before.tv_usec, (long)tv.tv_sec,
                       (long)tv.tv_usec);
        }
        test_msg("select: EINTR without SIGTERM, %ld s left", (long)tv.tv_sec);
    }
}

static void wait_poll(void *arg)
{
    (void)arg;
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += WAIT_SEC;
    for (;;) {
        long ms = left_ms(&deadline);
        long rc = syscall(SYS_poll, NULL, 0, (int)ms);
        if (rc >= 0) {
            child_fail("poll returned %ld before SIGTERM with %ld ms of its deadline left", rc,
                       left_ms(&deadline));
        }
        if (errno != EINTR) {
            child_fail("poll: %m");
        }
        if (test_stop_requested()) {
            _exit(0);
        }
        test_msg("poll: EINTR without SIGTERM, waiting the remaining %ld ms", left_ms(&deadline));
    }
}

/* Blocks SIGTERM and SIGUSR1 (the task's own mask) and returns it; *during is the same less
 * SIGTERM, for the duration of the call. */
static sigset_t block_for_masked_wait(sigset_t *during)
{
    sigset_t own;
    sigemptyset(&own);
    sigaddset(&own, SIGTERM);
    sigaddset(&own, SIGUSR1);
    if (sigprocmask(SIG_BLOCK, &own, NULL) < 0) {
        child_fail("sigprocmask: %m");
    }
    sigprocmask(SIG_BLOCK, NULL, &own);
    *during = own;
    sigdelset(during, SIGTERM);
    return own;
}

static void check_mask_after(const sigset_t *own, const char *call)
{
    sigset_t now;
    sigprocmask(SIG_BLOCK, NULL, &now);
    for (int sig = 1; sig < NSIG; sig++) {
        if (sigismember(&now, sig) != sigismember(own, sig)) {
            child_fail("after %s returned, signal %d (%s) is %s, but the task's own mask %s it",
                       call, sig, strsignal(sig), sigismember(&now, sig) ? "blocked" : "unblocked",
                       sigismember(own, sig) ? "blocks" : "does not block");
        }
    }
}

static void wait_pselect(void *arg)
{
    (void)arg;
    sigset_t during;
    sigset_t own = block_for_masked_wait(&during);
    struct {
        const sigset_t *set;
        size_t size;
    } mask = {&during, KERNEL_SIGSET_SIZE};
    struct timespec ts = {WAIT_SEC, 0};
    while (!test_stop_requested()) {
        long rc = syscall(SYS_pselect6, 0, NULL, NULL, NULL, &ts, &mask);
        if (rc >= 0) {
            child_fail("pselect6 returned %ld before SIGTERM", rc);
        }
        if (errno != EINTR) {
            child_fail("pselect6: %m");
        }
    }
    check_mask_after(&own, "pselect6");
    _exit(0);
}

static void wait_ppoll(void *arg)
{
    (void)arg;
    sigset_t during;
    sigset_t own = block_for_masked_wait(&during);
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += WAIT_SEC;
    while (!test_stop_requested()) {
        long ms = left_ms(&deadline);
        struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
        long rc = syscall(SYS_ppoll, NULL, 0, &ts, &during, KERNEL_SIGSET_SIZE);
        if (rc >= 0) {
            child_fail("ppoll returned %ld before SIGTERM with %ld ms of its deadline left", rc,
                       left_ms(&deadline));
        }
        if (errno != EINTR) {
            child_fail("ppoll: %m");
        }
    }
    check_mask_after(&own, "ppoll");
    _exit(0);
}

int main(int argc, char **argv)
{
    test_init(argc, argv);
    test_daemon();

    pid_t children[] = {
        test_fork_sleeper(wait_select, NULL, SYS_select, "select"),
        test_fork_sleeper(wait_poll, NULL, SYS_poll, "poll"),
        test_fork_sleeper(wait_pselect, NULL, SYS_pselect6, "pselect6"),
        test_fork_sleeper(wait_ppoll, NULL, SYS_ppoll, "ppoll"),
    };
    const char *names[] = {"select", "poll", "pselect6", "ppoll"};

    test_waitsig();

    const char *how = test_end_children(children, names, 4);
    if (how != NULL) {
        fail("%s", how);
    }
    pass();
}
