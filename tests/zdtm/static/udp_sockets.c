/*
 * udp_sockets — UDP sockets bound and connected, IPv4 and IPv6.
 *
 * A receiver bound to 127.0.0.1 (SO_RCVBUF set), a sender bound to 127.0.0.1 and connected to
 * the receiver (SO_BROADCAST set), and an IPv6 socket bound to ::1 and connected to itself. A
 * restore must bind and connect each again with its options: after SIGTERM the names and
 * peers are checked, and datagrams go from the sender to the receiver and through the IPv6
 * socket.
 */
#include "../lib/zdtm.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int option(int fd, int name)
{
    int value = -1;
    socklen_t len = sizeof(value);
    getsockopt(fd, SOL_SOCKET, name, &value, &len);
    return value;
}

int main(int argc, char **argv)
{
    test_init(argc, argv);
    test_daemon();
    struct sockaddr_in loop4 = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    struct sockaddr_in6 loop6 = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
    struct sockaddr_in rx_addr, tx_addr;
    struct sockaddr_in6 v6_addr;
    socklen_t len4 = sizeof(rx_addr), len6 = sizeof(v6_addr);
    int rx = socket(AF_INET, SOCK_DGRAM, 0), tx = socket(AF_INET, SOCK_DGRAM, 0), v6 = socket(AF_INET6, SOCK_DGRAM, 0);
    int rcvbuf = 50000, one = 1;
    if (rx < 0 || tx < 0 || v6 < 0
        || setsockopt(rx, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)) < 0
        || setsockopt(tx, SOL_SOCKET, SO_BROADCAST, &one, sizeof(one)) < 0
        || bind(rx, (struct sockaddr *)&loop4, sizeof(loop4)) < 0
        || getsockname(rx, (struct sockaddr *)&rx_addr, &len4) < 0
        || bind(tx, (struct sockaddr *)&loop4, sizeof(loop4)) < 0
        || connect(tx, (struct sockaddr *)&rx_addr, sizeof(rx_addr)) < 0
        || bind(v6, (struct sockaddr *)&loop6, sizeof(loop6)) < 0
        || getsockname(v6, (struct sockaddr *)&v6_addr, &len6) < 0
        || connect(v6, (struct sockaddr *)&v6_addr, sizeof(v6_addr)) < 0) {
        fail("setting up the UDP sockets: %m");
    }
    len4 = sizeof(tx_addr);
    getsockname(tx, (struct sockaddr *)&tx_addr, &len4);
    int rx_buf = option(rx, SO_RCVBUF);
    test_waitsig();

    struct sockaddr_in now4;
    struct sockaddr_in6 now6;
    socklen_t l4 = sizeof(now4), l6 = sizeof(now6);
    if (getsockname(rx, (struct sockaddr *)&now4, &l4) < 0 || now4.sin_port != rx_addr.sin_port) {
        fail("the receiver is no longer bound to port %d", ntohs(rx_addr.sin_port));
    }
    l4 = sizeof(now4);
    if (getpeername(tx, (struct sockaddr *)&now4, &l4) < 0 || now4.sin_port != rx_addr.sin_port) {
        fail("the sender is no longer connected to port %d: %m", ntohs(rx_addr.sin_port));
    }
    l4 = sizeof(now4);
    if (getsockname(tx, (struct sockaddr *)&now4, &l4) < 0 || now4.sin_port != tx_addr.sin_port) {
        fail("the sender is no longer bound to port %d", ntohs(tx_addr.sin_port));
    }
    if (getpeername(v6, (struct sockaddr *)&now6, &l6) < 0 || now6.sin6_port != v6_addr.sin6_port) {
        fail("the IPv6 socket is no longer connected to itself: %m");
    }
    if (option(rx, SO_RCVBUF) != rx_buf || option(tx, SO_BROADCAST) != 1) {
        fail("options lost: SO_RCVBUF %d (was %d), SO_BROADCAST %d", option(rx, SO_RCVBUF), rx_buf, option(tx, SO_BROADCAST));
    }
    char got[16] = {0};
    struct sockaddr_in from;
    socklen_t from_len = sizeof(from);
    if (send(tx, "datagram", 8, 0) != 8 || recvfrom(rx, got, sizeof(got), 0, (struct sockaddr *)&from, &from_len) != 8
        || strcmp(got, "datagram") != 0 || from.sin_port != tx_addr.sin_port) {
        fail("no datagram from the sender to the receiver: %m");
    }
    memset(got, 0, sizeof(got));
    if (send(v6, "six", 3, 0) != 3 || recv(v6, got, sizeof(got), 0) != 3 || strcmp(got, "six") != 0) {
        fail("no datagram through the IPv6 socket: %m");
    }
    pass();
}
