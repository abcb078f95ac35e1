/*
 * itimer_cpu — ITIMER_VIRTUAL and ITIMER_PROF keep their settings and fire on CPU time.
 *
 * These timers count the process's CPU time (user time, and user plus system time) rather than
 * the clock, and they are kept in the process's CPU-timer state, apart from ITIMER_REAL. The
 * root arms both with different periods, spins until each has fired, and then sleeps, so at
 * the checkpoint each holds part of a period. After SIGTERM it checks getitimer() (the same
 * interval, a value no larger than it) and spins again until each has fired a few more times
 * within a few seconds: a timer the restore forgot, disarmed or moved to the wrong clock stays
 * silent. The spinning is bounded, so the test costs well under a second of CPU.
 */
#include "../lib/zdtm.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#define VIRTUAL_US 10000
#define PROF_US 20000
#define MORE_EXPIRIES 3
#define SPIN_LIMIT_SEC 5

static volatile sig_atomic_t s_virtual, s_prof;

static void on_signal(int sig)
{
    if (sig == SIGVTALRM) {
        s_virtual++;
    } else {
        s_prof++;
    }
}

/* Spins until both counters reach their targets or the wall clock limit passes. */
static void spin(int virtual_target, int prof_target)
{
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    volatile unsigned long work = 0;
    do {
        for (int i = 0; i < 100000; i++) {
            work++;
        }
        clock_gettime(CLOCK_MONOTONIC, &now);
    } while ((s_virtual < virtual_target || s_prof < prof_target) &&
             now.tv_sec - start.tv_sec < SPIN_LIMIT_SEC);
}

/* NULL or what is wrong with the settings of timer which (period_us). */
static const char *check_settings(int which, const char *name, long period_us)
{
    static char why[256];
    struct itimerval now;
    getitimer(which, &now);
    long value_us = now.it_value.tv_sec * 1000000L + now.it_value.tv_usec;
    if (now.it_interval.tv_sec != 0 || now.it_interval.tv_usec != period_us || value_us < 0 ||
        value_us > period_us) {
        snprintf(why, sizeof(why), "%s is value %ld us interval %ld.%06ld s; set to a %ld us period",
                 name, value_us, (long)now.it_interval.tv_sec, (long)now.it_interval.tv_usec,
                 period_us);
        return why;
    }
    return NULL;
}

int main(int argc, char **argv)
{
    test_init(argc, argv);
    test_daemon();

    if (test_sigaction(SIGVTALRM, on_signal, 0) < 0 || test_sigaction(SIGPROF, on_signal, 0) < 0) {
        fail("sigaction: %m");
    }
    struct itimerval virt = {{0, VIRTUAL_US}, {0, VIRTUAL_US}};
    struct itimerval prof = {{0, PROF_US}, {0, PROF_US}};
    if (setitimer(ITIMER_VIRTUAL, &virt, NULL) < 0 || setitimer(ITIMER_PROF, &prof, NULL) < 0) {
        fail("setitimer: %m");
    }
    spin(2, 2);
    if (s_virtual < 2 || s_prof < 2) {
        fail("before the checkpoint, %d s of spinning fired ITIMER_VIRTUAL %d and ITIMER_PROF "
             "%d times", SPIN_LIMIT_SEC, (int)s_virtual, (int)s_prof);
    }

    test_waitsig();

    const char *why = check_settings(ITIMER_VIRTUAL, "ITIMER_VIRTUAL", VIRTUAL_US);
    if (why == NULL) {
        why = check_settings(ITIMER_PROF, "ITIMER_PROF", PROF_US);
    }
    if (why != NULL) {
        fail("%s", why);
    }
    int virtual_before = s_virtual, prof_before = s_prof;
    spin(virtual_before + MORE_EXPIRIES, prof_before + MORE_EXPIRIES);
    if (s_virtual < virtual_before + MORE_EXPIRIES || s_prof < prof_before + MORE_EXPIRIES) {
        fail("after SIGTERM, %d s of spinning fired ITIMER_VIRTUAL %d and ITIMER_PROF %d more "
             "times, expected %d each", SPIN_LIMIT_SEC, s_virtual - virtual_before,
             s_prof - prof_before, MORE_EXPIRIES);
    }
    test_msg("SIGVTALRM %d, SIGPROF %d in all", (int)s_virtual, (int)s_prof);
    pass();
}
