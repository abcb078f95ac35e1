/*
 * shm_anon_shared — anonymous shared memory stays shared between the processes that have it.
 *
 * The root maps MAP_SHARED|MAP_ANONYMOUS memory and forks two children; each of the three fills
 * its own third of it. Such memory is one object behind all three mappings (a shmem file of
 * the kernel's), so a restore must map the same object into each process, not a copy each.
 * After SIGTERM every process checks all three thirds (each sees what the others wrote before
 * the checkpoint), and then a token goes round the ring root -> child 1 -> child 2 -> root
 * twenty times through words of the mapping, each hop waiting at most a few seconds: a
 * process holding a private copy never sees the token and the ring stops.
 */
#include "../lib/zdtm.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#define MEMBERS 3
#define PAGES_EACH 16u
#define ROUNDS 20
#define HOP_SEC 3

struct ring {
    _Atomic uint64_t token[MEMBERS]; /* member i waits for its word to change */
};

static size_t s_page;
static uint8_t *s_map;
static struct ring *s_ring; /* the first page; the thirds follow */

static uint8_t *third(int member)
{
    return s_map + s_page + (size_t)member * PAGES_EACH * s_page;
}

static int token_is(void *arg)
{
    const uint64_t *want = arg;
    return atomic_load(&s_ring->token[want[0]]) == want[1];
}

/* Checks the thirds and takes part in the ring as member; NULL or what is wrong. */
static const char *check(int member)
{
    static char why[256];
    for (int m = 0; m < MEMBERS; m++) {
        size_t at = test_pattern_check(third(m), PAGES_EACH * s_page, (uint64_t)m + 1);
        if (at != (size_t)-1) {
            snprintf(why, sizeof(why), "member %d's third, byte %zu, is not what member %d wrote",
                     member, at, m);
            return why;
        }
    }
    for (uint64_t round = 1; round <= ROUNDS; round++) {
        if (member == 0) {
            atomic_store(&s_ring->token[1], round);
        }
        uint64_t want[2] = {(uint64_t)member, round};
        if (!test_wait_until(token_is, want, HOP_SEC)) {
            snprintf(why, sizeof(why), "member %d: token %llu did not arrive within %d s "
                     "(its word is %llu)", member, (unsigned long long)round, HOP_SEC,
                     (unsigned long long)atomic_load(&s_ring->token[member]));
            return why;
        }
        if (member != 0) {
            atomic_store(&s_ring->token[(member + 1) % MEMBERS], round);
        }
    }
    return NULL;
}

static void member_body(void *arg)
{
    int member = (int)(intptr_t)arg;
    test_pattern_fill(third(member), PAGES_EACH * s_page, (uint64_t)member + 1);
    test_child_ready();
    test_waitsig();
    test_child_exit(check(member));
}

int main(int argc, char **argv)
{
    test_init(argc, argv);
    s_page = (size_t)sysconf(_SC_PAGESIZE);
    s_map = mmap(NULL, (1 + MEMBERS * PAGES_EACH) * s_page, PROT_READ | PROT_WRITE,
                 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (s_map == MAP_FAILED) {
        fail("mmap: %m");
    }
    s_ring = (struct ring *)s_map;
    test_daemon();

    pid_t children[MEMBERS - 1];
    for (int m = 1; m < MEMBERS; m++) {
        children[m - 1] = test_fork_child(member_body, (void *)(intptr_t)m);
    }
    test_pattern_fill(third(0), PAGES_EACH * s_page, 1);

    test_waitsig();

    for (int m = 1; m < MEMBERS; m++) {
        test_signal_child(children[m - 1]);
    }
    const char *why = check(0);
    const char *names[] = {"member 1", "member 2"};
    const char *how = test_end_children(children, names, MEMBERS - 1);
    if (how != NULL) {
        fail("%s", how);
    }
    if (why != NULL) {
        fail("%s", why);
    }
    pass();
}
