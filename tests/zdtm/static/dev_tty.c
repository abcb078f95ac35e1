/*
 * dev_tty — a process holding /dev/tty open as a descriptor of its own.
 *
 *     root              holds the master
 *     └─ leader         setsid; opens the slave (its controlling terminal), opens /dev/tty
 *                       as fd 21, then closes the slave
 *
 * /dev/tty names whatever the caller's controlling terminal is, so after a restore fd 21 must
 * still be a /dev/tty descriptor that leads to the same pty: TIOCGDEV on it gives the
 * device of the leader's tty_nr, it is open for reading and writing, and a line written to it
 * comes out of the root's master.
 */
#include "../lib/zdtm.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define DEV_TTY_FD 21

static char s_slave_path[64];
static int s_master = -1;

/* tty_nr of /proc/self/stat (field 7). */
static unsigned int own_tty_nr(void)
{
    char buf[1024];
    int fd = open("/proc/self/stat", O_RDONLY);
    ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
    close(fd);
    int ppid, pgrp, session, tty_nr;
    char state;
    const char *after_comm = n > 0 ? (buf[n] = '\0', strrchr(buf, ')')) : NULL;
    if (after_comm == NULL ||
        sscanf(after_comm + 2, "%c %d %d %d %d", &state, &ppid, &pgrp, &session, &tty_nr) != 5) {
        child_fail("cannot read /proc/self/stat");
    }
    return (unsigned int)tty_nr;
}

static void leader_body(void *arg)
{
    (void)arg;
    close(s_master);
    if (setsid() < 0) {
        child_fail("setsid: %m");
    }
    int slave = open(s_slave_path, O_RDWR); /* without O_NOCTTY: the controlling terminal */
    int tty = open("/dev/tty", O_RDWR);
    if (slave < 0 || tty < 0 || dup2(tty, DEV_TTY_FD) < 0) {
        child_fail("open %s and /dev/tty: %m", s_slave_path);
    }
    close(tty);
    close(slave);
    test_child_ready();
    test_waitsig();

    struct stat st;
    unsigned int dev = 0;
    int flags = fcntl(DEV_TTY_FD, F_GETFL);
    if (fstat(DEV_TTY_FD, &st) < 0 || !S_ISCHR(st.st_mode) || major(st.st_rdev) != 5 || minor(st.st_rdev) != 0) {
        child_fail("fd %d is no longer /dev/tty", DEV_TTY_FD);
    }
    if ((flags & O_ACCMODE) != O_RDWR) {
        child_fail("fd %d has flags 0%o, expected O_RDWR", DEV_TTY_FD, flags);
    }
    if (ioctl(DEV_TTY_FD, TIOCGDEV, &dev) < 0 || dev != own_tty_nr()) {
        child_fail("/dev/tty leads to 0x%x, the controlling terminal is 0x%x: %m", dev, own_tty_nr());
    }
    if (write(DEV_TTY_FD, "via-dev-tty\n", 12) != 12) {
        child_fail("write to /dev/tty: %m");
    }
    test_child_exit(NULL);
}

int main(int argc, char **argv)
{
    test_init(argc, argv);
    test_daemon();

    s_master = test_openpt(O_RDWR | O_NOCTTY, s_slave_path, sizeof(s_slave_path));
    pid_t leader = test_fork_child(leader_body, NULL);
    test_waitsig();

    const char *name = "leader";
    const char *ended = test_end_children(&leader, &name, 1);
    if (ended != NULL) {
        fail("%s", ended);
    }
    char buf[64] = {0};
    ssize_t n = read(s_master, buf, sizeof(buf) - 1);
    /* The slave's output processing turns \n into \r\n. */
    if (n < 0 || strstr(buf, "via-dev-tty") == NULL) {
        fail("the master read '%s' (%zd bytes), not the leader's line: %m", buf, n);
    }
    pass();
}
