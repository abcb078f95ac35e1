/*
 * posix_timer_threads — POSIX timers aimed at threads keep their target.
 *
 *   - Three SIGEV_THREAD_ID timers, each aimed at one of three worker threads by its tid, with
 *     the same signal but different periods and values: the kernel queues each expiry to that
 *     thread alone, so a restore has to keep the workers' tids and each timer's target.
 *   - A periodic SIGEV_THREAD timer: glibc keeps a helper thread blocked in sigwaitinfo() for
 *     its internal signal, aims the kernel timer at that thread, and starts a thread that runs
 *     our function for each expiry. The restore must bring back the helper thread, in its wait,
 *     and the kernel timer that points at it.
 *   - A one-shot SIGEV_THREAD timer an hour away, which must neither fire nor be lost.
 * After SIGTERM: /proc/self/timers unchanged (ids, targets, signals), timer_gettime() of each
 * with the same interval, and each periodic timer fires a few more times within a few seconds,
 * the THREAD_ID ones in their own worker only, with SI_TIMER and their id and value, and the
 * SIGEV_THREAD one with its value.
 */
#include "../lib/zdtm.h"

#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define WORKERS 3
#define ONE_SHOT_SEC 3600
#define ONE_SHOT_MARGIN_SEC 120
#define MORE_EXPIRIES 3
#define WAIT_MORE_SEC 5
#define THREAD_PERIOD_MS 25
#define THREAD_VALUE 0x7e57

struct worker {
    long period_ms;
    pthread_t thread;
    pid_t tid;
    timer_t timer;
    volatile sig_atomic_t fired;
    volatile sig_atomic_t stray; /* expiries of this timer in another thread, or bad siginfo */
};

static struct worker s_workers[WORKERS] = {{20}, {30}, {45}};
static atomic_int s_started, s_stop_workers;
static atomic_int s_thread_fired, s_thread_bad, s_one_shot_fired;
static timer_t s_thread_timer, s_one_shot;

static void on_timer(int sig, siginfo_t *info, void *context)
{
    (void)sig;
    (void)context;
    int index = info->si_value.sival_int;
    if (index < 0 || index >= WORKERS) {
        return;
    }
    struct worker *w = &s_workers[index];
    if (gettid() != w->tid || info->si_code != SI_TIMER ||
        info->si_timerid != (int)(intptr_t)w->timer) {
        w->stray = 1;
    }
    w->fired++;
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    w->tid = gettid();
    atomic_fetch_add(&s_started, 1);
    while (!atomic_load(&s_stop_workers)) {
        struct timespec nap = {0, 50 * 1000 * 1000};
        nanosleep(&nap, NULL);
    }
    return NULL;
}

static void on_thread_expiry(union sigval value)
{
    if (value.sival_int != THREAD_VALUE) {
        atomic_store(&s_thread_bad, 1);
    }
    atomic_fetch_add(&s_thread_fired, 1);
}

static void on_one_shot(union sigval value)
{
    (void)value;
    atomic_fetch_add(&s_one_shot_fired, 1);
}

static struct itimerspec every(long ms)
{
    struct itimerspec its = {{ms / 1000, ms % 1000 * 1000000}, {ms / 1000, ms % 1000 * 1000000}};
    return its;
}

/* NULL or what is wrong with the settings of timer. */
static const char *check_settings(timer_t timer, long period_ms, long one_shot_sec)
{
    static char why[256];
    struct itimerspec now;
    if (timer_gettime(timer, &now) < 0) {
        snprintf(why, sizeof(why), "timer_gettime: %m");
        return why;
    }
    long interval_ns = now.it_interval.tv_sec * 1000000000L + now.it_interval.tv_nsec;
    long value_ns = now.it_value.tv_sec * 1000000000L + now.it_value.tv_nsec;
    int good = period_ms != 0 ? interval_ns == period_ms * 1000000 && value_ns > 0 &&
                                    value_ns <= interval_ns
                              : interval_ns == 0 && now.it_value.tv_sec < one_shot_sec &&
                                    now.it_value.tv_sec >= one_shot_sec - ONE_SHOT_MARGIN_SEC;
    if (!good) {
        snprintf(why, sizeof(why), "value %ld ns interval %ld ns; set to period %ld ms, "
                 "first expiry %ld s", value_ns, interval_ns, period_ms, one_shot_sec);
        return why;
    }
    return NULL;
}

/* Whether every periodic timer has fired MORE_EXPIRIES times more than in before[] (workers
 * first, then the SIGEV_THREAD timer). */
static int enough(void *arg)
{
    const int *before = arg;
    for (int i = 0; i < WORKERS; i++) {
        if (s_workers[i].fired < before[i] + MORE_EXPIRIES) {
            return 0;
        }
    }
    return atomic_load(&s_thread_fired) >= before[WORKERS] + MORE_EXPIRIES;
}

static void wait_more(int *before)
{
    test_wait_until(enough, before, WAIT_MORE_SEC);
}

static void counts(int *now)
{
    for (int i = 0; i < WORKERS; i++) {
        now[i] = s_workers[i].fired;
    }
    now[WORKERS] = atomic_load(&s_thread_fired);
}

