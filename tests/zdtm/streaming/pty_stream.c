/*
 * pty_stream — data flowing through a pseudo-terminal in both directions while the tree is
 * checkpointed.
 *
 * The root writes bytes 0, 1, ..., 250, 0, 1, ... to the master; the child, on the slave in
 * raw mode, reads them, checks the sequence and writes each byte back; the root reads the
 * echo and checks the same sequence. The root keeps at most WINDOW bytes in flight, so both
 * queues (the slave's input and the master's output) hold data whenever the tree is frozen.
 * After SIGTERM the root stops writing, reads the echo of everything it wrote, and checks that
 * nothing was lost, repeated or reordered in either direction; it then closes the master,
 * which ends the echo (its read fails with EIO, or returns 0 once the slave is hung up).
 */
#include "../lib/zdtm.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#define WINDOW 1024
#define MODULUS 251

static char s_slave_path[64];
static int s_master = -1;

static void echo_body(void *arg)
{
    (void)arg;
    close(s_master); /* only the root holds the master */
    int fd = open(s_slave_path, O_RDWR | O_NOCTTY);
    struct termios t;
    if (fd < 0 || tcgetattr(fd, &t) < 0) {
        child_fail("open %s: %m", s_slave_path);
    }
    cfmakeraw(&t);
    if (tcsetattr(fd, TCSANOW, &t) < 0) {
        child_fail("tcsetattr: %m");
    }
    test_child_ready();
    unsigned long long seen = 0;
    unsigned char buf[512];
    for (;;) {
        ssize_t n = read(fd, buf, sizeof(buf));
        if (n < 0 && errno == EINTR) {
            continue; /* SIGTERM too: the echo runs until the root closes the master */
        }
        if (n == 0 || (n < 0 && errno == EIO)) { /* the master is closed: hung up, or EIO */
            break;
        }
        if (n <= 0) {
            child_fail("read from the slave after %llu bytes: %zd %m", seen, n);
        }
        for (ssize_t i = 0; i < n; i++, seen++) {
            if (buf[i] != seen % MODULUS) {
                child_fail("byte %llu on the slave is %u, expected %llu", seen, buf[i], seen % MODULUS);
            }
        }
        for (ssize_t done = 0; done < n;) {
            ssize_t w = write(fd, buf + done, (size_t)(n - done));
            if (w < 0 && errno == EINTR) {
                continue;
            }
            if (w <= 0) {
                child_fail("write to the slave: %m");
            }
            done += w;
        }
    }
    test_msg("echo: %llu bytes", seen);
    test_child_exit(NULL);
}

int main(int argc, char **argv)
{
    test_init(argc, argv);
    test_daemon();

    int master = test_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK, s_slave_path, sizeof(s_slave_path));
    s_master = master;
    pid_t child = test_fork_child(echo_body, NULL);
    test_ready();

    unsigned long long sent = 0, echoed = 0;
    unsigned char buf[512];
    int stopping = 0;
    for (;;) {
        if (!stopping && test_stop_requested()) {
            stopping = 1;
        }
        if (stopping && echoed == sent) {
            break;
        }
        struct pollfd p = {master, POLLIN | (!stopping && sent - echoed < WINDOW ? POLLOUT : 0), 0};
        int ready = poll(&p, 1, stopping ? 5000 : 100);
        if (ready < 0 && errno == EINTR) {
            continue;
        }
        if (ready == 0 && stopping) {
            fail("%llu bytes sent, only %llu came back", sent, echoed);
        }
        if (p.revents & POLLIN) {
            ssize_t n = read(master, buf, sizeof(buf));
            for (ssize_t i = 0; i < n; i++, echoed++) {
                if (buf[i] != echoed % MODULUS) {
                    fail("byte %llu of the echo is %u, expected %llu", echoed, buf[i], echoed % MODULUS);
                }
            }
        }
        if (p.revents & POLLOUT) {
            size_t room = WINDOW - (size_t)(sent - echoed);
            size_t len = room < 64 ? room : 64;
            for (size_t i = 0; i < len; i++) {
                buf[i] = (unsigned char)((sent + i) % MODULUS);
            }
            ssize_t n = write(master, buf, len);
            if (n > 0) {
                sent += (unsigned long long)n;
            } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
                fail("write to the master: %m");
            }
            if (sent % 4096 < 64) {
                usleep(200); /* leave the cores to the rest of the tests now and then */
            }
        }
    }
    if (sent == 0) {
        fail("no data went through the pty");
    }
    test_msg("root: %llu bytes sent and echoed", sent);
    close(master); /* the echo reads EIO and ends */
    const char *name = "echo";
    test_verdict(test_end_children(&child, &name, 1));
}
