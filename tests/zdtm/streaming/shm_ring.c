/*
 * shm_ring — a producer and a consumer stream records through shared memory, across the
 * checkpoint.
 *
 * A child produces records into a ring buffer in MAP_SHARED|MAP_ANONYMOUS memory and the root
 * consumes them; both run all along, so the checkpoint finds records in the ring, the indices
 * somewhere in the middle, and either side perhaps half-way through a record. Each record holds
 * a sequence number and a payload derived from it; the consumer checks every record's payload
 * and that the sequence numbers follow one another with no gap and no repeat. The ring must be
 * one object for both after the restore (a copy on either side stops the stream), its contents
 * and indices must be those of the moment of the checkpoint, and the indices are published with
 * release/acquire ordering so a torn record would be caught. After SIGTERM the root asks the
 * producer to finish, which publishes how many records it wrote; the consumer drains the ring,
 * checks the total, and checks that records still flowed after SIGTERM.
 */
#include "../lib/zdtm.h"

#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/mman.h>
#include <time.h>

#define SLOTS 256u
#define PAYLOAD_WORDS 7
#define DRAIN_SEC 3
#define FINISH_SEC 2

struct record {
    uint64_t seq;
    uint64_t payload[PAYLOAD_WORDS];
};

struct ring {
    _Atomic uint64_t head;  /* next record the producer writes */
    char pad1[56];
    _Atomic uint64_t tail;  /* next record the consumer reads */
    char pad2[56];
    _Atomic int stop;       /* set by the root: finish */
    _Atomic uint64_t total; /* the producer's count, published with done */
    _Atomic int done;
    struct record slots[SLOTS];
};

static struct ring *s_ring;

static uint64_t payload(uint64_t seq, int word)
{
    return test_pattern_word((const void *)(uintptr_t)seq, (uint64_t)word + 1);
}

static void nap(void)
{
    struct timespec t = {0, 100000};
    nanosleep(&t, NULL);
}

static void producer(void *arg)
{
    (void)arg;
    uint64_t head = atomic_load(&s_ring->head);
    test_child_ready();
    while (!atomic_load(&s_ring->stop)) {
        if (head - atomic_load_explicit(&s_ring->tail, memory_order_acquire) == SLOTS) {
            nap(); /* full */
            continue;
        }
        struct record *r = &s_ring->slots[head % SLOTS];
        r->seq = head + 1;
        for (int w = 0; w < PAYLOAD_WORDS; w++) {
            r->payload[w] = payload(r->seq, w);
        }
        head++;
        atomic_store_explicit(&s_ring->head, head, memory_order_release);
        if (head % 64 == 0) {
            nap();
        }
    }
    atomic_store(&s_ring->total, head);
    atomic_store_explicit(&s_ring->done, 1, memory_order_release);
    /* SIGTERM may come before or after the stop flag; wait for it too. */
    test_waitsig();
    _exit(0);
}

/* Takes the records that are there; returns how many, or fails. */
static uint64_t consume(uint64_t *expected)
{
    uint64_t tail = atomic_load(&s_ring->tail);
    uint64_t head = atomic_load_explicit(&s_ring->head, memory_order_acquire);
    for (; tail != head; tail++) {
        const struct record *r = &s_ring->slots[tail % SLOTS];
        if (r->seq != *expected) {
            fail("record %llu has sequence number %llu (%s)", (unsigned long long)*expected,
                 (unsigned long long)r->seq, r->seq < *expected ? "a repeat" : "records lost");
        }
        for (int w = 0; w < PAYLOAD_WORDS; w++) {
            if (r->payload[w] != payload(r->seq, w)) {
                fail("record %llu: payload word %d is %#llx, expected %#llx",
                     (unsigned long long)r->seq, w, (unsigned long long)r->payload[w],
                     (unsigned long long)payload(r->seq, w));
            }
        }
        (*expected)++;
    }
    atomic_store_explicit(&s_ring->tail, tail, memory_order_release);
    return tail;
}

int main(int argc, char **argv)
{
    test_init(argc, argv);
    s_ring = mmap(NULL, sizeof(struct ring), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                  -1, 0);
    if (s_ring == MAP_FAILED) {
        fail("mmap: %m");
    }
    test_daemon();
    pid_t child = test_fork_child(producer, NULL);
    test_ready();

    uint64_t expected = 1;
    while (!test_stop_requested()) {
        if (consume(&expected) == atomic_load(&s_ring->head)) {
            nap();
        }
    }
    uint64_t at_sigterm = expected;
    /* Let records flow a little after SIGTERM, to show the stream still moves. */
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    do {
        consume(&expected);
        nap();
        clock_gettime(CLOCK_MONOTONIC, &now);
    } while (expected < at_sigterm + 4 * SLOTS && now.tv_sec - start.tv_sec < DRAIN_SEC);
    int moving = expected >= at_sigterm + 4 * SLOTS;
    atomic_store(&s_ring->stop, 1);
    clock_gettime(CLOCK_MONOTONIC, &start);
    while (!atomic_load_explicit(&s_ring->done, memory_order_acquire)) {
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec - start.tv_sec >= FINISH_SEC) {
            /* It never saw the request: the ring is no longer one memory for both. */
            kill(child, SIGKILL);
            fail("the producer did not see the stop request within %d s (%llu records came "
                 "after SIGTERM)", FINISH_SEC, (unsigned long long)(expected - at_sigterm));
        }
        consume(&expected);
        nap();
    }
    consume(&expected);
    uint64_t total = atomic_load(&s_ring->total);
    const char *names[] = {"producer"};
    const char *how = test_end_children(&child, names, 1);
    if (how != NULL) {
        fail("%s", how);
    }
    if (expected - 1 != total) {
        fail("consumed %llu records, the producer wrote %llu", (unsigned long long)(expected - 1),
             (unsigned long long)total);
    }
    if (!moving) {
        fail("after SIGTERM only %llu records came in %d s", (unsigned long long)(expected -
             at_sigterm), DRAIN_SEC);
    }
    test_msg("%llu records, %llu of them after SIGTERM", (unsigned long long)total,
             (unsigned long long)(expected - at_sigterm));
    pass();
}
