/*
 * tcp_stream — a TCP server that streams a running counter and echoes what it receives.
 *
 * Every connection carries, from the server, 16-byte records: (1, n) for the counter n = 1, 2,
 * 3, ... and (2, w) echoing each 8-byte word w the client sent; the client sends 1, 2, 3, ...
 * and checks both kinds of record. The server checks the client's words. A checkpoint finds the
 * connection established with data queued both ways; restored by TCP repair, the byte streams
 * must go on with no gap, no duplicate and no reset. The server's sockets carry options an
 * application sets (TCP_NODELAY, SO_KEEPALIVE with TCP_KEEPIDLE, buffer sizes, SO_REUSEADDR,
 * O_NONBLOCK), checked again at the end.
 *
 * Alone (the C/R matrix) the tree holds both ends: the root listens on 127.0.0.1 and a child
 * is the client. With TCP_STREAM_LISTEN="ADDRESS PORT" in the environment the root only
 * listens there and serves every client that connects — the client is then a peer outside the
 * tree (tests/SessionKeeper.CR.Tests/TcpTests.cs), and may connect new clients after a restore.
 */
#include "../lib/zdtm.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNS 8
#define OUT_LIMIT (64 * 1024)
#define KEEPIDLE 77
#define SNDBUF (32 * 1024)
#define RCVBUF (48 * 1024)

struct conn {
    int fd;
    unsigned char out[OUT_LIMIT + 1024];
    size_t out_len;
    unsigned char in[8];
    size_t in_len;
    uint64_t counter;   /* last counter value queued */
    uint64_t expected;  /* next word expected from the client */
    int sndbuf, rcvbuf; /* as read right after setting them */
};

static struct conn conns[MAX_CONNS];
static char failure[256];

static void record_failure(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void record_failure(const char *fmt, ...)
{
    /* Once SIGTERM is in, the other end may be gone already: in a pid namespace every
     * process gets it at once, and a client that exits with data unread resets the connection. */
    if (failure[0] == '\0' && !test_stop_requested()) {
        va_list args;
        va_start(args, fmt);
        vsnprintf(failure, sizeof(failure), fmt, args);
        va_end(args);
        test_msg("%s", failure);
    }
}

static int getopt_int(int fd, int level, int name)
{
    int value = -1;
    socklen_t len = sizeof(value);
    if (getsockopt(fd, level, name, &value, &len) < 0) {
        return -1;
    }
    return value;
}

static void set_options(struct conn *c)
{
    int one = 1, idle = KEEPIDLE, snd = SNDBUF, rcv = RCVBUF;
    if (setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) < 0
        || setsockopt(c->fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one)) < 0
        || setsockopt(c->fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle)) < 0
        || setsockopt(c->fd, SOL_SOCKET, SO_SNDBUF, &snd, sizeof(snd)) < 0
        || setsockopt(c->fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv)) < 0
        || fcntl(c->fd, F_SETFL, O_NONBLOCK) < 0) {
        fail("setting the connection's options: %m");
    }
    c->sndbuf = getopt_int(c->fd, SOL_SOCKET, SO_SNDBUF);
    c->rcvbuf = getopt_int(c->fd, SOL_SOCKET, SO_RCVBUF);
}

/* NULL when the options set on the connection are all still there. */
static const char *options_changed(const struct conn *c)
{
    static char why[160];
    int nodelay = getopt_int(c->fd, IPPROTO_TCP, TCP_NODELAY);
    int keepalive = getopt_int(c->fd, SOL_SOCKET, SO_KEEPALIVE);
    int idle = getopt_int(c->fd, IPPROTO_TCP, TCP_KEEPIDLE);
    int snd = getopt_int(c->fd, SOL_SOCKET, SO_SNDBUF);
    int rcv = getopt_int(c->fd, SOL_SOCKET, SO_RCVBUF);
    int flags = fcntl(c->fd, F_GETFL);
    if (nodelay != 1 || keepalive != 1 || idle != KEEPIDLE || snd != c->sndbuf || rcv != c->rcvbuf || !(flags & O_NONBLOCK)) {
        snprintf(why, sizeof(why), "options changed: nodelay %d keepalive %d keepidle %d sndbuf %d (was %d) rcvbuf %d (was %d) flags 0x%x",
                 nodelay, keepalive, idle, snd, c->sndbuf, rcv, c->rcvbuf, flags);
        return why;
    }
    return NULL;
}

static void queue_record(struct conn *c, uint64_t tag, uint64_t value)
{
    memcpy(c->out + c->out_len, &tag, 8);
    memcpy(c->out + c->out_len + 8, &value, 8);
    c->out_len += 16;
}

