/*
 * fifo_data — a named pipe keeps its node, its data and its ends.
 *
 * The root makes a FIFO in its work directory and opens it three times: a reader (O_RDONLY,
 * O_NONBLOCK, so the open does not wait), a writer (O_WRONLY) and an O_RDWR end. It writes
 * ROOT_LEN bytes through the writer, and a child that inherited the writer writes CHILD_LEN
 * more. After SIGTERM the root checks that the path is still a FIFO, reads all the data in
 * order through the reader (which kept O_NONBLOCK), sends a few bytes through the O_RDWR end
 * and reads them back through the reader; once the child has exited and the root closed its
 * writers, the reader sees end-of-file.
 */
#include "../lib/zdtm.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ROOT_LEN 2000
#define CHILD_LEN 500

static int s_rd, s_wr, s_rw;

static unsigned char byte_at(size_t i)
{
    return (unsigned char)((i * 13u + 5u) & 0xff);
}

static void child_body(void *arg)
{
    (void)arg;
    close(s_rd);
    close(s_rw);
    unsigned char buf[CHILD_LEN];
    for (size_t i = 0; i < CHILD_LEN; i++) {
        buf[i] = byte_at(ROOT_LEN + i);
    }
    if (write(s_wr, buf, sizeof(buf)) != (ssize_t)sizeof(buf)) {
        child_fail("write: %m");
    }
    test_child_ready();
    test_waitsig();
    test_child_exit(NULL);
}

/* Reads exactly len bytes from the non-blocking reader, waiting a little for each part. */
static ssize_t read_some(int fd, unsigned char *buf, size_t len)
{
    size_t have = 0;
    for (int tries = 0; have < len && tries < 1000; tries++) {
        ssize_t n = read(fd, buf + have, len - have);
        if (n > 0) {
            have += (size_t)n;
        } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
            break;
        } else {
            usleep(1000);
        }
    }
    return (ssize_t)have;
}

int main(int argc, char **argv)
{
    test_init(argc, argv);
    test_daemon();
    char path[4200];
    snprintf(path, sizeof(path), "%s/data.fifo", test_workdir());
    unlink(path);
    if (mkfifo(path, 0640) < 0) {
        fail("mkfifo %s: %m", path);
    }
    s_rd = open(path, O_RDONLY | O_NONBLOCK);
    s_wr = open(path, O_WRONLY);
    s_rw = open(path, O_RDWR);
    if (s_rd < 0 || s_wr < 0 || s_rw < 0) {
        fail("open %s: %m", path);
    }
    unsigned char buf[ROOT_LEN + CHILD_LEN];
    for (size_t i = 0; i < ROOT_LEN; i++) {
        buf[i] = byte_at(i);
    }
    if (write(s_wr, buf, ROOT_LEN) != ROOT_LEN) {
        fail("write: %m");
    }
    pid_t child = test_fork_child(child_body, NULL);

    test_waitsig();

    const char *why = NULL;
    static char text[200];
    struct stat st;
    if (stat(path, &st) < 0 || !S_ISFIFO(st.st_mode) || (st.st_mode & 0777) != 0640) {
        why = "the FIFO node is gone or changed";
    }
    if (why == NULL && !(fcntl(s_rd, F_GETFL) & O_NONBLOCK)) {
        why = "the reader lost O_NONBLOCK";
    }
    memset(buf, 0, sizeof(buf));
    ssize_t n = why == NULL ? read_some(s_rd, buf, sizeof(buf)) : 0;
    if (why == NULL && n != (ssize_t)sizeof(buf)) {
        snprintf(text, sizeof(text), "read %zd of %zu buffered bytes", n, sizeof(buf));
        why = text;
    }
    for (size_t i = 0; why == NULL && i < sizeof(buf); i++) {
        if (buf[i] != byte_at(i)) {
            snprintf(text, sizeof(text), "byte %zu is 0x%02x, expected 0x%02x", i, buf[i], byte_at(i));
            why = text;
        }
    }
    if (why == NULL) {
        char ping[] = "ping", back[sizeof(ping)];
        if (write(s_rw, ping, sizeof(ping)) != (ssize_t)sizeof(ping) ||
            read_some(s_rd, (unsigned char *)back, sizeof(back)) != (ssize_t)sizeof(back) ||
            memcmp(ping, back, sizeof(ping)) != 0) {
            why = "bytes written through the O_RDWR end did not reach the reader";
        }
    }
    const char *names[] = {"child"};
    const char *how = test_end_children(&child, names, 1);
    if (why != NULL || how != NULL) {
        fail("%s", why != NULL ? why : how);
    }
    close(s_wr);
    close(s_rw);
    char extra;
    if (read(s_rd, &extra, 1) != 0) {
        fail("no end of file once every writer was closed");
    }
    unlink(path);
    pass();
}
