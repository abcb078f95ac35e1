/*
 * thread_sigmask — every thread keeps its own blocked mask and its own pending signals.
 *
 * The blocked mask is per thread, not per process, and so is the private pending queue. Four
 * threads and main each block a different set; a signal sent to one thread with tgkill while
 * that thread blocks it waits in that thread's queue alone. After SIGTERM:
 *   - main compares every thread's SigBlk in /proc/self/task/TID/status with what it was;
 *   - a process-wide SIGUSR1 must go to the one thread that leaves it unblocked (thread 1);
 *   - tgkill of SIGWINCH to thread 2 and SIGHUP to thread 3, which leave them unblocked, must
 *     run the handler in those threads;
 *   - each thread, released from its gate, compares pthread_sigmask() with what it set;
 *     thread 0 finds its SIGUSR2 still pending (sigpending) and, unblocking it, handles it.
 * A restore that gives all threads main's mask, or moves a pending signal to the process's
 * queue, fails one of those.
 */
#include "../lib/zdtm.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define THREADS 4

struct thread {
    int block[4]; /* signals it blocks besides SIGTERM; 0 ends; -1: all but ALL_BUT */
    pid_t tid;
    sigset_t mask;
    char status_mask[32]; /* SigBlk as /proc showed it */
    char why[256];
};

#define ALL_BUT SIGWINCH

static struct thread s_threads[THREADS] = {
    {{SIGUSR1, SIGUSR2, 0}},
    {{SIGUSR2, SIGHUP, SIGWINCH, 0}},
    {{-1}},
    {{SIGUSR1, SIGUSR2, SIGWINCH, 0}},
};
static struct test_gate s_gate = TEST_GATE_INIT;

/* Who handled what: the tid of the last thread and how often. */
static atomic_int s_handled_by[NSIG];
static atomic_int s_handled[NSIG];

static void on_signal(int sig)
{
    atomic_store(&s_handled_by[sig], gettid());
    atomic_fetch_add(&s_handled[sig], 1);
}

/* Reads SigBlk of a thread; 0 on success. */
static int status_mask(pid_t tid, char *out, size_t len)
{
    char path[64], line[256];
    snprintf(path, sizeof(path), "/proc/self/task/%d/status", (int)tid);
    FILE *f = fopen(path, "re");
    if (f == NULL) {
        return -1;
    }
    int found = -1;
    while (fgets(line, sizeof(line), f) != NULL) {
        if (strncmp(line, "SigBlk:", 7) == 0) {
            snprintf(out, len, "%s", line + 8);
            out[strcspn(out, "\n")] = '\0';
            found = 0;
        }
    }
    fclose(f);
    return found;
}

static void *thread_main(void *arg)
{
    struct thread *t = arg;
    sigset_t set;
    sigemptyset(&set);
    if (t->block[0] == -1) {
        sigfillset(&set);
        sigdelset(&set, ALL_BUT);
    }
    for (int i = 0; i < 4 && t->block[i] > 0; i++) {
        sigaddset(&set, t->block[i]);
    }
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    pthread_sigmask(SIG_BLOCK, NULL, &t->mask);
    t->tid = gettid();

    test_gate_arrive(&s_gate);

    sigset_t now;
    pthread_sigmask(SIG_BLOCK, NULL, &now);
    for (int sig = 1; sig < NSIG; sig++) {
        if (sigismember(&now, sig) != sigismember(&t->mask, sig)) {
            snprintf(t->why, sizeof(t->why), "signal %d (%s) is %s", sig, strsignal(sig),
                     sigismember(&now, sig) ? "blocked" : "not blocked");
            return NULL;
        }
    }
    if (t == &s_threads[0]) {
        sigset_t pending, usr2;
        sigpending(&pending);
        if (!sigismember(&pending, SIGUSR2) || atomic_load(&s_handled[SIGUSR2]) != 0) {
            snprintf(t->why, sizeof(t->why), "the SIGUSR2 sent to it is %s, handled %d times",
                     sigismember(&pending, SIGUSR2) ? "pending" : "not pending",
                     atomic_load(&s_handled[SIGUSR2]));
            return NULL;
        }
        sigemptyset(&usr2);
        sigaddset(&usr2, SIGUSR2);
        pthread_sigmask(SIG_UNBLOCK, &usr2, NULL);
        if (atomic_load(&s_handled[SIGUSR2]) != 1 || atomic_load(&s_handled_by[SIGUSR2]) != t->tid) {
            snprintf(t->why, sizeof(t->why), "unblocking SIGUSR2 ran its handler %d times, in %d",
                     atomic_load(&s_handled[SIGUSR2]), atomic_load(&s_handled_by[SIGUSR2]));
        }
    }
    return NULL;
}

