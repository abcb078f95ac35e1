/*
 * mmap_file_private — a private file mapping keeps both its copied and its file-backed pages.
 *
 * A MAP_PRIVATE mapping of a regular file reads the file until a page is written; from then on
 * that page is an anonymous copy of the process's own. A dump must save the written pages and
 * may leave the others to the file; a restore must map the same file at the same offset and put
 * the copies back over it. The test writes a file of 32 pages in the work directory and maps it
 * twice: read-write from offset 0, where every fifth page is written (one of them only in one
 * word, so a copy is made of a page that mostly matches the file), and read-only from offset 8
 * pages, 8 pages long. After SIGTERM: the written pages hold what was written, every other page
 * of both mappings still equals the file (read again with pread), and the file itself was not
 * changed by any of it. /proc/self/maps must still show both mappings with their offsets.
 */
#include "../lib/zdtm.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define FILE_PAGES 32u
#define RO_OFFSET_PAGES 8u
#define RO_PAGES 8u
#define FILE_SEED 0xf11e
#define WRITE_SEED 0xc0e1

static size_t s_page;

/* The file's content: a word of the file is the pattern word of its offset. */
static uint64_t file_word(size_t offset)
{
    return test_pattern_word((const void *)(uintptr_t)offset, FILE_SEED);
}

static int written(unsigned page)
{
    return page % 5 == 0;
}

/* Checks a page of a mapping of the file; offset is the page's offset in the file. */
static const char *check_page(const uint64_t *words, size_t offset, int was_written,
                              int one_word, const char *which)
{
    static char why[256];
    for (size_t i = 0; i < s_page / 8; i++) {
        int rewritten = was_written && (!one_word || i == 7);
        uint64_t expected = rewritten ? test_pattern_word(&words[i], WRITE_SEED)
                                      : file_word(offset + i * 8);
        if (words[i] != expected) {
            snprintf(why, sizeof(why), "%s mapping: file page %zu word %zu (%s) is %#llx, "
                     "expected %#llx", which, offset / s_page, i,
                     rewritten ? "written" : "from the file", (unsigned long long)words[i],
                     (unsigned long long)expected);
            return why;
        }
    }
    return NULL;
}

/* Whether /proc/self/maps has a mapping at start with perms and this file offset. */
static int in_maps(const void *start, const char *perms, size_t offset)
{
    FILE *f = fopen("/proc/self/maps", "re");
    if (f == NULL) {
        return 0;
    }
    char line[512];
    int found = 0;
    while (!found && fgets(line, sizeof(line), f) != NULL) {
        unsigned long lo, off;
        char p[8];
        found = sscanf(line, "%lx-%*x %4s %lx", &lo, p, &off) == 3 &&
                lo == (unsigned long)(uintptr_t)start && strcmp(p, perms) == 0 && off == offset &&
                strstr(line, "/private.dat") != NULL;
    }
    fclose(f);
    return found;
}

int main(int argc, char **argv)
{
    test_init(argc, argv);
    s_page = (size_t)sysconf(_SC_PAGESIZE);
    char path[4200];
    snprintf(path, sizeof(path), "%s/private.dat", test_workdir());
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        fail("open %s: %m", path);
    }
    for (size_t off = 0; off < FILE_PAGES * s_page; off += 8) {
        uint64_t word = file_word(off);
        if (write(fd, &word, 8) != 8) {
            fail("writing %s: %m", path);
        }
    }
    uint64_t *rw = mmap(NULL, FILE_PAGES * s_page, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    uint64_t *ro = mmap(NULL, RO_PAGES * s_page, PROT_READ, MAP_PRIVATE, fd,
                        (off_t)(RO_OFFSET_PAGES * s_page));
    if (rw == MAP_FAILED || ro == MAP_FAILED) {
        fail("mmap: %m");
    }
    close(fd);
    for (unsigned p = 0; p < FILE_PAGES; p++) {
        uint64_t *words = rw + p * s_page / 8;
        if (!written(p)) {
            continue;
        }
        if (p == 10) {
            words[7] = test_pattern_word(&words[7], WRITE_SEED);
        } else {
            test_pattern_fill(words, s_page, WRITE_SEED);
        }
    }
    /* Read the rest, so that some untouched pages are in memory too. */
    volatile uint64_t sum = 0;
    for (size_t i = 0; i < RO_PAGES * s_page / 8; i += 512) {
        sum += ro[i];
    }

    test_daemon();
    test_waitsig();

    for (unsigned p = 0; p < FILE_PAGES; p++) {
        const char *why = check_page(rw + p * s_page / 8, p * s_page, written(p), p == 10,
                                     "read-write");
        if (why != NULL) {
            fail("%s", why);
        }
    }
    for (unsigned p = 0; p < RO_PAGES; p++) {
        const char *why = check_page(ro + p * s_page / 8, (RO_OFFSET_PAGES + p) * s_page, 0, 0,
                                     "read-only");
        if (why != NULL) {
            fail("%s", why);
        }
    }
    fd = open(path, O_RDONLY | O_CLOEXEC);
    uint64_t word;
    for (size_t off = 0; fd >= 0 && off < FILE_PAGES * s_page; off += 8) {
        if (pread(fd, &word, 8, (off_t)off) != 8 || word != file_word(off)) {
            fail("the file changed at offset %zu", off);
        }
    }
    if (fd < 0) {
        fail("reopening %s: %m", path);
    }
    close(fd);
    if (!in_maps(rw, "rw-p", 0) || !in_maps(ro, "r--p", RO_OFFSET_PAGES * s_page)) {
        fail("/proc/self/maps lacks the mapping at %p (rw-p, offset 0) or at %p (r--p, offset "
             "%#zx) of private.dat", (void *)rw, (void *)ro, RO_OFFSET_PAGES * s_page);
    }
    pass();
}
