/*
 * threads_counting — two threads running, not sleeping, when they are frozen.
 *
 * Two worker threads count, each in three places that must agree at every step: a __thread
 * variable, a local the compiler keeps in a register or on the stack, and the thread's slot in
 * a global array; and each slot is kept on its own cache line so the threads do not slow each
 * other. Main wakes every 10 ms and checks that neither count went backwards. A checkpoint finds
 * the workers in the middle of their loops, so a restore that loses a thread's registers, mixes
 * up two threads' TLS, or resumes one at the wrong place breaks the agreement. After SIGTERM
 * main checks that both threads still make progress, stops them and checks their final counts.
 */
#include "../lib/zdtm.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define WORKERS 2
#define STEPS_PER_NAP 4096u
#define PROGRESS_STEPS 10000u

struct slot {
    _Atomic uint64_t count;
    pid_t tid;
    char why[200];
} __attribute__((aligned(256)));

static struct slot s_slots[WORKERS];
static atomic_int s_stop_workers;
static __thread uint64_t t_count;

static void *worker(void *arg)
{
    struct slot *slot = arg;
    slot->tid = gettid();
    uint64_t local = 0;
    while (!atomic_load_explicit(&s_stop_workers, memory_order_relaxed)) {
        uint64_t shared = atomic_load_explicit(&slot->count, memory_order_relaxed);
        if (shared != local || t_count != local || gettid() != slot->tid) {
            snprintf(slot->why, sizeof(slot->why),
                     "after %llu steps: slot %llu, TLS %llu, tid %d (was %d)",
                     (unsigned long long)local, (unsigned long long)shared,
                     (unsigned long long)t_count, (int)gettid(), (int)slot->tid);
            return NULL;
        }
        local++;
        t_count = local;
        atomic_store_explicit(&slot->count, local, memory_order_relaxed);
        if (local % STEPS_PER_NAP == 0) {
            struct timespec nap = {0, 100000};
            nanosleep(&nap, NULL);
        }
    }
    return NULL;
}

static void read_counts(uint64_t *counts)
{
    for (int i = 0; i < WORKERS; i++) {
        counts[i] = atomic_load(&s_slots[i].count);
    }
}

/* Whether both counts passed PROGRESS_STEPS beyond those in arg. */
static int progressed(void *arg)
{
    const uint64_t *from = arg;
    uint64_t now[WORKERS];
    read_counts(now);
    for (int i = 0; i < WORKERS; i++) {
        if (now[i] < from[i] + PROGRESS_STEPS && s_slots[i].why[0] == '\0') {
            return 0;
        }
    }
    return 1;
}

int main(int argc, char **argv)
{
    test_init(argc, argv);
    test_daemon();

    pthread_t threads[WORKERS];
    for (int i = 0; i < WORKERS; i++) {
        int rc = test_thread_create(&threads[i], NULL, worker, &s_slots[i]);
        if (rc != 0) {
            fail("pthread_create: %s", strerror(rc));
        }
    }
    uint64_t zero[WORKERS] = {0};
    test_wait_until(progressed, zero, 5);
    test_ready();

    uint64_t last[WORKERS] = {0}, now[WORKERS];
    while (!test_stop_requested()) {
        read_counts(now);
        for (int i = 0; i < WORKERS; i++) {
            if (now[i] < last[i]) {
                fail("worker %d's count went back from %llu to %llu", i,
                     (unsigned long long)last[i], (unsigned long long)now[i]);
            }
            last[i] = now[i];
        }
        struct timespec tick = {0, 10 * 1000 * 1000};
        nanosleep(&tick, NULL);
    }
    read_counts(now);
    int moving = test_wait_until(progressed, now, 5);
    atomic_store(&s_stop_workers, 1);
    for (int i = 0; i < WORKERS; i++) {
        const char *lost = test_join(threads[i], "worker");
        if (lost != NULL) {
            fail("worker %d (%d): %s", i, (int)s_slots[i].tid, lost);
        }
    }
    for (int i = 0; i < WORKERS; i++) {
        if (s_slots[i].why[0] != '\0') {
            fail("worker %d (%d): %s", i, (int)s_slots[i].tid, s_slots[i].why);
        }
    }
    if (!moving) {
        fail("after SIGTERM the workers did not count %u more steps within 5 s", PROGRESS_STEPS);
    }
    read_counts(now);
    test_msg("counted to %llu and %llu", (unsigned long long)now[0], (unsigned long long)now[1]);
    pass();
}
