/*
 * sigwait — tasks waiting for signals keep their masks and what is pending.
 *
 * Three children wait in the calls that change the blocked mask for their duration, which the
 * kernel then keeps aside (saved_sigmask / real_blocked) until the call returns:
 *   - sigsuspend: its own mask blocks SIGTERM, SIGUSR1 and SIGUSR2; it waits with only SIGUSR2
 *     blocked, and a SIGUSR2 sent before the checkpoint stays pending all along;
 *   - sigtimedwait for SIGUSR1 with an hour's timeout, SIGUSR1 blocked;
 *   - sigwaitinfo for SIGUSR1, SIGUSR1 blocked.
 * A checkpoint that takes the temporary mask for the task's own changes what is blocked once
 * the call returns; one that drops the pending SIGUSR2 loses a signal. After SIGTERM each child
 * checks its mask, the two waiters check that a queued SIGUSR1 still reaches them with its
 * value, and the sigsuspend child that its SIGUSR2 is still pending and is delivered, once, when
 * it unblocks it. sigtimedwait and sigwaitinfo cannot be restarted: after a restore they may
 * return EINTR once without a signal, and the children then wait again.
 */
#include "../lib/zdtm.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define WAIT_SEC 3600
#define QUEUED_VALUE 0x5157

static volatile sig_atomic_t s_usr2_count;

static void on_usr2(int sig)
{
    (void)sig;
    s_usr2_count++;
}

static sigset_t set_of(int a, int b, int c)
{
    sigset_t set;
    sigemptyset(&set);
    for (int i = 0, sigs[3] = {a, b, c}; i < 3; i++) {
        if (sigs[i] != 0) {
            sigaddset(&set, sigs[i]);
        }
    }
    return set;
}

static void check_mask(const sigset_t *expected, const char *when)
{
    sigset_t now;
    sigprocmask(SIG_BLOCK, NULL, &now);
    for (int sig = 1; sig < NSIG; sig++) {
        if (sigismember(&now, sig) != sigismember(expected, sig)) {
            child_fail("%s: signal %d (%s) is %s, expected %s", when, sig, strsignal(sig),
                       sigismember(&now, sig) ? "blocked" : "unblocked",
                       sigismember(expected, sig) ? "blocked" : "unblocked");
        }
    }
}

static void wait_sigsuspend(void *arg)
{
    (void)arg;
    test_sigaction(SIGUSR2, on_usr2, 0);
    sigset_t own = set_of(SIGTERM, SIGUSR1, SIGUSR2);
    sigset_t during = set_of(SIGUSR2, 0, 0);
    sigprocmask(SIG_SETMASK, &own, NULL);
    /* Pending from here on, through the checkpoint. */
    kill(getpid(), SIGUSR2);
    while (!test_stop_requested()) {
        sigsuspend(&during);
    }
    check_mask(&own, "after sigsuspend");
    sigset_t pending;
    sigpending(&pending);
    if (!sigismember(&pending, SIGUSR2) || s_usr2_count != 0) {
        child_fail("SIGUSR2 raised before the checkpoint is %s pending and was handled %d times",
                   sigismember(&pending, SIGUSR2) ? "still" : "no longer", (int)s_usr2_count);
    }
    sigset_t usr2 = set_of(SIGUSR2, 0, 0);
    sigprocmask(SIG_UNBLOCK, &usr2, NULL);
    if (s_usr2_count != 1) {
        child_fail("unblocking the pending SIGUSR2 ran its handler %d times, expected once",
                   (int)s_usr2_count);
    }
    _exit(0);
}

/* Takes the queued SIGUSR1 back with a short timeout and checks its value. */
static void check_queued(void)
{
    union sigval value = {.sival_int = QUEUED_VALUE};
    if (sigqueue(getpid(), SIGUSR1, value) < 0) {
        child_fail("sigqueue: %m");
    }
    sigset_t usr1 = set_of(SIGUSR1, 0, 0);
    siginfo_t info;
    struct timespec second = {1, 0};
    int sig = sigtimedwait(&usr1, &info, &second);
    if (sig != SIGUSR1 || info.si_code != SI_QUEUE || info.si_value.sival_int != QUEUED_VALUE ||
        info.si_pid != getpid()) {
        child_fail("the queued SIGUSR1 came back as signal %d (%m), code %d, value %#x, from %d",
                   sig, info.si_code, info.si_value.sival_int, (int)info.si_pid);
    }
}

static void wait_timed(void *arg)
{
    (void)arg;
    sigset_t own = set_of(SIGUSR1, 0, 0);
    sigprocmask(SIG_SETMASK, &own, NULL);
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += WAIT_SEC;
    while (!test_stop_requested()) {
        struct timespec now, left;
        clock_gettime(CLOCK_MONOTONIC, &now);
        left.tv_sec = deadline.tv_sec - now.tv_sec;
        left.tv_nsec = deadline.tv_nsec - now.tv_nsec;
        if (left.tv_nsec < 0) {
            left.tv_sec--;
            left.tv_nsec += 1000000000;
        }
        siginfo_t info;
        int sig = sigtimedwait(&own, &info, &left);
        if (sig >= 0) {
            child_fail("sigtimedwait returned signal %d (%s) from pid %d before SIGTERM", sig,
                       strsignal(sig), (int)info.si_pid);
        }
        if (errno != EINTR) {
            child_fail("sigtimedwait with %ld s left: %m", (long)left.tv_sec);
        }
        if (!test_stop_requested()) {
            test_msg("sigtimedwait: EINTR without SIGTERM, waiting again");
        }
    }
    check_mask(&own, "after sigtimedwait");
    check_queued();
    _exit(0);
}

static void wait_info(void *arg)
{
    (void)arg;
    sigset_t own = set_of(SIGUSR1, 0, 0);
    sigprocmask(SIG_SETMASK, &own, NULL);
    while (!test_stop_requested()) {
        siginfo_t info;
        int sig = sigwaitinfo(&own, &info);
        if (sig >= 0) {
            child_fail("sigwaitinfo returned signal %d (%s) from pid %d before SIGTERM", sig,
                       strsignal(sig), (int)info.si_pid);
        }
        if (errno != EINTR) {
            child_fail("sigwaitinfo: %m");
        }
        if (!test_stop_requested()) {
            test_msg("sigwaitinfo: EINTR without SIGTERM, waiting again");
        }
    }
    check_mask(&own, "after sigwaitinfo");
    check_queued();
    _exit(0);
}

int main(int argc, char **argv)
{
    test_init(argc, argv);
    test_daemon();

    pid_t children[] = {
        test_fork_sleeper(wait_sigsuspend, NULL, SYS_rt_sigsuspend, "sigsuspend"),
        test_fork_sleeper(wait_timed, NULL, SYS_rt_sigtimedwait, "sigtimedwait"),
        test_fork_sleeper(wait_info, NULL, SYS_rt_sigtimedwait, "sigwaitinfo"),
    };
    const char *names[] = {"sigsuspend", "sigtimedwait", "sigwaitinfo"};

    test_waitsig();

    const char *how = test_end_children(children, names, 3);
    if (how != NULL) {
        fail("%s", how);
    }
    pass();
}
