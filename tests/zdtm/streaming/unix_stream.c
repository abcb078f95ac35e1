/*
 * unix_stream — a counter streamed over a unix socketpair between two tasks of the tree.
 *
 * The child writes 1, 2, 3, ... as 8-byte words into its end of a SOCK_STREAM socketpair; the
 * root reads them and checks that each is the previous plus one. A checkpoint taken while the
 * stream runs finds words queued in the socket (saved with MSG_PEEK, put back into the new
 * pair) and the writer possibly blocked on a full socket. After SIGTERM the root tells the
 * writer to stop, reads to end-of-file and checks the last words too: nothing may be lost,
 * repeated or reordered.
 */
#include "../lib/zdtm.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* The writer naps after so many words, so the two tasks do not take both cores. */
#define WORDS_PER_NAP 512u

static void writer(int fd)
{
    uint64_t next = 1;
    unsigned char pending[sizeof(next)];
    size_t left = 0;
    while (!test_stop_requested() || left != 0) {
        if (left == 0) {
            memcpy(pending, &next, sizeof(next));
            left = sizeof(next);
        }
        /* A stream socket may take part of a word: the rest goes in the next send. */
        ssize_t n = send(fd, pending + sizeof(next) - left, left, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            child_fail("send of word %llu returned %zd: %m", (unsigned long long)next, n);
        }
        left -= (size_t)n;
        if (left == 0) {
            if (next % WORDS_PER_NAP == 0) {
                struct timespec nap = {0, 300000};
                nanosleep(&nap, NULL);
            }
            next++;
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

    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) {
        fail("socketpair: %m");
    }
    pid_t child = test_fork();
    if (child < 0) {
        fail("fork: %m");
    }
    if (child == 0) {
        close(sv[0]);
        writer(sv[1]);
    }
    close(sv[1]);
    test_ready();

    uint64_t expected = 1;
    unsigned char buf[8192 + sizeof(uint64_t)];
    size_t have = 0;
    int stopping = 0;
    for (;;) {
        if (!stopping && test_stop_requested()) {
            stopping = 1;
            test_signal_child(child);
        }
        ssize_t n = recv(sv[0], buf + have, sizeof(buf) - have, 0);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            fail("recv after word %llu: %m", (unsigned long long)(expected - 1));
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
                fail("word %llu of the stream is %llu", (unsigned long long)expected, (unsigned long long)word);
            }
            expected++;
        }
        memmove(buf, buf + at, have - at);
        have -= at;
    }
    if (have != 0 || !stopping) {
        fail("the stream ended early or in the middle of a word (%zu stray bytes)", have);
    }
    const char *how = test_wait_child(child, "writer");
    if (how != NULL) {
        fail("%s", how);
    }
    if (expected == 1) {
        fail("no data went through the socket");
    }
    test_msg("reader: %llu words in order", (unsigned long long)(expected - 1));
    pass();
}
