/*
 * pipe_stream — data in flight through a pipe between two tasks of the tree.
 *
 * The child writes 1, 2, 3, ... as 8-byte words into a pipe; the root reads them and checks
 * that each is the previous plus one. A checkpoint taken while the stream runs catches data in
 * the pipe buffer (which has to be saved without consuming it, and put back) and both tasks in
 * the middle of their calls. After SIGTERM the root tells the writer to stop, drains the pipe
 * to end-of-file and checks the last words too, so nothing may be lost, repeated or
 * reordered.
 */
#include "../lib/zdtm.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* The writer sleeps a little after so many words, so the two tasks do not take both cores. */
#define WORDS_PER_NAP 1024u

static void writer(int fd)
{
    uint64_t next = 1;
    while (!test_stop_requested()) {
        /* A write of 8 bytes to a pipe is atomic (PIPE_BUF): an EINTR means nothing was
         * written, and the same word is tried again. */
        ssize_t n = write(fd, &next, sizeof(next));
        if (n == (ssize_t)sizeof(next)) {
            if (next % WORDS_PER_NAP == 0) {
                struct timespec nap = {0, 200000};
                nanosleep(&nap, NULL);
            }
            next++;
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else {
            child_fail("write of word %llu returned %zd: %m", (unsigned long long)next, n);
        }
    }
    test_msg("writer: stopping after %llu words", (unsigned long long)(next - 1));
    close(fd);
    _exit(0);
}

int main(int argc, char **argv)
{
    test_init(argc, argv);
    test_daemon();

    int fds[2];
    if (pipe(fds) < 0) {
        fail("pipe: %m");
    }
    pid_t child = test_fork();
    if (child < 0) {
        fail("fork: %m");
    }
    if (child == 0) {
        close(fds[0]);
        writer(fds[1]);
    }
    close(fds[1]);
    test_ready();

    uint64_t expected = 1;
    /* Reads need not end on a word boundary (a restored pipe holds plain bytes), so partial
     * words are carried over. */
    unsigned char buf[4096 + sizeof(uint64_t)];
    size_t have = 0;
    int stopping = 0;
    for (;;) {
        if (!stopping && test_stop_requested()) {
            stopping = 1;
            test_signal_child(child);
        }
        ssize_t n = read(fds[0], buf + have, sizeof(buf) - have);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            fail("read after word %llu: %m", (unsigned long long)(expected - 1));
        }
        if (n == 0) {
            break;
        }
        have += (size_t)n;
        size_t at = 0;
        for (; at + sizeof(uint64_t) <= have; at += sizeof(uint64_t)) {
            uint64_t word;
            memcpy(&word, buf + at, sizeof(word));
            if (word != expected) {
                fail("word %llu of the stream is %llu (%s)", (unsigned long long)expected,
                     (unsigned long long)word,
                     word < expected ? "a repeat or reorder" : "words were lost");
            }
            expected++;
        }
        memmove(buf, buf + at, have - at);
        have -= at;
    }
    if (have != 0) {
        fail("the stream ended in the middle of a word (%zu stray bytes)", have);
    }
    /* SIGTERM can land between the check at the top of the loop and the read that then sees
     * end-of-file: in a pid namespace it reaches the writer directly, not through the root. */
    if (!stopping && !test_stop_requested()) {
        fail("the writer closed the pipe before SIGTERM: %s",
             test_wait_child(child, "writer") ?: "it exited with status 0");
    }
    const char *how = test_wait_child(child, "writer");
    if (how != NULL) {
        fail("%s", how);
    }
    if (expected == 1) {
        fail("no data went through the pipe");
    }
    test_msg("reader: %llu words in order", (unsigned long long)(expected - 1));
    pass();
}
