/*
 * mmap_file_shared — a shared file mapping stays one with the file and with the other mappers.
 *
 * A MAP_SHARED mapping of a regular file is the file's page cache: what is written through it
 * is in the file, what is written to the file shows in it, and every process mapping it sees the
 * same pages. A restore must map the file again, shared, at the same offset, and must not write
 * stale page contents over the file. The root maps a 16-page file of the work directory, shared
 * and read-write, and forks a child that inherits the mapping. Before the checkpoint: the root
 * writes pages 0-3 through the mapping, the child 4-7 through its mapping, and the root pages
 * 8-11 with pwrite(). After SIGTERM each process compares its mapping with the file (pread) and
 * with what was written; then, for the mapping to be shown live, the root writes a word into page
 * 12 and the child, which waits for it, answers with a pwrite() into page 13 that the root must
 * see through its mapping. Last, msync() and a read of the whole file.
 */
#include "../lib/zdtm.h"

#include <fcntl.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PAGES 16u
#define WAIT_SEC 3
#define PING 0x7069
#define PONG 0x706f

static size_t s_page;
static uint8_t *s_map;
static char s_path[4200];

/* What was written in each page before the checkpoint: a seed per quarter; page 12 onwards is
 * zero until the exchange after SIGTERM. */
static uint64_t seed_of(unsigned page)
{
    return page < 12 ? 0x5000 + page / 4 : 0;
}

/* The words of a page are those of their offsets in the file. */
static void fill_page(uint8_t *data, unsigned page)
{
    uint64_t *words = (uint64_t *)data;
    for (size_t i = 0; i < s_page / 8; i++) {
        words[i] = test_pattern_word((const void *)(uintptr_t)(page * s_page + i * 8),
                                     seed_of(page));
    }
}

static int check_page(const uint8_t *data, unsigned page)
{
    const uint64_t *words = (const uint64_t *)data;
    for (size_t i = 0; i < s_page / 8; i++) {
        if (words[i] != test_pattern_word((const void *)(uintptr_t)(page * s_page + i * 8),
                                          seed_of(page))) {
            return 0;
        }
    }
    return 1;
}

/* Compares the mapping with the file and with what was written; NULL or what differs. */
static const char *check_contents(const char *who)
{
    static char why[256];
    static uint8_t file_page[65536];
    int fd = open(s_path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(why, sizeof(why), "%s: opening the file: %m", who);
        return why;
    }
    for (unsigned p = 0; p < 12; p++) {
        const uint8_t *mapped = s_map + p * s_page;
        if (pread(fd, file_page, s_page, (off_t)(p * s_page)) != (ssize_t)s_page ||
            memcmp(file_page, mapped, s_page) != 0 || !check_page(mapped, p)) {
            snprintf(why, sizeof(why), "%s: page %u of the mapping %s the file, and %s what "
                     "was written", who, p,
                     memcmp(file_page, mapped, s_page) == 0 ? "equals" : "differs from",
                     check_page(mapped, p) ? "holds" : "does not hold");
            close(fd);
            return why;
        }
    }
    close(fd);
    return NULL;
}

static _Atomic uint64_t *word_at(unsigned page)
{
    return (_Atomic uint64_t *)(s_map + page * s_page);
}

static int word_is(void *arg)
{
    const uint64_t *want = arg;
    return atomic_load(word_at((unsigned)want[0])) == want[1];
}

static void child_body(void *arg)
{
    (void)arg;
    for (unsigned p = 4; p < 8; p++) {
        fill_page(s_map + p * s_page, p);
    }
    test_child_ready();
    test_waitsig();
    const char *why = check_contents("child");
    uint64_t ping[2] = {12, PING};
    if (why == NULL && !test_wait_until(word_is, ping, WAIT_SEC)) {
        why = "the root's word in page 12 did not show in the child's mapping";
    }
    int fd = open(s_path, O_WRONLY | O_CLOEXEC);
    uint64_t pong = PONG;
    if (why == NULL && (fd < 0 || pwrite(fd, &pong, 8, (off_t)(13 * s_page)) != 8)) {
        why = "pwrite into page 13 failed";
    }
    close(fd);
    test_child_exit(why);
}

int main(int argc, char **argv)
{
    test_init(argc, argv);
    s_page = (size_t)sysconf(_SC_PAGESIZE);
    snprintf(s_path, sizeof(s_path), "%s/shared.dat", test_workdir());
    int fd = open(s_path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0 || ftruncate(fd, (off_t)(PAGES * s_page)) < 0) {
        fail("creating %s: %m", s_path);
    }
    s_map = mmap(NULL, PAGES * s_page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (s_map == MAP_FAILED) {
        fail("mmap: %m");
    }
    close(fd);
    test_daemon();

    pid_t child = test_fork_child(child_body, NULL);
    for (unsigned p = 0; p < 4; p++) {
        fill_page(s_map + p * s_page, p);
    }
    static uint8_t buf[65536];
    fd = open(s_path, O_WRONLY | O_CLOEXEC);
    for (unsigned p = 8; p < 12; p++) {
        fill_page(buf, p);
        if (fd < 0 || pwrite(fd, buf, s_page, (off_t)(p * s_page)) != (ssize_t)s_page) {
            fail("pwrite: %m");
        }
    }
    close(fd);

    test_waitsig();

    test_signal_child(child);
    const char *why = check_contents("root");
    if (why != NULL) {
        fail("%s", why);
    }
    atomic_store(word_at(12), PING);
    uint64_t pong[2] = {13, PONG};
    int answered = test_wait_until(word_is, pong, WAIT_SEC);
    const char *names[] = {"child"};
    const char *how = test_end_children(&child, names, 1);
    if (how != NULL) {
        fail("%s", how);
    }
    if (!answered) {
        fail("the child's pwrite into page 13 did not show in the root's mapping");
    }
    if (msync(s_map, PAGES * s_page, MS_SYNC) < 0) {
        fail("msync: %m");
    }
    why = check_contents("root, after msync");
    if (why != NULL) {
        fail("%s", why);
    }
    pass();
}
