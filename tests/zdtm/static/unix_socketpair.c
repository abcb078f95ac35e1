/*
 * unix_socketpair — connected unix socket pairs between two processes, with data queued both
 * ways.
 *
 * The root makes a stream, a datagram and a seqpacket socketpair and forks a child that keeps
 * the other ends. Before the tree is ready each side sends messages of different lengths that
 * nobody reads yet, so the checkpoint finds data queued in both directions. After SIGTERM the
 * root reads what it had queued (the stream as the same bytes, the datagram and seqpacket
 * sockets as the same messages with their boundaries) and tells the child to go on through a
 * fourth, empty stream pair; the child reads its queues the same way. Then one more message
 * goes each way, so the pairs still connect the same two processes. The child reports through
 * its exit status.
 */
#include "../lib/zdtm.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define PAIRS 3
static const int types[PAIRS] = {SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET};
static const char *const names[PAIRS] = {"stream", "dgram", "seqpacket"};
static const char *const messages[] = {"a", "second message", "the third and longest message of all"};
#define MESSAGES 3

static int child_ends[PAIRS];
static int control[2];

/* The side's messages carry its name, so a reversed pair is caught. */
static const char *send_all(int fd, const char *side)
{
    for (int i = 0; i < MESSAGES; i++) {
        char text[128];
        int len = snprintf(text, sizeof(text), "%s:%s", side, messages[i]);
        if (send(fd, text, (size_t)len, MSG_DONTWAIT) != len) {
            return "send";
        }
    }
    return NULL;
}

/* Returns NULL when fd holds exactly the messages the other side sent. */
static const char *check_queue(int fd, int type, const char *peer_side)
{
    static char why[512];
    char expected[512];
    size_t expected_len = 0;
    for (int i = 0; i < MESSAGES; i++) {
        char text[128];
        int len = snprintf(text, sizeof(text), "%s:%s", peer_side, messages[i]);
        if (type == SOCK_STREAM) {
            memcpy(expected + expected_len, text, (size_t)len);
            expected_len += (size_t)len;
            continue;
        }
        char got[256];
        ssize_t n = recv(fd, got, sizeof(got), MSG_DONTWAIT);
        if (n != len || memcmp(got, text, (size_t)len) != 0) {
            snprintf(why, sizeof(why), "message %d: got %zd bytes (%.*s), expected \"%s\"", i, n,
                     n > 0 ? (int)n : 0, got, text);
            return why;
        }
    }
    if (type == SOCK_STREAM) {
        char got[512];
        ssize_t n = recv(fd, got, sizeof(got), MSG_DONTWAIT);
        if (n != (ssize_t)expected_len || memcmp(got, expected, expected_len) != 0) {
            snprintf(why, sizeof(why), "got %zd bytes, expected %zu", n, expected_len);
            return why;
        }
    }
    char extra;
    if (recv(fd, &extra, 1, MSG_DONTWAIT) != -1 || errno != EAGAIN) {
        return "more data than was queued";
    }
    return NULL;
}

/* recv of exactly the 4-byte word `word`, retried on EINTR (SIGTERM may land meanwhile). */
static int expect(int fd, const char *word)
{
    char got[8];
    ssize_t n;
    do {
        n = recv(fd, got, sizeof(got), 0);
    } while (n < 0 && errno == EINTR);
    return n == 4 && memcmp(got, word, 4) == 0;
}

static void child_body(void *arg)
{
    (void)arg;
    close(control[0]);
    for (int i = 0; i < PAIRS; i++) {
        if (send_all(child_ends[i], "child") != NULL) {
            child_fail("%s: send: %m", names[i]);
        }
    }
    test_child_ready();
    /* ns_init may send SIGTERM here before the root has read its queues: wait for the root. */
    if (!expect(control[1], "go!!")) {
        child_fail("no go from the root: %m");
    }
    for (int i = 0; i < PAIRS; i++) {
        const char *why = check_queue(child_ends[i], types[i], "root");
        if (why != NULL) {
            child_fail("%s: %s", names[i], why);
        }
        if (send(child_ends[i], "ping", 4, 0) != 4 || !expect(child_ends[i], "pong")) {
            child_fail("%s: the exchange after the check failed: %m", names[i]);
        }
    }
    _exit(0);
}

int main(int argc, char **argv)
{
    test_init(argc, argv);
    test_daemon();

    int root_ends[PAIRS];
    for (int i = 0; i < PAIRS; i++) {
        int sv[2];
        if (socketpair(AF_UNIX, types[i], 0, sv) < 0) {
            fail("socketpair %s: %m", names[i]);
        }
        root_ends[i] = sv[0];
        child_ends[i] = sv[1];
    }
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, control) < 0) {
        fail("socketpair: %m");
    }
    pid_t child = test_fork_child(child_body, NULL);
    close(control[1]);
    for (int i = 0; i < PAIRS; i++) {
        close(child_ends[i]);
        if (send_all(root_ends[i], "root") != NULL) {
            fail("%s: send: %m", names[i]);
        }
    }

    test_waitsig();

    for (int i = 0; i < PAIRS; i++) {
        const char *why = check_queue(root_ends[i], types[i], "child");
        if (why != NULL) {
            test_signal_child(child);
            fail("%s: %s", names[i], why);
        }
    }
    if (send(control[0], "go!!", 4, 0) != 4) {
        fail("send go: %m");
    }
    for (int i = 0; i < PAIRS; i++) {
        if (!expect(root_ends[i], "ping") || send(root_ends[i], "pong", 4, 0) != 4) {
            test_signal_child(child);
            fail("%s: the exchange after the check failed: %m", names[i]);
        }
    }
    test_verdict(test_wait_child(child, "child"));
}
