/*
 * unix_listen_path — a unix stream socket listening on a path, like screen's and tmux's.
 *
 * The root listens on "listen.sock" (mode 0640) in the work directory, connects a client to
 * it, accepts the connection and queues a message each way without reading it. A second
 * listener, "gone.sock", has its file deleted before the checkpoint, as when /run is cleaned.
 * Work directories are deeper than sun_path allows, so both are bound through a short
 * symbolic link in /tmp to the work directory. After SIGTERM: the socket file has its mode,
 * both queued messages read back, a new client can connect and is accepted, and the deleted
 * listener still listens; if its file exists again (a restore binds its name anew), a client
 * can connect through it too.
 */
#include "../lib/zdtm.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static char link_path[64];

static void cleanup(void)
{
    unlink(link_path);
}

static socklen_t address(struct sockaddr_un *addr, const char *name)
{
    memset(addr, 0, sizeof(*addr));
    addr->sun_family = AF_UNIX;
    snprintf(addr->sun_path, sizeof(addr->sun_path), "%s/%s", link_path, name);
    return (socklen_t)sizeof(*addr);
}

static int listener(const char *name)
{
    struct sockaddr_un addr;
    socklen_t len = address(&addr, name);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&addr, len) < 0 || listen(fd, 5) < 0) {
        fail("listening on %s: %m", addr.sun_path);
    }
    return fd;
}

/* A new client connects to name and the listener accepts it; one byte goes through. */
static const char *connect_and_accept(int listen_fd, const char *name)
{
    struct sockaddr_un addr;
    socklen_t len = address(&addr, name);
    int client = socket(AF_UNIX, SOCK_STREAM, 0);
    if (client < 0 || connect(client, (struct sockaddr *)&addr, len) < 0) {
        return "a new client cannot connect";
    }
    int server = accept(listen_fd, NULL, NULL);
    char byte = 0;
    if (server < 0 || send(client, "x", 1, 0) != 1 || recv(server, &byte, 1, 0) != 1 || byte != 'x') {
        return "the listener does not accept the new client";
    }
    close(server);
    close(client);
    return NULL;
}

static int listening(int fd)
{
    int value = 0;
    socklen_t len = sizeof(value);
    return getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &value, &len) == 0 && value == 1;
}

static void expect_queued(int fd, const char *text, const char *side)
{
    char got[64];
    ssize_t n = recv(fd, got, sizeof(got), MSG_DONTWAIT);
    if (n != (ssize_t)strlen(text) || memcmp(got, text, (size_t)n) != 0) {
        fail("%s: queued message: got %zd bytes, expected \"%s\": %m", side, n, text);
    }
}

int main(int argc, char **argv)
{
    test_init(argc, argv);
    test_daemon();

    char temp[] = "/tmp/zdtm-unix-XXXXXX";
    if (mkdtemp(temp) == NULL || rmdir(temp) < 0 || symlink(test_workdir(), temp) < 0) {
        fail("a link to the work directory: %m");
    }
    snprintf(link_path, sizeof(link_path), "%s", temp);
    atexit(cleanup);

    int listen_fd = listener("listen.sock");
    struct sockaddr_un addr;
    address(&addr, "listen.sock");
    if (chmod(addr.sun_path, 0640) < 0) {
        fail("chmod %s: %m", addr.sun_path);
    }
    int client = socket(AF_UNIX, SOCK_STREAM, 0);
    if (client < 0 || connect(client, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
        fail("connect: %m");
    }
    int server = accept(listen_fd, NULL, NULL);
    if (server < 0 || send(client, "from the client", 15, 0) != 15 ||
        send(server, "from the server", 15, 0) != 15) {
        fail("accept or send: %m");
    }
    int gone_fd = listener("gone.sock");
    address(&addr, "gone.sock");
    if (unlink(addr.sun_path) < 0) {
        fail("unlink %s: %m", addr.sun_path);
    }

    test_waitsig();

    struct stat st;
    address(&addr, "listen.sock");
    if (stat(addr.sun_path, &st) < 0 || !S_ISSOCK(st.st_mode) || (st.st_mode & 07777) != 0640) {
        fail("%s: not a socket of mode 0640 (mode 0%o): %m", addr.sun_path, st.st_mode);
    }
    expect_queued(server, "from the client", "server");
    expect_queued(client, "from the server", "client");
    if (send(client, "y", 1, 0) != 1 || recv(server, addr.sun_path, 1, 0) != 1) {
        fail("the accepted connection no longer carries data: %m");
    }
    const char *why = connect_and_accept(listen_fd, "listen.sock");
    if (why != NULL) {
        fail("listen.sock: %s: %m", why);
    }
    if (!listening(gone_fd)) {
        fail("the listener of the deleted socket file no longer listens");
    }
    address(&addr, "gone.sock");
    if (stat(addr.sun_path, &st) == 0) {
        test_msg("gone.sock exists again (restored): connecting through it");
        if (!S_ISSOCK(st.st_mode) || (why = connect_and_accept(gone_fd, "gone.sock")) != NULL) {
            fail("gone.sock: %s: %m", why ? why : "not a socket");
        }
    } else if (errno != ENOENT) {
        fail("stat %s: %m", addr.sun_path);
    }
    pass();
}