int main(int argc, char **argv)
{
    test_init(argc, argv);
    test_daemon();

    test_sigaction(SIGRTMIN, on_timer, SA_SIGINFO);
    /* Only the workers take the timer signal. */
    sigset_t rt;
    sigemptyset(&rt);
    sigaddset(&rt, SIGRTMIN);
    for (int i = 0; i < WORKERS; i++) {
        int rc = test_thread_create(&s_workers[i].thread, NULL, worker_main, &s_workers[i]);
        if (rc != 0) {
            fail("pthread_create: %s", strerror(rc));
        }
    }
    pthread_sigmask(SIG_BLOCK, &rt, NULL);
    while (atomic_load(&s_started) != WORKERS) {
        usleep(1000);
    }
    for (int i = 0; i < WORKERS; i++) {
        struct worker *w = &s_workers[i];
        struct sigevent sev;
        memset(&sev, 0, sizeof(sev));
        sev.sigev_notify = SIGEV_THREAD_ID;
        sev.sigev_signo = SIGRTMIN;
        sev.sigev_value.sival_int = i;
        sev._sigev_un._tid = w->tid; /* sigev_notify_thread_id, which glibc 2.36 does not name */
        struct itimerspec its = every(w->period_ms);
        if (timer_create(CLOCK_MONOTONIC, &sev, &w->timer) < 0 ||
            timer_settime(w->timer, 0, &its, NULL) < 0) {
            fail("SIGEV_THREAD_ID timer for thread %d: %m", (int)w->tid);
        }
    }
    /* The SIGEV_THREAD timers' threads must not take SIGTERM either: they are made with it
     * blocked, whatever glibc copies from here. */
    sigset_t term, saved;
    sigemptyset(&term);
    sigaddset(&term, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &term, &saved);
    struct sigevent sev;
    memset(&sev, 0, sizeof(sev));
    sev.sigev_notify = SIGEV_THREAD;
    sev.sigev_notify_function = on_thread_expiry;
    sev.sigev_value.sival_int = THREAD_VALUE;
    struct itimerspec its = every(THREAD_PERIOD_MS);
    if (timer_create(CLOCK_MONOTONIC, &sev, &s_thread_timer) < 0 ||
        timer_settime(s_thread_timer, 0, &its, NULL) < 0) {
        fail("SIGEV_THREAD timer: %m");
    }
    sev.sigev_notify_function = on_one_shot;
    struct itimerspec later = {{0, 0}, {ONE_SHOT_SEC, 0}};
    if (timer_create(CLOCK_MONOTONIC, &sev, &s_one_shot) < 0 ||
        timer_settime(s_one_shot, 0, &later, NULL) < 0) {
        fail("one-shot SIGEV_THREAD timer: %m");
    }
    pthread_sigmask(SIG_SETMASK, &saved, NULL);
    int zero[WORKERS + 1] = {0};
    wait_more(zero);
    if (!enough(zero)) {
        fail("before the checkpoint the timers did not all fire %d times", MORE_EXPIRIES);
    }
    test_timers_remember();

    test_waitsig();

    const char *changed = test_timers_changed();
    if (changed != NULL) {
        fail("%s", changed);
    }
    for (int i = 0; i < WORKERS; i++) {
        const char *why = check_settings(s_workers[i].timer, s_workers[i].period_ms, 0);
        if (why != NULL) {
            fail("SIGEV_THREAD_ID timer of thread %d: %s", (int)s_workers[i].tid, why);
        }
    }
    const char *why = check_settings(s_thread_timer, THREAD_PERIOD_MS, 0);
    if (why == NULL) {
        why = check_settings(s_one_shot, 0, ONE_SHOT_SEC);
    }
    if (why != NULL) {
        fail("SIGEV_THREAD timer: %s", why);
    }
    int before[WORKERS + 1], after[WORKERS + 1];
    counts(before);
    wait_more(before);
    counts(after);
    atomic_store(&s_stop_workers, 1);
    for (int i = 0; i < WORKERS; i++) {
        const char *lost = test_join(s_workers[i].thread, "worker");
        if (lost != NULL) {
            fail("%s", lost);
        }
    }
    for (int i = 0; i < WORKERS; i++) {
        if (after[i] < before[i] + MORE_EXPIRIES || s_workers[i].stray) {
            fail("SIGEV_THREAD_ID timer of thread %d (%ld ms) fired %d times in %d s after "
                 "SIGTERM%s", (int)s_workers[i].tid, s_workers[i].period_ms, after[i] - before[i],
                 WAIT_MORE_SEC, s_workers[i].stray ? ", some in another thread or with the "
                                                     "wrong siginfo" : "");
        }
    }
    if (after[WORKERS] < before[WORKERS] + MORE_EXPIRIES || atomic_load(&s_thread_bad) ||
        atomic_load(&s_one_shot_fired) != 0) {
        fail("SIGEV_THREAD timer (%d ms) ran its function %d times in %d s after SIGTERM%s; "
             "the one-shot one %d times", THREAD_PERIOD_MS, after[WORKERS] - before[WORKERS],
             WAIT_MORE_SEC, atomic_load(&s_thread_bad) ? ", with a wrong value" : "",
             atomic_load(&s_one_shot_fired));
    }
    pass();
}
