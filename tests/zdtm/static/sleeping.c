/*
 * sleeping — sleeping tasks wake only for the signal.
 *
 * Three children sleep in three ways that a checkpoint interrupts differently (DESIGN.md §4):
 *   - in pause(), which the kernel restarts after a stop (ERESTARTNOHAND);
 *   - a child in clock_nanosleep(TIMER_ABSTIME) on CLOCK_MONOTONIC, restarted the same way;
 *   - a child in relative nanosleep(), whose restart block cannot be saved: after a restore it
 *     may see one EINTR without a signal. A correct program then sleeps the remaining time,
 *     which is what we do; we fail only if the sleep ends by itself or the remaining time grows.
 * None of the sleeps may end before SIGTERM. The root declares the tree ready only once every
 * child is inside its system call (/proc/PID/syscall), so that neither the checkpoint nor
 * SIGTERM can find a child on its way to sleep. The root itself waits in sigsuspend(), as
 * test_waitsig() does: pause() could not close the window between checking for SIGTERM and
 * going to sleep, which is why the pause() child has nothing else to do.
 */
#include "../lib/zdtm.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/syscall.h>
#include <unistd.h>

#define LONG_SLEEP_SEC 3600

static void sleep_pause(void *arg)
{
    (void)arg;
    pause();
    /* pause() returns only after a handler ran, and SIGTERM's is the only one installed. */
    if (!test_stop_requested()) {
        child_fail("pause() returned, but SIGTERM has not arrived");
    }
    _exit(0);
}

static void sleep_absolute(void *arg)
{
    (void)arg;
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += LONG_SLEEP_SEC;
    for (;;) {
        int rc = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &deadline, NULL);
        if (rc == 0) {
            child_fail("clock_nanosleep returned without a signal before its deadline");
        }
        if (rc != EINTR) {
            child_fail("clock_nanosleep: %s", strerror(rc));
        }
        if (test_stop_requested()) {
            _exit(0);
        }
        child_fail("clock_nanosleep was interrupted, but not by SIGTERM");
    }
}

static void sleep_relative(void *arg)
{
    (void)arg;
    struct timespec left = {LONG_SLEEP_SEC, 0};
    int early_wakes = 0;
    for (;;) {
        struct timespec rem;
        if (nanosleep(&left, &rem) == 0) {
            child_fail("nanosleep(%d s) finished by itself", LONG_SLEEP_SEC);
        }
        if (errno != EINTR) {
            child_fail("nanosleep: %m");
        }
        if (test_stop_requested()) {
            test_msg("nanosleep woke for SIGTERM with %ld s left (%d earlier EINTR)",
                     (long)rem.tv_sec, early_wakes);
            _exit(0);
        }
        if (rem.tv_sec > left.tv_sec || (rem.tv_sec == left.tv_sec && rem.tv_nsec > left.tv_nsec)) {
            child_fail("nanosleep's remaining time grew from %ld.%09ld to %ld.%09ld",
                       (long)left.tv_sec, left.tv_nsec, (long)rem.tv_sec, rem.tv_nsec);
        }
        early_wakes++;
        test_msg("nanosleep: EINTR without SIGTERM (%d), sleeping the remaining %ld s",
                 early_wakes, (long)rem.tv_sec);
        left = rem;
    }
}

/* Relative and absolute sleeps both use clock_nanosleep in glibc. */
int main(int argc, char **argv)
{
    test_init(argc, argv);
    test_daemon();

    pid_t children[] = {
        test_fork_sleeper(sleep_pause, NULL, SYS_pause, "pause"),
        test_fork_sleeper(sleep_absolute, NULL, SYS_clock_nanosleep, "clock_nanosleep"),
        test_fork_sleeper(sleep_relative, NULL, SYS_clock_nanosleep, "nanosleep"),
    };
    const char *names[] = {"pause", "clock_nanosleep", "nanosleep"};

    test_waitsig();

    const char *how = test_end_children(children, names, 3);
    if (how != NULL) {
        fail("%s", how);
    }
    pass();
}
