/*
 * pipe_buffers — pipes with data in them, across processes, keep their data, sizes and flags.
 *
 * Before the checkpoint, with a child that shares the pipes:
 *   down: the root writes DOWN_LEN bytes for the child, which has not read them;
 *   up:   the child writes UP_LEN bytes for the root, which has not read them;
 *   eof:  the child writes EOF_LEN bytes and closes the write end (the root closed its copy
 *         too): only the read end is left, and after the data it must read end-of-file;
 *   big:  the root holds both ends, O_NONBLOCK on both, a buffer of BIG_SIZE bytes set with
 *         F_SETPIPE_SZ and BIG_LEN (> the default 64 KiB) bytes in it.
 * After SIGTERM each side reads its data and checks every byte; the root checks that "eof" ends
 * after its data, that "big" kept its size and O_NONBLOCK and reads EAGAIN once drained.
 */
#include "../lib/zdtm.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define DOWN_LEN 3000
#define UP_LEN 5000
#define EOF_LEN 100
#define BIG_SIZE (128 * 1024)
#define BIG_LEN 70000

static int s_down[2], s_up[2], s_eof[2], s_big[2];

static unsigned char byte_at(size_t i, unsigned seed)
{
    return (unsigned char)((i * 7u + seed) & 0xff);
}

static void fill(unsigned char *buf, size_t len, unsigned seed)
{
    for (size_t i = 0; i < len; i++) {
        buf[i] = byte_at(i, seed);
    }
}

/* NULL, or what is wrong with exactly len bytes read from fd (seed as written). */
static const char *read_exact(const char *name, int fd, size_t len, unsigned seed)
{
    static char why[200];
    static unsigned char buf[BIG_LEN];
    size_t have = 0;
    while (have < len) {
        ssize_t n = test_read(fd, buf + have, len - have);
        if (n <= 0) {
            snprintf(why, sizeof(why), "%s: read returned %zd after %zu of %zu bytes (%s)", name, n,
                     have, len, n < 0 ? strerror(errno) : "end of file");
            return why;
        }
        have += (size_t)n;
    }
    for (size_t i = 0; i < len; i++) {
        if (buf[i] != byte_at(i, seed)) {
            snprintf(why, sizeof(why), "%s: byte %zu is 0x%02x, expected 0x%02x", name, i, buf[i],
                     byte_at(i, seed));
            return why;
        }
    }
    return NULL;
}

static void child_body(void *arg)
{
    (void)arg;
    static unsigned char up[UP_LEN], eof[EOF_LEN];
    close(s_down[1]);
    close(s_up[0]);
    close(s_eof[0]);
    close(s_big[0]);
    close(s_big[1]);
    fill(up, sizeof(up), 2);
    fill(eof, sizeof(eof), 3);
    if (write(s_up[1], up, sizeof(up)) != (ssize_t)sizeof(up) ||
        write(s_eof[1], eof, sizeof(eof)) != (ssize_t)sizeof(eof)) {
        child_fail("writing: %m");
    }
    close(s_eof[1]);
    test_child_ready();
    test_waitsig();
    test_child_exit(read_exact("down (child)", s_down[0], DOWN_LEN, 1));
}

int main(int argc, char **argv)
{
    test_init(argc, argv);
    test_daemon();
    if (pipe(s_down) < 0 || pipe(s_up) < 0 || pipe(s_eof) < 0 ||
        pipe2(s_big, O_NONBLOCK) < 0) {
        fail("pipe: %m");
    }
    if (fcntl(s_big[1], F_SETPIPE_SZ, BIG_SIZE) != BIG_SIZE) {
        fail("F_SETPIPE_SZ: %m");
    }
    pid_t child = test_fork_child(child_body, NULL);
    close(s_down[0]);
    close(s_up[1]);
    close(s_eof[1]);
    static unsigned char down[DOWN_LEN], big[BIG_LEN];
    fill(down, sizeof(down), 1);
    fill(big, sizeof(big), 4);
    if (write(s_down[1], down, sizeof(down)) != (ssize_t)sizeof(down) ||
        write(s_big[1], big, sizeof(big)) != (ssize_t)sizeof(big)) {
        fail("writing: %m");
    }

    test_waitsig();

    test_signal_child(child);
    const char *why = read_exact("up", s_up[0], UP_LEN, 2);
    if (why == NULL) {
        why = read_exact("eof", s_eof[0], EOF_LEN, 3);
    }
    char extra;
    if (why == NULL && test_read(s_eof[0], &extra, 1) != 0) {
        why = "eof: no end of file after the data";
    }
    if (why == NULL && fcntl(s_big[0], F_GETPIPE_SZ) != BIG_SIZE) {
        why = "big: the pipe size changed";
    }
    if (why == NULL && (!(fcntl(s_big[0], F_GETFL) & O_NONBLOCK) || !(fcntl(s_big[1], F_GETFL) & O_NONBLOCK))) {
        why = "big: O_NONBLOCK is gone";
    }
    if (why == NULL) {
        why = read_exact("big", s_big[0], BIG_LEN, 4);
    }
    if (why == NULL && (read(s_big[0], &extra, 1) != -1 || errno != EAGAIN)) {
        why = "big: a drained non-blocking pipe did not say EAGAIN";
    }
    const char *names[] = {"child"};
    const char *how = test_end_children(&child, names, 1);
    if (why != NULL || how != NULL) {
        fail("%s", why != NULL ? why : how);
    }
    pass();
}
