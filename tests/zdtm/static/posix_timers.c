/*
 * posix_timers — POSIX timers keep their ids, clocks, settings and notifications.
 *
 * A process's timers are kernel objects named by small integer ids that the program holds
 * (glibc's timer_t is the id for these kinds), so a restore must recreate each with the same
 * id, even where a deleted timer left a gap, on the same clock, with the same notification, and
 * re-arm it with what is left of its period. The root makes:
 *   - two periodic SIGEV_SIGNAL timers on CLOCK_MONOTONIC and CLOCK_REALTIME, each with its own
 *     real-time signal and value;
 *   - a timer that is created and deleted, leaving a gap in the ids;
 *   - a one-shot SIGEV_NONE timer an hour away on CLOCK_BOOTTIME, which is only polled;
 *   - a periodic SIGEV_NONE timer on CLOCK_MONOTONIC (never signals, keeps counting);
 *   - a SIGEV_NONE timer on the process's CPU clock, an hour of CPU time away;
 *   - a timer that is never armed.
 * After SIGTERM it checks /proc/self/timers (same ids, signals, notifications and clocks),
 * timer_gettime() of each (same interval; an armed timer is still armed with no more than its
 * period, or for the one-shots, less than it was given but not by more than a slow run's
 * margin; the unarmed one still unarmed), and that both signalling timers fire a few more times
 * within a few seconds, with SI_TIMER, their own id and their own value.
 */
#include "../lib/zdtm.h"

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define TIMERS 6
#define ONE_SHOT_SEC 3600
#define ONE_SHOT_MARGIN_SEC 120
#define MORE_EXPIRIES 3
#define WAIT_MORE_SEC 5

struct timer {
    const char *name;
    clockid_t clock;
    int notify;     /* SIGEV_SIGNAL or SIGEV_NONE */
    int signo;      /* offset from SIGRTMIN */
    long period_ms; /* 0: one-shot */
    long first_sec; /* for one-shots: 0 leaves the timer unarmed */
    timer_t id;
};

static struct timer s_timers[TIMERS] = {
    {"monotonic signal", CLOCK_MONOTONIC, SIGEV_SIGNAL, 0, 20, 0},
    {"realtime signal", CLOCK_REALTIME, SIGEV_SIGNAL, 1, 30, 0},
    {"boottime one-shot", CLOCK_BOOTTIME, SIGEV_NONE, 0, 0, ONE_SHOT_SEC},
    {"monotonic none", CLOCK_MONOTONIC, SIGEV_NONE, 0, 10, 0},
    {"process cpu one-shot", CLOCK_PROCESS_CPUTIME_ID, SIGEV_NONE, 0, 0, ONE_SHOT_SEC},
    {"unarmed", CLOCK_MONOTONIC, SIGEV_SIGNAL, 2, 0, 0},
};

/* Per timer: expiries seen, and whether one came with the wrong siginfo. */
static volatile sig_atomic_t s_fired[TIMERS];
static volatile sig_atomic_t s_bad_info[TIMERS];

static void on_timer(int sig, siginfo_t *info, void *context)
{
    (void)context;
    int index = info->si_value.sival_int;
    if (index < 0 || index >= TIMERS) {
        return;
    }
    const struct timer *t = &s_timers[index];
    if (info->si_code != SI_TIMER || sig != SIGRTMIN + t->signo ||
        info->si_timerid != (int)(intptr_t)t->id) {
        s_bad_info[index] = 1;
    }
    s_fired[index]++;
}

static long ts_ms(const struct timespec *ts)
{
    return ts->tv_sec * 1000 + ts->tv_nsec / 1000000;
}

static int armed(const struct itimerspec *its)
{
    return its->it_value.tv_sec != 0 || its->it_value.tv_nsec != 0;
}

