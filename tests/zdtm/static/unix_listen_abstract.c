/*
 * unix_listen_abstract — a unix stream socket listening on an abstract name, like an X
 * server's @/tmp/.X11-unix/X5.
 *
 * Abstract names belong to the network namespace, so a restore must bind the name in the
 * tree's own namespace, not in the one keeper runs in. The root listens on a name unique to
 * this run, connects a seqpacket client to a second abstract listener and accepts it, and
 * queues a message each way. After SIGTERM: getsockname still shows the name, the queued
 * messages read back with their boundaries, and a new client connecting by the name from
 * inside the tree is accepted by the listener.
 */
#include "../lib/zdtm.h"

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static char name[64];

/* The abstract address of name + suffix (the leading NUL, then the bytes; no terminator). */
static socklen_t abstract(struct sockaddr_un *addr, const char *suffix)
{
    memset(addr, 0, sizeof(*addr));
    addr->sun_family = AF_UNIX;
    int len = snprintf(addr->sun_path + 1, sizeof(addr->sun_path) - 1, "%s%s", name, suffix);
    return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)len);
}

static int listen_on(int type, const char *suffix)
{
    struct sockaddr_un addr;
    socklen_t len = abstract(&addr, suffix);
    int fd = socket(AF_UNIX, type, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&addr, len) < 0 || listen(fd, 8) < 0) {
        fail("listening on @%s%s: %m", name, suffix);
    }
    return fd;
}

static int dial(int type, const char *suffix)
{
    struct sockaddr_un addr;
    socklen_t len = abstract(&addr, suffix);
    int fd = socket(AF_UNIX, type, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&addr, len) < 0) {
        return -1;
    }
    return fd;
}

int main(int argc, char **argv)
{
    test_init(argc, argv);
    test_daemon();

    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    snprintf(name, sizeof(name), "zdtm-unix-%d-%ld", (int)getpid(), (long)now.tv_nsec);

    int stream_listener = listen_on(SOCK_STREAM, "");
    int packet_listener = listen_on(SOCK_SEQPACKET, "-packets");
    int client = dial(SOCK_SEQPACKET, "-packets");
    int server = client < 0 ? -1 : accept(packet_listener, NULL, NULL);
    if (server < 0 || send(client, "one", 3, 0) != 3 || send(client, "two!", 4, 0) != 4 ||
        send(server, "back", 4, 0) != 4) {
        fail("a connection to @%s-packets: %m", name);
    }

    test_waitsig();

    struct sockaddr_un expected, got;
    socklen_t expected_len = abstract(&expected, "");
    socklen_t got_len = sizeof(got);
    if (getsockname(stream_listener, (struct sockaddr *)&got, &got_len) < 0 || got_len != expected_len ||
        memcmp(&got, &expected, expected_len) != 0) {
        fail("getsockname of the listener does not show @%s", name);
    }
    char buf[16];
    if (recv(server, buf, sizeof(buf), MSG_DONTWAIT) != 3 || memcmp(buf, "one", 3) != 0 ||
        recv(server, buf, sizeof(buf), MSG_DONTWAIT) != 4 || memcmp(buf, "two!", 4) != 0 ||
        recv(client, buf, sizeof(buf), MSG_DONTWAIT) != 4 || memcmp(buf, "back", 4) != 0) {
        fail("the queued seqpacket messages did not come back as sent: %m");
    }
    int fresh = dial(SOCK_STREAM, "");
    if (fresh < 0) {
        fail("a new client cannot connect to @%s: %m", name);
    }
    int accepted = accept(stream_listener, NULL, NULL);
    if (accepted < 0 || send(fresh, "x", 1, 0) != 1 || recv(accepted, buf, 1, 0) != 1 || buf[0] != 'x') {
        fail("the listener on @%s does not accept the new client: %m", name);
    }
    pass();
}
