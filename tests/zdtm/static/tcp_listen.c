/*
 * tcp_listen — listening TCP sockets, IPv4 and IPv6, with their options.
 *
 * An IPv4 listener on 127.0.0.1 (SO_REUSEADDR, TCP_NODELAY, a backlog of 7, O_NONBLOCK) and an
 * IPv6-only listener on ::1 (IPV6_V6ONLY, SO_RCVBUF) on ports the kernel picks. A restore must
 * bind each to the same address and port with the same options and listen again: after
 * SIGTERM each accepts a new connection and carries a message both ways.
 */
#include "../lib/zdtm.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int option(int fd, int level, int name)
{
    int value = -1;
    socklen_t len = sizeof(value);
    getsockopt(fd, level, name, &value, &len);
    return value;
}

/* The sockaddr of address and port in addr; returns its length. */
static socklen_t fill(int family, const char *address, int port, struct sockaddr_storage *addr)
{
    memset(addr, 0, sizeof(*addr));
    if (family == AF_INET) {
        struct sockaddr_in *a = (struct sockaddr_in *)addr;
        a->sin_family = AF_INET;
        a->sin_port = htons(port);
        inet_pton(AF_INET, address, &a->sin_addr);
        return sizeof(*a);
    }
    struct sockaddr_in6 *a = (struct sockaddr_in6 *)addr;
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(port);
    inet_pton(AF_INET6, address, &a->sin6_addr);
    return sizeof(*a);
}

static int listen_on(int family, const char *address, int *port)
{
    struct sockaddr_storage addr;
    socklen_t len = fill(family, address, 0, &addr);
    int fd = socket(family, SOCK_STREAM, 0);
    int one = 1, rcvbuf = 40000;
    if (fd < 0
        || (family == AF_INET && (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0
                                  || setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) < 0))
        || (family == AF_INET6 && (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0
                                   || setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)) < 0))
        || bind(fd, (struct sockaddr *)&addr, len) < 0 || listen(fd, 7) < 0
        || getsockname(fd, (struct sockaddr *)&addr, &len) < 0) {
        fail("listening on %s: %m", address);
    }
    *port = ntohs(family == AF_INET ? ((struct sockaddr_in *)&addr)->sin_port : ((struct sockaddr_in6 *)&addr)->sin6_port);
    return fd;
}

/* Connects to the listener's port, accepts, and carries a message both ways; NULL on success. */
static const char *exchange(int listener, int family, const char *address, int port)
{
    static char why[160];
    struct sockaddr_storage addr;
    socklen_t len = fill(family, address, port, &addr);
    int client = socket(family, SOCK_STREAM, 0);
    if (client < 0 || connect(client, (struct sockaddr *)&addr, len) < 0) {
        snprintf(why, sizeof(why), "connect to %s port %d: %s", address, port, strerror(errno));
        return why;
    }
    struct pollfd p = {.fd = listener, .events = POLLIN};
    int server = poll(&p, 1, 5000) == 1 ? accept(listener, NULL, NULL) : -1;
    char got[8] = {0};
    if (server < 0 || send(client, "ping", 4, 0) != 4 || recv(server, got, 4, MSG_WAITALL) != 4 || strcmp(got, "ping") != 0
        || send(server, "pong", 4, 0) != 4 || recv(client, got, 4, MSG_WAITALL) != 4 || strcmp(got, "pong") != 0) {
        snprintf(why, sizeof(why), "no exchange through the listener on %s port %d: %s", address, port, strerror(errno));
        return why;
    }
    close(server);
    close(client);
    return NULL;
}

int main(int argc, char **argv)
{
    test_init(argc, argv);
    test_daemon();
    int port4, port6;
    int v4 = listen_on(AF_INET, "127.0.0.1", &port4);
    int v6 = listen_on(AF_INET6, "::1", &port6);
    fcntl(v4, F_SETFL, O_NONBLOCK);
    int rcvbuf6 = option(v6, SOL_SOCKET, SO_RCVBUF);
    test_waitsig();

    struct sockaddr_in a4;
    struct sockaddr_in6 a6;
    socklen_t l4 = sizeof(a4), l6 = sizeof(a6);
    if (getsockname(v4, (struct sockaddr *)&a4, &l4) < 0 || ntohs(a4.sin_port) != port4 || a4.sin_addr.s_addr != htonl(INADDR_LOOPBACK)) {
        fail("the IPv4 listener is no longer on 127.0.0.1 port %d", port4);
    }
    if (getsockname(v6, (struct sockaddr *)&a6, &l6) < 0 || ntohs(a6.sin6_port) != port6 || !IN6_IS_ADDR_LOOPBACK(&a6.sin6_addr)) {
        fail("the IPv6 listener is no longer on ::1 port %d", port6);
    }
    if (option(v4, SOL_SOCKET, SO_ACCEPTCONN) != 1 || option(v6, SOL_SOCKET, SO_ACCEPTCONN) != 1) {
        fail("a listener no longer listens");
    }
    if (option(v4, SOL_SOCKET, SO_REUSEADDR) != 1 || option(v4, IPPROTO_TCP, TCP_NODELAY) != 1 || !(fcntl(v4, F_GETFL) & O_NONBLOCK)) {
        fail("the IPv4 listener lost SO_REUSEADDR, TCP_NODELAY or O_NONBLOCK");
    }
    if (option(v6, IPPROTO_IPV6, IPV6_V6ONLY) != 1 || option(v6, SOL_SOCKET, SO_RCVBUF) != rcvbuf6) {
        fail("the IPv6 listener lost IPV6_V6ONLY or its SO_RCVBUF of %d (now %d)", rcvbuf6, option(v6, SOL_SOCKET, SO_RCVBUF));
    }
    const char *why = exchange(v4, AF_INET, "127.0.0.1", port4);
    if (why == NULL) {
        why = exchange(v6, AF_INET6, "::1", port6);
    }
    test_verdict(why);
}
