/*
 * counter — a task that is running, not sleeping, when it is frozen.
 *
 * The loop increments a counter held in three places (a global in the data segment, a word in
 * a private mapping and a local that the compiler keeps in a register or on the stack) and
 * checks on every step that they agree and that the value only grew by one. A restore that
 * loses registers, a page, or resumes at the wrong instruction breaks one of those.
 */
#include "../lib/zdtm.h"

#include <stdint.h>
#include <sys/mman.h>
#include <time.h>

/* Every so many steps the loop sleeps a little, so that the test does not take a whole core
 * from the harness and the other tests. */
#define STEPS_PER_NAP 4096u

static volatile uint64_t s_counter;

int main(int argc, char **argv)
{
    test_init(argc, argv);
    volatile uint64_t *mirror = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
                                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mirror == MAP_FAILED) {
        fail("mmap: %m");
    }
    *mirror = ~(uint64_t)0;
    test_daemon();
    test_ready();

    uint64_t local = 0;
    uint64_t naps = 0;
    while (!test_stop_requested()) {
        uint64_t global = s_counter;
        if (global != local || *mirror != ~local) {
            fail("counter copies disagree after %llu steps: global %llu, mirror %llu, local %llu",
                 (unsigned long long)local, (unsigned long long)global,
                 (unsigned long long)~*mirror, (unsigned long long)local);
        }
        local++;
        s_counter = local;
        *mirror = ~local;
        if (local % STEPS_PER_NAP == 0) {
            struct timespec nap = {0, 100000};
            nanosleep(&nap, NULL); /* EINTR is fine: the loop looks at the flag next */
            naps++;
        }
    }
    if (s_counter != local || *mirror != ~local) {
        fail("counter copies disagree at the end: global %llu, mirror %llu, local %llu",
             (unsigned long long)s_counter, (unsigned long long)~*mirror,
             (unsigned long long)local);
    }
    if (local == 0) {
        fail("the counter never moved");
    }
    test_msg("counted to %llu (%llu naps)", (unsigned long long)local, (unsigned long long)naps);
    pass();
}
