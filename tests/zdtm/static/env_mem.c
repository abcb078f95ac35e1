/*
 * env_mem — memory contents survive checkpoint/restore.
 *
 * Four kinds of anonymous memory, each filled with a pattern that depends on the address so a
 * page restored at the wrong place or from the wrong source is caught: a heap buffer (brk or
 * malloc's own mmap), a private anonymous mapping with every other page never touched (those
 * must still read as zero and are a test of sparse dumping), a shared anonymous mapping, and
 * an environment variable set at run time.
 */
#include "../lib/zdtm.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define HEAP_SIZE (1u << 20)
#define MAP_PAGES 256u
#define ENV_NAME "ZDTM_ENV_MEM"
#define ENV_VALUE "kept-across-restore"

static uint8_t pattern(const void *base, size_t offset, uint8_t seed)
{
    uintptr_t address = (uintptr_t)base + offset;
    return (uint8_t)((address >> 3) ^ (address >> 13) ^ seed);
}

static void fill(uint8_t *base, size_t start, size_t len, uint8_t seed)
{
    for (size_t i = start; i < start + len; i++) {
        base[i] = pattern(base, i, seed);
    }
}

/* Returns the first offset in [start, start+len) that differs, or (size_t)-1. */
static size_t first_difference(const uint8_t *base, size_t start, size_t len, int zero,
                               uint8_t seed)
{
    for (size_t i = start; i < start + len; i++) {
        uint8_t expected = zero ? 0 : pattern(base, i, seed);
        if (base[i] != expected) {
            return i;
        }
    }
    return (size_t)-1;
}

int main(int argc, char **argv)
{
    test_init(argc, argv);
    size_t page = (size_t)sysconf(_SC_PAGESIZE);

    uint8_t *heap = malloc(HEAP_SIZE);
    uint8_t *private_map = mmap(NULL, MAP_PAGES * page, PROT_READ | PROT_WRITE,
                                MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    uint8_t *shared_map = mmap(NULL, MAP_PAGES * page, PROT_READ | PROT_WRITE,
                               MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (heap == NULL || private_map == MAP_FAILED || shared_map == MAP_FAILED) {
        fail("allocating the test memory: %m");
    }
    fill(heap, 0, HEAP_SIZE, 0x11);
    for (size_t p = 0; p < MAP_PAGES; p += 2) {
        fill(private_map, p * page, page, 0x22);
    }
    fill(shared_map, 0, MAP_PAGES * page, 0x33);
    if (setenv(ENV_NAME, ENV_VALUE, 1) < 0) {
        fail("setenv: %m");
    }
    test_msg("heap %p, private %p, shared %p, %zu pages each", (void *)heap,
             (void *)private_map, (void *)shared_map, (size_t)MAP_PAGES);

    test_daemon();
    test_waitsig();

    size_t at = first_difference(heap, 0, HEAP_SIZE, 0, 0x11);
    if (at != (size_t)-1) {
        fail("heap byte %zu at %p is 0x%02x, expected 0x%02x", at, (void *)(heap + at), heap[at],
             pattern(heap, at, 0x11));
    }
    for (size_t p = 0; p < MAP_PAGES; p++) {
        int untouched = p % 2 == 1;
        at = first_difference(private_map, p * page, page, untouched, 0x22);
        if (at != (size_t)-1) {
            fail("private mapping page %zu (%s) byte %zu is 0x%02x, expected 0x%02x", p,
                 untouched ? "never written" : "written", at % page, private_map[at],
                 untouched ? 0 : pattern(private_map, at, 0x22));
        }
    }
    at = first_difference(shared_map, 0, MAP_PAGES * page, 0, 0x33);
    if (at != (size_t)-1) {
        fail("shared mapping byte %zu is 0x%02x, expected 0x%02x", at, shared_map[at],
             pattern(shared_map, at, 0x33));
    }
    const char *value = getenv(ENV_NAME);
    if (value == NULL || strcmp(value, ENV_VALUE) != 0) {
        fail("%s is %s%s%s, expected \"%s\"", ENV_NAME, value ? "\"" : "", value ? value : "unset",
             value ? "\"" : "", ENV_VALUE);
    }
    pass();
}
