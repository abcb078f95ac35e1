/*
 * mem_cow_fork — private memory shared copy-on-write by a parent and its child stays private.
 *
 * The root fills a private anonymous mapping and forks. After the fork the child rewrites the
 * first quarter of it and the root the second; the rest neither touches, so those pages are
 * still one physical page for both (a dump may notice and save them once, but a restore must
 * not turn them into shared memory). The heap and a global are treated the same way. After
 * SIGTERM each checks its own view: the quarter it wrote holds its pattern, the quarter the
 * other wrote and the untouched half still hold the original. Then the child writes into the
 * untouched half and exits, and the root checks that it did not see that write: the mapping is
 * as private after the restore as before.
 */
#include "../lib/zdtm.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#define PAGES 64u
#define HEAP_SIZE (64u * 1024)
#define ORIGINAL 0x0519
#define ROOT_SEED 0x2007
#define CHILD_SEED 0xc41d

static size_t s_page;
static uint8_t *s_map;
static uint8_t *s_heap;
static uint64_t s_global = ORIGINAL;

/* The seed each quarter of the mapping should hold for `me` (ROOT_SEED or CHILD_SEED). */
static uint64_t quarter_seed(unsigned quarter, uint64_t me)
{
    if (quarter == 0) {
        return me == CHILD_SEED ? CHILD_SEED : ORIGINAL;
    }
    if (quarter == 1) {
        return me == ROOT_SEED ? ROOT_SEED : ORIGINAL;
    }
    return ORIGINAL;
}

/* NULL or what differs. */
static const char *check(uint64_t me)
{
    static char why[256];
    size_t quarter = PAGES / 4 * s_page;
    for (unsigned q = 0; q < 4; q++) {
        size_t at = test_pattern_check(s_map + q * quarter, quarter, quarter_seed(q, me));
        if (at != (size_t)-1) {
            snprintf(why, sizeof(why), "mapping quarter %u, page %zu: the word at %zu is not of "
                     "seed %#llx", q, (q * quarter + at) / s_page, at % s_page,
                     (unsigned long long)quarter_seed(q, me));
            return why;
        }
    }
    size_t at = test_pattern_check(s_heap, HEAP_SIZE, me);
    if (at != (size_t)-1 || s_global != me) {
        snprintf(why, sizeof(why), "heap word at %zu differs or the global is %#llx; both should "
                 "be of seed %#llx", at, (unsigned long long)s_global, (unsigned long long)me);
        return why;
    }
    return NULL;
}

static void child_body(void *arg)
{
    (void)arg;
    test_pattern_fill(s_map, PAGES / 4 * s_page, CHILD_SEED);
    test_pattern_fill(s_heap, HEAP_SIZE, CHILD_SEED);
    s_global = CHILD_SEED;
    test_child_ready();
    test_waitsig();
    const char *why = check(CHILD_SEED);
    if (why != NULL) {
        child_fail("%s", why);
    }
    /* The root must not see this. */
    test_pattern_fill(s_map + PAGES / 2 * s_page, PAGES / 2 * s_page, CHILD_SEED);
    _exit(0);
}

int main(int argc, char **argv)
{
    test_init(argc, argv);
    s_page = (size_t)sysconf(_SC_PAGESIZE);
    s_map = mmap(NULL, PAGES * s_page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
                 0);
    s_heap = malloc(HEAP_SIZE);
    if (s_map == MAP_FAILED || s_heap == NULL) {
        fail("allocating: %m");
    }
    test_pattern_fill(s_map, PAGES * s_page, ORIGINAL);
    test_pattern_fill(s_heap, HEAP_SIZE, ORIGINAL);
    test_daemon();

    pid_t child = test_fork_child(child_body, NULL);
    test_pattern_fill(s_map + PAGES / 4 * s_page, PAGES / 4 * s_page, ROOT_SEED);
    test_pattern_fill(s_heap, HEAP_SIZE, ROOT_SEED);
    s_global = ROOT_SEED;

    test_waitsig();

    const char *names[] = {"child"};
    const char *how = test_end_children(&child, names, 1);
    if (how != NULL) {
        fail("%s", how);
    }
    test_verdict(check(ROOT_SEED));
}
