/*
 * threads_blocked — eight threads, each blocked in a different way, keep their state.
 *
 * A restore has to bring every thread back with its tid, registers, stack and TLS block (its
 * fs base), and put each back into the call it was in, or into a restart of it. The threads:
 *   0 a raw FUTEX_WAIT on a word of our own        4 clock_nanosleep to an absolute time
 *   1 pthread_cond_wait                            5 sigwaitinfo for SIGUSR1
 *   2 pthread_mutex_lock of a mutex main holds     6 a busy loop (counting, with short naps)
 *   3 a relative nanosleep of an hour              7 pthread_rwlock_wrlock of a lock main reads
 * Each keeps a pattern on its stack and in __thread variables, both derived from its index,
 * and records its tid, pthread_self() and the addresses of its TLS. Main declares the tree
 * ready once each is inside its call (/proc/TID/syscall) or, for the busy one, counting. After
 * SIGTERM main wakes each in its own way (futex wake, signal the condition, unlock, a signal
 * for the sleepers, SIGUSR1, the flag) and every thread checks that its wait ended only then,
 * and its identity, stack and TLS. A relative sleep may see one EINTR after a restore; the
 * sleepers just sleep again.
 */
#include "../lib/zdtm.h"

#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define THREADS 8
#define STACK_WORDS 2048
#define TLS_WORDS 256
#define HOUR 3600

enum { FUTEX, COND, MUTEX, NANOSLEEP, ABS_SLEEP, SIGWAIT, BUSY, RWLOCK };

static const char *const s_names[THREADS] = {
    "futex", "cond", "mutex", "nanosleep", "clock_nanosleep", "sigwaitinfo", "busy", "rwlock",
};

struct thread {
    pthread_t self;
    pid_t tid;
    const void *tls_address;
    char why[256]; /* empty: PASS */
};

static struct thread s_threads[THREADS];
static atomic_int s_started;
static atomic_int s_release; /* set after SIGTERM, before the wake-ups */
static uint32_t s_futex_word;
static pthread_mutex_t s_cond_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t s_cond = PTHREAD_COND_INITIALIZER;
static pthread_mutex_t s_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_rwlock_t s_rwlock = PTHREAD_RWLOCK_INITIALIZER;
static atomic_ulong s_busy_steps;

static __thread uint64_t t_words[TLS_WORDS];
static __thread int t_index = -1;

static uint64_t pattern(int index, int word, uint64_t salt)
{
    return ((uint64_t)index << 56) ^ ((uint64_t)word * 0x9e3779b97f4a7c15ull) ^ salt;
}

static void on_wake(int sig)
{
    (void)sig;
}

/* The blocking call of each thread; returns once released (or fails). */
static void block(struct thread *t, int index)
{
    switch (index) {
    case FUTEX:
        while (!atomic_load(&s_release)) {
            long rc = syscall(SYS_futex, &s_futex_word, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
            if (rc < 0 && errno != EINTR && errno != EAGAIN) {
                snprintf(t->why, sizeof(t->why), "FUTEX_WAIT: %s", strerror(errno));
                return;
            }
        }
        break;
    case COND:
        pthread_mutex_lock(&s_cond_lock);
        while (!atomic_load(&s_release)) {
            pthread_cond_wait(&s_cond, &s_cond_lock);
        }
        pthread_mutex_unlock(&s_cond_lock);
        break;
    case MUTEX:
        pthread_mutex_lock(&s_mutex);
        pthread_mutex_unlock(&s_mutex);
        break;
    case RWLOCK:
        pthread_rwlock_wrlock(&s_rwlock);
        pthread_rwlock_unlock(&s_rwlock);
        break;
    case NANOSLEEP:
    case ABS_SLEEP: {
        struct timespec when = {HOUR, 0};
        if (index == ABS_SLEEP) {
            clock_gettime(CLOCK_MONOTONIC, &when);
            when.tv_sec += HOUR;
        }
        while (!atomic_load(&s_release)) {
            int rc = index == ABS_SLEEP
                         ? clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &when, NULL)
                         : (nanosleep(&when, &when) < 0 ? errno : 0);
            if (rc != EINTR) {
                snprintf(t->why, sizeof(t->why), "the hour's sleep ended with %s",
                         rc == 0 ? "success" : strerror(rc));
                return;
            }
        }
        break;
    }
    case SIGWAIT: {
        sigset_t usr1;
        sigemptyset(&usr1);
        sigaddset(&usr1, SIGUSR1);
        siginfo_t info;
        int sig;
        while ((sig = sigwaitinfo(&usr1, &info)) < 0 && errno == EINTR) {
        }
        if (sig != SIGUSR1 || !atomic_load(&s_release)) {
            snprintf(t->why, sizeof(t->why), "sigwaitinfo returned %d (%s)%s", sig,
                     sig < 0 ? strerror(errno) : "", atomic_load(&s_release) ? "" : " early");
            return;
        }
        break;
    }
    case BUSY:
        while (!atomic_load(&s_release)) {
            unsigned long steps = atomic_fetch_add(&s_busy_steps, 1) + 1;
            if (steps % 4096 == 0) {
                struct timespec nap = {0, 100000};
                nanosleep(&nap, NULL);
            }
        }
        break;
    }
    if (index != SIGWAIT && index != BUSY && !atomic_load(&s_release)) {
        snprintf(t->why, sizeof(t->why), "the wait ended before the release");
    }
}

