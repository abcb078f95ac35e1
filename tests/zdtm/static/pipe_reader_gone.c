/*
 * pipe_reader_gone — a pipe whose read end was closed stays without a reader.
 *
 * The root writes some bytes into a pipe, closes the read end and keeps the write end. No
 * process holds a read end any more, so the data can never be read, and a write must fail
 * with EPIPE and raise SIGPIPE. A restore that leaves a read end open anywhere (in keeper, in
 * a task) would let the write succeed or block. After SIGTERM the root writes once and checks
 * for both EPIPE and one SIGPIPE.
 */
#include "../lib/zdtm.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t s_sigpipes;

static void on_sigpipe(int sig)
{
    (void)sig;
    s_sigpipes++;
}

int main(int argc, char **argv)
{
    test_init(argc, argv);
    test_daemon();
    if (test_sigaction(SIGPIPE, on_sigpipe, 0) < 0) {
        fail("sigaction: %m");
    }
    int fds[2];
    if (pipe(fds) < 0) {
        fail("pipe: %m");
    }
    static const char data[] = "never read";
    if (write(fds[1], data, sizeof(data)) != (ssize_t)sizeof(data)) {
        fail("write: %m");
    }
    close(fds[0]);

    test_waitsig();

    ssize_t n = write(fds[1], data, sizeof(data));
    if (n != -1 || errno != EPIPE) {
        fail("a write without a reader returned %zd (%s), expected EPIPE", n,
             n < 0 ? strerror(errno) : "no error");
    }
    if (s_sigpipes != 1) {
        fail("%d SIGPIPE(s) after the write, expected 1", (int)s_sigpipes);
    }
    pass();
}