/* Reads what the client sent; returns 0 once the connection is over. */
static int serve_input(struct conn *c)
{
    unsigned char buf[4096];
    /* Every word becomes a 16-byte echo, and a word completed from c->in one more. */
    if (c->out_len + 64 >= OUT_LIMIT) {
        return 1;
    }
    size_t room = (OUT_LIMIT - c->out_len - 32) / 2;
    ssize_t n = recv(c->fd, buf, room < sizeof(buf) ? room : sizeof(buf), 0);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
        return 1;
    }
    if (n < 0) {
        record_failure("recv after word %llu: %m", (unsigned long long)(c->expected - 1));
        return 0;
    }
    if (n == 0) {
        test_msg("a client closed its connection after %llu words", (unsigned long long)(c->expected - 1));
        return 0;
    }
    for (ssize_t i = 0; i < n; i++) {
        c->in[c->in_len++] = buf[i];
        if (c->in_len == 8) {
            uint64_t word;
            memcpy(&word, c->in, 8);
            if (word != c->expected) {
                record_failure("client word %llu arrived as %llu", (unsigned long long)c->expected, (unsigned long long)word);
            }
            c->expected++;
            c->in_len = 0;
            queue_record(c, 2, word);
        }
    }
    return 1;
}

static int serve_output(struct conn *c)
{
    if (c->out_len < 4096) {
        for (int i = 0; i < 64; i++) {
            queue_record(c, 1, ++c->counter);
        }
    }
    ssize_t n = send(c->fd, c->out, c->out_len, MSG_NOSIGNAL);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
        return 1;
    }
    if (n < 0) {
        record_failure("send after counter %llu: %m", (unsigned long long)c->counter);
        return 0;
    }
    memmove(c->out, c->out + n, c->out_len - (size_t)n);
    c->out_len -= (size_t)n;
    return 1;
}

/* The in-tree client of the matrix: sends words, checks counter and echo records. */
static void client(void *arg)
{
    int port = *(int *)arg;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (fd < 0 || connect(fd, (struct sockaddr *)&to, sizeof(to)) < 0) {
        child_fail("connect to 127.0.0.1:%d: %m", port);
    }
    fcntl(fd, F_SETFL, O_NONBLOCK);
    test_child_ready();
    uint64_t next_word = 1, counter = 0, echo = 0;
    unsigned char rec[16];
    size_t rec_len = 0, word_off = 0;
    while (!test_stop_requested()) {
        struct pollfd p = {.fd = fd, .events = POLLIN | (next_word - echo < 4096 ? POLLOUT : 0)};
        if (poll(&p, 1, 100) < 0 && errno != EINTR) {
            child_fail("poll: %m");
        }
        if (test_stop_requested()) {
            break; /* the server may already be gone (see record_failure) */
        }
        if (p.revents & (POLLERR | POLLHUP)) {
            child_fail("the connection failed after counter %llu", (unsigned long long)counter);
        }
        if (p.revents & POLLOUT) {
            unsigned char w[8];
            memcpy(w, &next_word, 8);
            ssize_t n = send(fd, w + word_off, 8 - word_off, MSG_NOSIGNAL);
            if (n < 0 && errno != EAGAIN && errno != EINTR && !test_stop_requested()) {
                child_fail("send: %m");
            }
            if (n > 0 && (word_off += (size_t)n) == 8) {
                word_off = 0;
                next_word++;
            }
        }
        unsigned char buf[4096];
        ssize_t n = recv(fd, buf, sizeof(buf), 0);
        if ((n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) && !test_stop_requested()) {
            child_fail("recv after counter %llu: %zd %m", (unsigned long long)counter, n);
        }
        for (ssize_t i = 0; i < n; i++) {
            rec[rec_len++] = buf[i];
            if (rec_len < 16) {
                continue;
            }
            rec_len = 0;
            uint64_t tag, value;
            memcpy(&tag, rec, 8);
            memcpy(&value, rec + 8, 8);
            uint64_t *last = tag == 1 ? &counter : &echo;
            if ((tag != 1 && tag != 2) || value != *last + 1) {
                child_fail("record (%llu, %llu) after %llu", (unsigned long long)tag, (unsigned long long)value, (unsigned long long)*last);
            }
            *last = value;
        }
    }
    if (counter == 0 || echo == 0) {
        child_fail("nothing came back (counter %llu, echo %llu)", (unsigned long long)counter, (unsigned long long)echo);
    }
    test_msg("client: counter %llu, echo %llu", (unsigned long long)counter, (unsigned long long)echo);
    _exit(0);
}

