/*
 * mprotect — page protections survive checkpoint/restore, contents of protected pages too.
 *
 * A restore must map each area with the protection it had, which for a region that mprotect()
 * split is several areas with several protections, and it has to fill a read-only or PROT_NONE
 * page with its contents without leaving it writable. The root maps 8 pages read-write, fills
 * them, and then makes pages 2-3 read-only and page 5 PROT_NONE (a guard page); it also reserves
 * 16 pages PROT_NONE and opens one page in the middle read-write, and maps a read-only page that
 * was never written. After SIGTERM, for each page:
 *   - /proc/self/maps shows the protection of the area that holds it;
 *   - touching it behaves accordingly: a SIGSEGV handler (with sigsetjmp) catches the write to a
 *     read-only page and any access to a PROT_NONE one, with SEGV_ACCERR and the faulting address;
 *     writable pages take a write;
 *   - the contents are those written before the checkpoint (the guard page's are checked after
 *     making it readable again), or zero for the page never written.
 */
#include "../lib/zdtm.h"

#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define SEED 0x9207

struct page {
    uint8_t *address;
    int prot;
    int filled; /* holds the pattern; otherwise zeros */
};

static sigjmp_buf s_jump;
static volatile sig_atomic_t s_faults;
static void *volatile s_fault_address;
static volatile int s_fault_code;

static void on_segv(int sig, siginfo_t *info, void *context)
{
    (void)sig;
    (void)context;
    s_faults++;
    s_fault_address = info->si_addr;
    s_fault_code = info->si_code;
    siglongjmp(s_jump, 1);
}

/* Returns 1 if the access faulted with SEGV_ACCERR at address, 0 if it went through, -1 if it
 * faulted otherwise. */
static int faults(uint8_t *address, int write)
{
    int before = s_faults;
    if (sigsetjmp(s_jump, 1) == 0) {
        if (write) {
            *(volatile uint8_t *)address = *(volatile uint8_t *)address;
        } else {
            (void)*(volatile uint8_t *)address;
        }
        return 0;
    }
    return s_faults == before + 1 && s_fault_address == address && s_fault_code == SEGV_ACCERR
               ? 1 : -1;
}

static const char *check(const struct page *pg, size_t page_size, int index)
{
    static char why[256];
    char perms[8], expected[8];
    test_maps_perms(pg->address, perms);
    snprintf(expected, sizeof(expected), "%c%c%cp", pg->prot & PROT_READ ? 'r' : '-',
             pg->prot & PROT_WRITE ? 'w' : '-', pg->prot & PROT_EXEC ? 'x' : '-');
    if (strcmp(perms, expected) != 0) {
        snprintf(why, sizeof(why), "page %d at %p is %s in /proc/self/maps, expected %s", index,
                 (void *)pg->address, perms, expected);
        return why;
    }
    int read_faults = faults(pg->address, 0);
    int write_faults = faults(pg->address, 1);
    if (read_faults != !(pg->prot & PROT_READ) || write_faults != !(pg->prot & PROT_WRITE)) {
        snprintf(why, sizeof(why), "page %d at %p (%s): a read %s and a write %s", index,
                 (void *)pg->address, expected,
                 read_faults == 1 ? "faulted" : read_faults == 0 ? "went through" : "faulted oddly",
                 write_faults == 1 ? "faulted" : write_faults == 0 ? "went through"
                                                                   : "faulted oddly");
        return why;
    }
    if (!(pg->prot & PROT_READ) && mprotect(pg->address, page_size, PROT_READ) < 0) {
        snprintf(why, sizeof(why), "mprotect(PROT_READ) of page %d: %m", index);
        return why;
    }
    size_t at = pg->filled ? test_pattern_check(pg->address, page_size, SEED) : (size_t)-1;
    for (size_t i = 0; !pg->filled && i < page_size && at == (size_t)-1; i++) {
        at = pg->address[i] != 0 ? i : at;
    }
    if (at != (size_t)-1) {
        snprintf(why, sizeof(why), "page %d at %p (%s): byte %zu is not what it was", index,
                 (void *)pg->address, expected, at);
        return why;
    }
    return NULL;
}

int main(int argc, char **argv)
{
    test_init(argc, argv);
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    int rw = PROT_READ | PROT_WRITE;
    uint8_t *split = mmap(NULL, 8 * page, rw, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    uint8_t *reserved = mmap(NULL, 16 * page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    uint8_t *untouched = mmap(NULL, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (split == MAP_FAILED || reserved == MAP_FAILED || untouched == MAP_FAILED) {
        fail("mmap: %m");
    }
    test_pattern_fill(split, 8 * page, SEED);
    if (mprotect(split + 2 * page, 2 * page, PROT_READ) < 0 ||
        mprotect(split + 5 * page, page, PROT_NONE) < 0 ||
        mprotect(reserved + 8 * page, page, rw) < 0) {
        fail("mprotect: %m");
    }
    test_pattern_fill(reserved + 8 * page, page, SEED);
    struct page pages[] = {
        {split, rw, 1},
        {split + 2 * page, PROT_READ, 1},
        {split + 3 * page, PROT_READ, 1},
        {split + 4 * page, rw, 1},
        {split + 5 * page, PROT_NONE, 1},
        {split + 7 * page, rw, 1},
        {reserved, PROT_NONE, 0},
        {reserved + 8 * page, rw, 1},
        {reserved + 15 * page, PROT_NONE, 0},
        {untouched, PROT_READ, 0},
    };
    if (test_sigaction(SIGSEGV, on_segv, SA_SIGINFO | SA_NODEFER) < 0) {
        fail("sigaction: %m");
    }

    test_daemon();
    test_waitsig();

    for (size_t i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
        const char *why = check(&pages[i], page, (int)i);
        if (why != NULL) {
            fail("%s", why);
        }
    }
    pass();
}
