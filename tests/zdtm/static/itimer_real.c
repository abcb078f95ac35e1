/*
 * itimer_real — ITIMER_REAL keeps its settings and keeps firing across checkpoint/restore.
 *
 * The root arms a periodic ITIMER_REAL (50 ms) and counts its SIGALRMs; a child arms a one-shot
 * one an hour away and must never see it fire. The timers live in the kernel (an hrtimer of
 * the process's signal struct), so a restore has to re-arm them with what is left of the
 * current period and the same interval. After SIGTERM
 *   - the root checks getitimer(): the same interval, and a value that is armed and no larger
 *     than the interval; then that SIGALRM keeps coming (five more within a few seconds);
 *   - the child checks that its timer has no interval, is still armed, and has about an hour
 *     left (less than it was given, and not by more than the margin of a slow run).
 */
#include "../lib/zdtm.h"

#include <signal.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define PERIOD_US 50000
#define ONE_SHOT_SEC 3600
#define ONE_SHOT_MARGIN_SEC 120
#define MORE_EXPIRIES 5
#define WAIT_MORE_SEC 5

static volatile sig_atomic_t s_alarms;

static void on_alarm(int sig)
{
    (void)sig;
    s_alarms++;
}

static int reached(void *target)
{
    return s_alarms >= *(int *)target;
}

/* Sleeps until s_alarms reaches target or seconds pass; returns s_alarms. */
static int wait_alarms(int target, int seconds)
{
    test_wait_until(reached, &target, seconds);
    return s_alarms;
}

static void one_shot_child(void *arg)
{
    (void)arg;
    struct itimerval it = {{0, 0}, {ONE_SHOT_SEC, 0}};
    if (setitimer(ITIMER_REAL, &it, NULL) < 0) {
        child_fail("setitimer: %m");
    }
    test_child_ready();
    test_waitsig();
    getitimer(ITIMER_REAL, &it);
    if (s_alarms != 0 || it.it_interval.tv_sec != 0 || it.it_interval.tv_usec != 0 ||
        it.it_value.tv_sec >= ONE_SHOT_SEC ||
        it.it_value.tv_sec < ONE_SHOT_SEC - ONE_SHOT_MARGIN_SEC) {
        child_fail("one-shot ITIMER_REAL of %d s: fired %d times, now value %ld.%06ld s "
                   "interval %ld.%06ld s", ONE_SHOT_SEC, (int)s_alarms,
                   (long)it.it_value.tv_sec, (long)it.it_value.tv_usec,
                   (long)it.it_interval.tv_sec, (long)it.it_interval.tv_usec);
    }
    _exit(0);
}

int main(int argc, char **argv)
{
    test_init(argc, argv);
    test_daemon();

    if (test_sigaction(SIGALRM, on_alarm, 0) < 0) {
        fail("sigaction: %m");
    }
    pid_t child = test_fork_child(one_shot_child, NULL);

    struct itimerval set = {{0, PERIOD_US}, {0, PERIOD_US}};
    if (setitimer(ITIMER_REAL, &set, NULL) < 0) {
        fail("setitimer: %m");
    }
    if (wait_alarms(2, WAIT_MORE_SEC) < 2) {
        fail("ITIMER_REAL of %d us fired %d times in %d s before the checkpoint", PERIOD_US,
             (int)s_alarms, WAIT_MORE_SEC);
    }

    test_waitsig();

    const char *names[] = {"one-shot child"};
    const char *how = test_end_children(&child, names, 1);
    if (how != NULL) {
        fail("%s", how);
    }
    struct itimerval now;
    getitimer(ITIMER_REAL, &now);
    long value_us = now.it_value.tv_sec * 1000000L + now.it_value.tv_usec;
    if (now.it_interval.tv_sec != 0 || now.it_interval.tv_usec != PERIOD_US || value_us <= 0 ||
        value_us > PERIOD_US) {
        fail("ITIMER_REAL is value %ld us interval %ld.%06ld s; set to a %d us period",
             value_us, (long)now.it_interval.tv_sec, (long)now.it_interval.tv_usec, PERIOD_US);
    }
    int before = s_alarms;
    int after = wait_alarms(before + MORE_EXPIRIES, WAIT_MORE_SEC);
    if (after < before + MORE_EXPIRIES) {
        fail("ITIMER_REAL of %d us fired only %d times in %d s after SIGTERM", PERIOD_US,
             after - before, WAIT_MORE_SEC);
    }
    test_msg("%d SIGALRMs in all", after);
    pass();
}
