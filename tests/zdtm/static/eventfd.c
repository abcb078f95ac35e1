/*
 * eventfd — eventfd counters survive checkpoint/restore with their mode and flags.
 *
 *   - a plain eventfd whose counter does not fit in 32 bits (eventfd2 takes only an unsigned
 *     int, so a restore must add the rest);
 *   - a semaphore eventfd (EFD_SEMAPHORE | EFD_NONBLOCK) with a counter of 3: each read gives
 *     1, the fourth finds it empty (EAGAIN);
 *   - an empty blocking eventfd, which must stay empty.
 * After SIGTERM the values are read back and the status flags compared.
 */
#include "../lib/zdtm.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <unistd.h>

#define BIG_COUNT 0x100000005ull

static uint64_t read_counter(int fd, const char *what)
{
    uint64_t value;
    if (read(fd, &value, sizeof(value)) != sizeof(value)) {
        fail("read from %s: %m", what);
    }
    return value;
}

int main(int argc, char **argv)
{
    test_init(argc, argv);
    test_daemon();

    int plain = eventfd(5, EFD_CLOEXEC);
    int semaphore = eventfd(3, EFD_SEMAPHORE | EFD_NONBLOCK);
    int empty = eventfd(0, 0);
    if (plain < 0 || semaphore < 0 || empty < 0) {
        fail("eventfd: %m");
    }
    uint64_t more = BIG_COUNT - 5;
    if (write(plain, &more, sizeof(more)) != sizeof(more)) {
        fail("write to the plain eventfd: %m");
    }

    test_waitsig();

    if (fcntl(plain, F_GETFD) != FD_CLOEXEC || fcntl(empty, F_GETFD) != 0) {
        fail("close-on-exec flags changed: plain %d, empty %d", fcntl(plain, F_GETFD), fcntl(empty, F_GETFD));
    }
    if ((fcntl(plain, F_GETFL) & O_NONBLOCK) || !(fcntl(semaphore, F_GETFL) & O_NONBLOCK)) {
        fail("O_NONBLOCK changed: plain 0%o, semaphore 0%o", fcntl(plain, F_GETFL), fcntl(semaphore, F_GETFL));
    }
    uint64_t value = read_counter(plain, "the plain eventfd");
    if (value != BIG_COUNT) {
        fail("plain eventfd read %#llx, expected %#llx", (unsigned long long)value, BIG_COUNT);
    }
    for (int i = 0; i < 3; i++) {
        value = read_counter(semaphore, "the semaphore eventfd");
        if (value != 1) {
            fail("semaphore eventfd read %llu on read %d, expected 1 (not a semaphore any more?)",
                 (unsigned long long)value, i + 1);
        }
    }
    if (read(semaphore, &value, sizeof(value)) >= 0 || errno != EAGAIN) {
        fail("semaphore eventfd not empty after three reads: %m");
    }
    /* The empty one must not be readable: make it non-blocking to look. */
    fcntl(empty, F_SETFL, O_NONBLOCK);
    if (read(empty, &value, sizeof(value)) >= 0 || errno != EAGAIN) {
        fail("empty eventfd has a value");
    }
    pass();
}
