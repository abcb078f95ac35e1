/*
 * brk — the program break is where it was, and the heap can still grow and shrink.
 *
 * The break is not just a mapping: the kernel keeps start_brk and brk in the process's mm, and
 * brk() refuses to move it below start_brk or over other mappings. A restore that maps the heap
 * but leaves the kernel's idea of start_brk and brk elsewhere loses the heap's growth. Before
 * the checkpoint the program grows the break by 1 MiB with sbrk(), fills it, and gives back the
 * last 256 KiB. After SIGTERM: sbrk(0) and start_brk (/proc/self/stat) are unchanged; the heap
 * still holds what was written; growing the break by 4 MiB works and gives zeroed, writable
 * memory right after the old break; shrinking it back works and sbrk(0) follows.
 * Nothing between the measurements calls malloc, which could move the break itself.
 */
#include "../lib/zdtm.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define GROW (1u << 20)
#define GIVE_BACK (256u << 10)
#define GROW_AFTER (4u << 20)
#define SEED 0xb4c

/* start_brk, the 47th field of /proc/self/stat; 0 if unreadable. */
static unsigned long start_brk(void)
{
    char text[2048];
    FILE *f = fopen("/proc/self/stat", "re");
    if (f == NULL) {
        return 0;
    }
    size_t n = fread(text, 1, sizeof(text) - 1, f);
    fclose(f);
    text[n] = '\0';
    char *p = strrchr(text, ')');
    unsigned long value = 0;
    /* Fields 3.. follow the name; start_brk is field 47. */
    for (int field = 2; p != NULL && field < 47; field++) {
        p = strchr(p + 1, ' ');
    }
    if (p != NULL) {
        sscanf(p + 1, "%lu", &value);
    }
    return value;
}

int main(int argc, char **argv)
{
    test_init(argc, argv);
    test_daemon();

    unsigned long start = start_brk();
    uint8_t *base = sbrk(0);
    /* Keep the heap 8-byte aligned for the pattern. */
    if (sbrk((intptr_t)((8 - (uintptr_t)base % 8) % 8)) == (void *)-1) {
        fail("sbrk: %m");
    }
    base = sbrk(GROW);
    if (base == (void *)-1) {
        fail("sbrk(%u): %m", GROW);
    }
    test_pattern_fill(base, GROW, SEED);
    if (sbrk(-(intptr_t)GIVE_BACK) == (void *)-1) {
        fail("sbrk(-%u): %m", GIVE_BACK);
    }
    uint8_t *end = sbrk(0);
    test_msg("start_brk %#lx, heap grown at %p, break %p", start, (void *)base, (void *)end);

    test_waitsig();

    uint8_t *now = sbrk(0);
    unsigned long start_now = start_brk();
    if (now != end || start_now != start) {
        fail("the break is %p and start_brk %#lx, were %p and %#lx", (void *)now, start_now,
             (void *)end, start);
    }
    size_t at = test_pattern_check(base, GROW - GIVE_BACK, SEED);
    if (at != (size_t)-1) {
        fail("heap byte %zu above %p changed", at, (void *)base);
    }
    uint8_t *grown = sbrk(GROW_AFTER);
    if (grown != end) {
        fail("sbrk(%u) after the restore returned %p (%m), expected the old break %p",
             GROW_AFTER, (void *)grown, (void *)end);
    }
    for (size_t i = 0; i < GROW_AFTER; i += 4096) {
        if (grown[i] != 0) {
            fail("new heap byte %zu is %d, not zero", i, grown[i]);
        }
        grown[i] = 1;
    }
    if (sbrk(-(intptr_t)GROW_AFTER) == (void *)-1 || sbrk(0) != end) {
        fail("shrinking the break back to %p left it at %p", (void *)end, sbrk(0));
    }
    pass();
}