int main(int argc, char **argv)
{
    test_init(argc, argv);
    const char *listen_at = getenv("TCP_STREAM_LISTEN");
    char address[64] = "127.0.0.1";
    int port = 0;
    if (listen_at != NULL && sscanf(listen_at, "%63s %d", address, &port) != 2) {
        fail("TCP_STREAM_LISTEN must be \"ADDRESS PORT\", not \"%s\"", listen_at);
    }
    test_daemon();

    struct addrinfo hints = {.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE, .ai_socktype = SOCK_STREAM}, *found;
    char service[16];
    snprintf(service, sizeof(service), "%d", port);
    if (getaddrinfo(address, service, &hints, &found) != 0) {
        fail("%s is not a numeric address", address);
    }
    struct sockaddr_storage addr;
    socklen_t addr_len = found->ai_addrlen;
    int family = found->ai_family;
    memcpy(&addr, found->ai_addr, addr_len);
    freeaddrinfo(found);
    int listener = socket(family, SOCK_STREAM, 0);
    int one = 1;
    if (listener < 0 || setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0
        || bind(listener, (struct sockaddr *)&addr, addr_len) < 0 || listen(listener, 16) < 0
        || getsockname(listener, (struct sockaddr *)&addr, &addr_len) < 0) {
        fail("listening on %s %d: %m", address, port);
    }
    fcntl(listener, F_SETFL, O_NONBLOCK);
    pid_t child = 0;
    if (listen_at == NULL) {
        port = ntohs(((struct sockaddr_in *)&addr)->sin_port);
        child = test_fork_child(client, &port);
    }
    for (int i = 0; i < MAX_CONNS; i++) {
        conns[i].fd = -1;
    }
    int accepted = 0;
    /* The matrix's client is accepted before the tree is declared ready. */
    while (listen_at == NULL && accepted == 0) {
        struct pollfd p = {.fd = listener, .events = POLLIN};
        poll(&p, 1, 1000);
        int fd = accept(listener, NULL, NULL);
        if (fd >= 0) {
            conns[0].fd = fd;
            conns[0].expected = 1;
            set_options(&conns[0]);
            accepted = 1;
        }
    }
    test_ready();

    unsigned long rounds = 0;
    while (!test_stop_requested()) {
        struct pollfd polls[MAX_CONNS + 1];
        polls[0] = (struct pollfd){.fd = listener, .events = POLLIN};
        for (int i = 0; i < MAX_CONNS; i++) {
            polls[i + 1] = (struct pollfd){.fd = conns[i].fd, .events = POLLIN | POLLOUT};
        }
        if (poll(polls, MAX_CONNS + 1, 100) < 0 && errno != EINTR) {
            fail("poll: %m");
        }
        if (polls[0].revents & POLLIN) {
            int fd = accept(listener, NULL, NULL);
            for (int i = 0; fd >= 0 && i < MAX_CONNS; i++) {
                if (conns[i].fd < 0) {
                    memset(&conns[i], 0, sizeof(conns[i]));
                    conns[i].fd = fd;
                    conns[i].expected = 1;
                    set_options(&conns[i]);
                    accepted++;
                    fd = -1;
                }
            }
            if (fd >= 0) {
                close(fd);
            }
        }
        for (int i = 0; i < MAX_CONNS; i++) {
            struct conn *c = &conns[i];
            if (c->fd < 0) {
                continue;
            }
            int alive = 1;
            if (polls[i + 1].revents & (POLLIN | POLLERR | POLLHUP)) {
                alive = serve_input(c);
            }
            if (alive && (polls[i + 1].revents & POLLOUT)) {
                alive = serve_output(c);
            }
            if (!alive) {
                const char *why = options_changed(c);
                if (why != NULL) {
                    record_failure("%s", why);
                }
                close(c->fd);
                c->fd = -1;
            }
        }
        /* A nap now and then, so the stream does not take both cores. */
        if (++rounds % 64 == 0) {
            struct timespec nap = {0, 200000};
            nanosleep(&nap, NULL);
        }
    }
    for (int i = 0; i < MAX_CONNS; i++) {
        const char *why = conns[i].fd >= 0 ? options_changed(&conns[i]) : NULL;
        if (why != NULL) {
            fail("connection %d: %s", i, why);
        }
    }
    if (getopt_int(listener, SOL_SOCKET, SO_REUSEADDR) != 1 || !(fcntl(listener, F_GETFL) & O_NONBLOCK)) {
        fail("the listener lost SO_REUSEADDR or O_NONBLOCK");
    }
    if (child > 0) {
        const char *how = test_wait_child(child, "client");
        if (how != NULL) {
            fail("%s", how);
        }
    }
    if (failure[0] != '\0') {
        fail("%s", failure);
    }
    if (accepted == 0) {
        fail("no client connected");
    }
    test_msg("server: %d connection(s)", accepted);
    pass();
}