static void *thread_main(void *arg)
{
    int index = (int)(intptr_t)arg;
    struct thread *t = &s_threads[index];
    uint64_t stack[STACK_WORDS];
    uint64_t salt = (uint64_t)(uintptr_t)stack;
    for (int i = 0; i < STACK_WORDS; i++) {
        stack[i] = pattern(index, i, salt);
    }
    t_index = index;
    for (int i = 0; i < TLS_WORDS; i++) {
        t_words[i] = pattern(index, i, 0x7115);
    }
    t->self = pthread_self();
    t->tid = gettid();
    t->tls_address = t_words;
    atomic_fetch_add(&s_started, 1);

    block(t, index);
    if (t->why[0] != '\0') {
        return NULL;
    }
    if (gettid() != t->tid || !pthread_equal(pthread_self(), t->self) || t_index != index ||
        (const void *)t_words != t->tls_address) {
        snprintf(t->why, sizeof(t->why), "tid %d, TLS at %p, index %d; was %d, %p, %d",
                 (int)gettid(), (void *)t_words, t_index, (int)t->tid, t->tls_address, index);
        return NULL;
    }
    for (int i = 0; i < STACK_WORDS; i++) {
        if (stack[i] != pattern(index, i, salt)) {
            snprintf(t->why, sizeof(t->why), "stack word %d is %#llx, expected %#llx", i,
                     (unsigned long long)stack[i], (unsigned long long)pattern(index, i, salt));
            return NULL;
        }
    }
    for (int i = 0; i < TLS_WORDS; i++) {
        if (t_words[i] != pattern(index, i, 0x7115)) {
            snprintf(t->why, sizeof(t->why), "TLS word %d is %#llx, expected %#llx", i,
                     (unsigned long long)t_words[i],
                     (unsigned long long)pattern(index, i, 0x7115));
            return NULL;
        }
    }
    return NULL;
}

int main(int argc, char **argv)
{
    test_init(argc, argv);
    test_daemon();

    test_sigaction(SIGUSR2, on_wake, 0);
    sigset_t usr1;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &usr1, NULL);
    pthread_mutex_lock(&s_mutex);
    pthread_rwlock_rdlock(&s_rwlock);

    pthread_t threads[THREADS];
    for (int i = 0; i < THREADS; i++) {
        int rc = test_thread_create(&threads[i], NULL, thread_main, (void *)(intptr_t)i);
        if (rc != 0) {
            fail("pthread_create: %s", strerror(rc));
        }
    }
    while (atomic_load(&s_started) != THREADS) {
        usleep(1000);
    }
    const long calls[THREADS] = {SYS_futex, SYS_futex, SYS_futex, SYS_clock_nanosleep,
                                 SYS_clock_nanosleep, SYS_rt_sigtimedwait, -1, SYS_futex};
    for (int i = 0; i < THREADS; i++) {
        if (calls[i] >= 0 && test_wait_syscall(s_threads[i].tid, calls[i]) < 0) {
            fail("the %s thread (%d) did not block in system call %ld within 5 s", s_names[i],
                 (int)s_threads[i].tid, calls[i]);
        }
    }
    while (atomic_load(&s_busy_steps) == 0) {
        usleep(1000);
    }

    test_waitsig();

    atomic_store(&s_release, 1);
    s_futex_word = 1;
    syscall(SYS_futex, &s_futex_word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
    pthread_mutex_lock(&s_cond_lock);
    pthread_cond_signal(&s_cond);
    pthread_mutex_unlock(&s_cond_lock);
    pthread_mutex_unlock(&s_mutex);
    pthread_rwlock_unlock(&s_rwlock);
    for (int i = 0; i < THREADS; i++) {
        /* A sleeper that looked at the flag just before it was set goes back to sleep: the
         * signal is repeated until the thread is gone. */
        int wake = i == NANOSLEEP || i == ABS_SLEEP ? SIGUSR2 : i == SIGWAIT ? SIGUSR1 : 0;
        for (int tries = 0;; tries++) {
            if (wake != 0) {
                pthread_kill(threads[i], wake);
            }
            struct timespec deadline;
            clock_gettime(CLOCK_REALTIME, &deadline);
            deadline.tv_nsec += 100 * 1000 * 1000;
            if (deadline.tv_nsec >= 1000000000) {
                deadline.tv_sec++;
                deadline.tv_nsec -= 1000000000;
            }
            if (pthread_timedjoin_np(threads[i], NULL, &deadline) == 0) {
                break;
            }
            if (tries == 50) {
                fail("the %s thread (%d) did not end within 5 s of its release", s_names[i],
                     (int)s_threads[i].tid);
            }
        }
    }
    for (int i = 0; i < THREADS; i++) {
        if (s_threads[i].why[0] != '\0') {
            fail("the %s thread (%d): %s", s_names[i], (int)s_threads[i].tid, s_threads[i].why);
        }
    }
    test_msg("busy thread: %lu steps", atomic_load(&s_busy_steps));
    pass();
}
