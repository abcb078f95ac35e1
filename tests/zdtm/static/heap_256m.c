/*
 * heap_256m — a large heap allocation comes back whole.
 *
 * 256 MiB from malloc (glibc serves it with a mapping of its own), every word written with a
 * pattern of its address, so each of the 65536 pages is dirty and distinct: a dump has to copy
 * them all, and a restore has to put each back at its address. A few thousand small blocks from
 * the brk heap, each with its own pattern, keep the ordinary heap in the test too, with some of
 * them freed again so that malloc's free lists hold pointers that must stay valid. After SIGTERM
 * every page is checked, the small blocks too, and malloc must still work: a block freed before
 * the checkpoint can be allocated again and the big one can be freed.
 */
#include "../lib/zdtm.h"

#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define BIG_SIZE (256u << 20)
#define SMALL_BLOCKS 4096
#define SMALL_SIZE 96u
#define BIG_SEED 0xb16
#define SMALL_SEED 0x5a11

int main(int argc, char **argv)
{
    test_init(argc, argv);

    uint8_t *big = malloc(BIG_SIZE);
    if (big == NULL) {
        fail("malloc(%u): %m", BIG_SIZE);
    }
    test_pattern_fill(big, BIG_SIZE, BIG_SEED);
    static void *small[SMALL_BLOCKS];
    for (int i = 0; i < SMALL_BLOCKS; i++) {
        small[i] = malloc(SMALL_SIZE);
        if (small[i] == NULL) {
            fail("malloc(%u): %m", SMALL_SIZE);
        }
        test_pattern_fill(small[i], SMALL_SIZE, SMALL_SEED + (uint64_t)i);
    }
    /* Every third block goes back to malloc's free lists. */
    for (int i = 0; i < SMALL_BLOCKS; i += 3) {
        free(small[i]);
        small[i] = NULL;
    }
    size_t usable = malloc_usable_size(big);
    test_msg("big block at %p, %zu usable bytes", (void *)big, usable);

    test_daemon();
    test_waitsig();

    size_t at = test_pattern_check(big, BIG_SIZE, BIG_SEED);
    if (at != (size_t)-1) {
        fail("big block: the word at offset %zu (page %zu) is %#llx, expected %#llx", at,
             at / 4096, (unsigned long long)*(uint64_t *)(big + at),
             (unsigned long long)test_pattern_word(big + at, BIG_SEED));
    }
    for (int i = 0; i < SMALL_BLOCKS; i++) {
        if (small[i] != NULL &&
            (at = test_pattern_check(small[i], SMALL_SIZE, SMALL_SEED + (uint64_t)i)) !=
                (size_t)-1) {
            fail("small block %d at %p: byte %zu differs", i, small[i], at);
        }
    }
    if (malloc_usable_size(big) != usable) {
        fail("malloc_usable_size of the big block is %zu, was %zu", malloc_usable_size(big),
             usable);
    }
    for (int i = 0; i < SMALL_BLOCKS; i += 3) {
        small[i] = malloc(SMALL_SIZE);
        if (small[i] == NULL) {
            fail("malloc after the restore: %m");
        }
        memset(small[i], 0xee, SMALL_SIZE);
    }
    free(big);
    for (int i = 0; i < SMALL_BLOCKS; i++) {
        free(small[i]);
    }
    pass();
}