/* NULL or what is wrong with t's settings. */
static const char *check_settings(const struct timer *t)
{
    static char why[256];
    struct itimerspec now;
    if (timer_gettime(t->id, &now) < 0) {
        snprintf(why, sizeof(why), "timer_gettime(%ld): %m", (long)(intptr_t)t->id);
        return why;
    }
    long interval_ms = ts_ms(&now.it_interval), value_ms = ts_ms(&now.it_value);
    int good;
    if (t->period_ms != 0) {
        good = interval_ms == t->period_ms && now.it_interval.tv_nsec % 1000000 == 0 &&
               armed(&now) && value_ms <= t->period_ms;
    } else if (t->first_sec != 0) {
        good = interval_ms == 0 && now.it_value.tv_sec < t->first_sec &&
               now.it_value.tv_sec >= t->first_sec - ONE_SHOT_MARGIN_SEC;
    } else {
        good = interval_ms == 0 && !armed(&now);
    }
    if (!good) {
        snprintf(why, sizeof(why), "timer_gettime says value %ld.%09ld s interval %ld.%09ld s; "
                 "set to period %ld ms, first expiry %ld s", (long)now.it_value.tv_sec,
                 now.it_value.tv_nsec, (long)now.it_interval.tv_sec, now.it_interval.tv_nsec,
                 t->period_ms, t->first_sec);
        return why;
    }
    return NULL;
}

/* Whether every timer has fired target[i] times. */
static int all_fired(void *arg)
{
    const int *target = arg;
    int done = 1;
    for (int i = 0; i < TIMERS; i++) {
        done &= s_fired[i] >= target[i];
    }
    return done;
}

static void wait_fired(int *target, int seconds)
{
    test_wait_until(all_fired, target, seconds);
}

int main(int argc, char **argv)
{
    test_init(argc, argv);
    test_daemon();

    for (int sig = SIGRTMIN; sig <= SIGRTMIN + 2; sig++) {
        test_sigaction(sig, on_timer, SA_SIGINFO);
    }
    for (int i = 0; i < TIMERS; i++) {
        struct timer *t = &s_timers[i];
        struct sigevent sev;
        memset(&sev, 0, sizeof(sev));
        sev.sigev_notify = t->notify;
        sev.sigev_signo = SIGRTMIN + t->signo;
        sev.sigev_value.sival_int = i;
        if (timer_create(t->clock, &sev, &t->id) < 0) {
            fail("timer_create(%s): %m", t->name);
        }
        if (i == 1) {
            /* A gap in the ids. */
            timer_t gap;
            if (timer_create(CLOCK_MONOTONIC, NULL, &gap) < 0 || timer_delete(gap) < 0) {
                fail("creating and deleting a timer: %m");
            }
        }
        struct itimerspec its = {{t->period_ms / 1000, t->period_ms % 1000 * 1000000},
                                 {t->period_ms / 1000, t->period_ms % 1000 * 1000000}};
        if (t->period_ms == 0) {
            its.it_value.tv_sec = t->first_sec;
        }
        if (timer_settime(t->id, 0, &its, NULL) < 0) {
            fail("timer_settime(%s): %m", t->name);
        }
    }
    int target[TIMERS] = {2, 2};
    wait_fired(target, WAIT_MORE_SEC);
    if (s_fired[0] < 2 || s_fired[1] < 2) {
        fail("before the checkpoint the signalling timers fired only %d and %d times",
             (int)s_fired[0], (int)s_fired[1]);
    }
    test_timers_remember();

    test_waitsig();

    const char *changed = test_timers_changed();
    if (changed != NULL) {
        fail("%s", changed);
    }
    for (int i = 0; i < TIMERS; i++) {
        const char *why = check_settings(&s_timers[i]);
        if (why != NULL) {
            fail("timer %ld (%s): %s", (long)(intptr_t)s_timers[i].id, s_timers[i].name, why);
        }
    }
    int before[TIMERS];
    for (int i = 0; i < TIMERS; i++) {
        before[i] = s_fired[i];
        target[i] = s_timers[i].notify == SIGEV_SIGNAL && s_timers[i].period_ms != 0
                        ? before[i] + MORE_EXPIRIES : before[i];
    }
    wait_fired(target, WAIT_MORE_SEC);
    for (int i = 0; i < TIMERS; i++) {
        if (s_fired[i] < target[i] || s_bad_info[i] ||
            (target[i] == before[i] && s_fired[i] != before[i])) {
            fail("timer %ld (%s) fired %d times in %d s after SIGTERM (%d expected)%s",
                 (long)(intptr_t)s_timers[i].id, s_timers[i].name, s_fired[i] - before[i],
                 WAIT_MORE_SEC, target[i] - before[i],
                 s_bad_info[i] ? ", some with the wrong siginfo" : "");
        }
    }
    pass();
}
