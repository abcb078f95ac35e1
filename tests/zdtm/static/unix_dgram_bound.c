/*
 * unix_dgram_bound — unconnected datagram sockets: a receiver bound to an abstract name with
 * datagrams from an unconnected sender still queued (like a syslog socket), and the sender,
 * which is unbound.
 *
 * After SIGTERM the receiver reads the queued datagrams with their boundaries and in order, and
 * the sender can still reach the receiver by its name.
 */
#include "../lib/zdtm.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static const char *const queued[] = {"first datagram", "2nd", "the third, and last, datagram"};
#define QUEUED 3

int main(int argc, char **argv)
{
    test_init(argc, argv);
    test_daemon();

    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    int name_len = snprintf(addr.sun_path + 1, sizeof(addr.sun_path) - 1, "zdtm-dgram-%d-%ld",
                            (int)getpid(), (long)now.tv_nsec);
    socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)name_len);

    int receiver = socket(AF_UNIX, SOCK_DGRAM, 0);
    int sender = socket(AF_UNIX, SOCK_DGRAM, 0);
    if (receiver < 0 || sender < 0 || bind(receiver, (struct sockaddr *)&addr, len) < 0) {
        fail("binding the receiver: %m");
    }
    for (int i = 0; i < QUEUED; i++) {
        size_t n = strlen(queued[i]);
        if (sendto(sender, queued[i], n, 0, (struct sockaddr *)&addr, len) != (ssize_t)n) {
            fail("sendto %d: %m", i);
        }
    }

    test_waitsig();

    char got[64];
    for (int i = 0; i < QUEUED; i++) {
        ssize_t n = recv(receiver, got, sizeof(got), MSG_DONTWAIT);
        if (n != (ssize_t)strlen(queued[i]) || memcmp(got, queued[i], (size_t)n) != 0) {
            fail("datagram %d: got %zd bytes (%.*s), expected \"%s\": %m", i, n, n > 0 ? (int)n : 0, got, queued[i]);
        }
    }
    if (recv(receiver, got, sizeof(got), MSG_DONTWAIT) != -1 || errno != EAGAIN) {
        fail("more datagrams than were queued");
    }
    if (sendto(sender, "again", 5, 0, (struct sockaddr *)&addr, len) != 5 ||
        recv(receiver, got, sizeof(got), MSG_DONTWAIT) != 5 || memcmp(got, "again", 5) != 0) {
        fail("the sender no longer reaches the receiver by its name: %m");
    }
    pass();
}