static int handled(void *arg)
{
    return atomic_load(&s_handled[*(int *)arg]) > 0;
}

/* Waits for sig to be handled and checks it was once, in thread expected. */
static void expect_handled(int sig, const struct thread *expected, const char *how)
{
    test_wait_until(handled, &sig, 5);
    if (atomic_load(&s_handled[sig]) != 1 || atomic_load(&s_handled_by[sig]) != expected->tid) {
        fail("%s %s (%d) was handled %d times, last in %d; expected once, in %d", how,
             strsignal(sig), sig, atomic_load(&s_handled[sig]), atomic_load(&s_handled_by[sig]),
             (int)expected->tid);
    }
}

int main(int argc, char **argv)
{
    test_init(argc, argv);
    test_daemon();

    int sigs[] = {SIGUSR1, SIGUSR2, SIGHUP, SIGWINCH};
    sigset_t mine;
    sigemptyset(&mine);
    for (int i = 0; i < 4; i++) {
        test_sigaction(sigs[i], on_signal, SA_RESTART);
        sigaddset(&mine, sigs[i]);
    }
    /* The threads start with nothing blocked but SIGTERM and block their own sets. */
    pthread_t threads[THREADS];
    for (int i = 0; i < THREADS; i++) {
        int rc = test_thread_create(&threads[i], NULL, thread_main, &s_threads[i]);
        if (rc != 0) {
            fail("pthread_create: %s", strerror(rc));
        }
    }
    pthread_sigmask(SIG_BLOCK, &mine, NULL);
    test_gate_wait_arrivals(&s_gate, THREADS);
    if (syscall(SYS_tgkill, getpid(), s_threads[0].tid, SIGUSR2) < 0) {
        fail("tgkill: %m");
    }
    char main_mask[32];
    if (status_mask(gettid(), main_mask, sizeof(main_mask)) < 0) {
        fail("reading main's SigBlk: %m");
    }
    for (int i = 0; i < THREADS; i++) {
        if (status_mask(s_threads[i].tid, s_threads[i].status_mask,
                        sizeof(s_threads[i].status_mask)) < 0) {
            fail("reading SigBlk of %d: %m", (int)s_threads[i].tid);
        }
    }

    test_waitsig();

    char now[32];
    if (status_mask(gettid(), now, sizeof(now)) < 0 || strcmp(now, main_mask) != 0) {
        fail("main's SigBlk is %s, was %s", now, main_mask);
    }
    for (int i = 0; i < THREADS; i++) {
        if (status_mask(s_threads[i].tid, now, sizeof(now)) < 0 ||
            strcmp(now, s_threads[i].status_mask) != 0) {
            fail("thread %d (%d): SigBlk is %s, was %s", i, (int)s_threads[i].tid, now,
                 s_threads[i].status_mask);
        }
    }
    kill(getpid(), SIGUSR1);
    expect_handled(SIGUSR1, &s_threads[1], "process-wide");
    syscall(SYS_tgkill, getpid(), s_threads[2].tid, SIGWINCH);
    expect_handled(SIGWINCH, &s_threads[2], "tgkill'd");
    syscall(SYS_tgkill, getpid(), s_threads[3].tid, SIGHUP);
    expect_handled(SIGHUP, &s_threads[3], "tgkill'd");
    test_gate_open(&s_gate);
    for (int i = 0; i < THREADS; i++) {
        const char *lost = test_join(threads[i], "worker");
        if (lost != NULL) {
            fail("thread %d (%d): %s", i, (int)s_threads[i].tid, lost);
        }
        if (s_threads[i].why[0] != '\0') {
            fail("thread %d (%d): %s", i, (int)s_threads[i].tid, s_threads[i].why);
        }
    }
    pass();
}
