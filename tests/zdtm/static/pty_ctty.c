/*
 * pty_ctty — a session with a pty slave as its controlling terminal and a foreground process
 * group other than the leader's.
 *
 *     root              holds the master
 *     └─ leader         setsid; opens the slave (so it becomes the controlling terminal),
 *        │              makes fg the foreground group, then closes its slave fd
 *        └─ fg          its own process group (the foreground), holds the slave
 *
 * The leader keeps no fd of its terminal, so a restore has to bring one in to make it the
 * controlling terminal again. After SIGTERM the root writes ^C to the master: the foreground
 * group must get SIGINT, the leader (in the background) must not. The leader checks getsid,
 * that /dev/tty opens, its tcgetpgrp, and that /proc/self/stat tty_nr is the device /dev/tty
 * stands for; fg checks its tcgetpgrp and tty_nr against the fstat of its slave fd.
 */
#include "../lib/zdtm.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static char s_slave_path[64];
static int s_master = -1;
static volatile sig_atomic_t s_sigint;

static void on_sigint(int sig)
{
    (void)sig;
    s_sigint = 1;
}

static int got_sigint(void *arg)
{
    (void)arg;
    return s_sigint;
}

/* tty_nr of /proc/self/stat (field 7). */
static unsigned int own_tty_nr(void)
{
    char buf[1024];
    int fd = open("/proc/self/stat", O_RDONLY);
    ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0) {
        child_fail("read /proc/self/stat: %m");
    }
    buf[n] = '\0';
    int pid, ppid, pgrp, session, tty_nr;
    char state;
    const char *after_comm = strrchr(buf, ')');
    if (after_comm == NULL ||
        sscanf(after_comm + 2, "%c %d %d %d %d", &state, &ppid, &pgrp, &session, &tty_nr) != 5) {
        child_fail("cannot parse /proc/self/stat");
    }
    (void)pid;
    return (unsigned int)tty_nr;
}

/* The tty_nr encoding of a dev_t (new_encode_dev). */
static unsigned int encode(dev_t dev)
{
    unsigned int ma = major(dev), mi = minor(dev);
    return (mi & 0xff) | (ma << 8) | ((mi & ~0xffu) << 12);
}

static void fg_body(void *arg)
{
    (void)arg;
    if (setpgid(0, 0) < 0) {
        child_fail("setpgid: %m");
    }
    test_sigaction(SIGINT, on_sigint, 0);
    test_child_ready();
    test_waitsig();
    /* The root writes ^C once it has SIGTERM too. */
    if (!test_wait_until(got_sigint, NULL, 10)) {
        child_fail("no SIGINT from ^C on the terminal");
    }
    struct stat st;
    if (tcgetpgrp(20) != getpgrp() || fstat(20, &st) < 0) {
        child_fail("tcgetpgrp says %d, own group %d: %m", (int)tcgetpgrp(20), (int)getpgrp());
    }
    if (own_tty_nr() != encode(st.st_rdev)) {
        child_fail("tty_nr 0x%x, the slave is 0x%x", own_tty_nr(), encode(st.st_rdev));
    }
    test_child_exit(NULL);
}

static void leader_body(void *arg)
{
    (void)arg;
    close(s_master); /* only the root holds the master */
    if (setsid() < 0) {
        child_fail("setsid: %m");
    }
    int fd = open(s_slave_path, O_RDWR); /* without O_NOCTTY: the controlling terminal */
    if (fd < 0 || dup2(fd, 20) < 0) {
        child_fail("open %s: %m", s_slave_path);
    }
    if (fd != 20) {
        close(fd);
    }
    test_sigaction(SIGINT, on_sigint, 0);
    pid_t fg = test_fork_child(fg_body, NULL);
    if (tcsetpgrp(20, fg) < 0) {
        child_fail("tcsetpgrp: %m");
    }
    close(20);
    test_child_ready();
    test_waitsig();

    const char *why = NULL;
    static char text[256];
    int tty = open("/dev/tty", O_RDWR);
    unsigned int dev = 0;
    if (getsid(0) != getpid()) {
        snprintf(text, sizeof(text), "getsid %d, expected %d", (int)getsid(0), (int)getpid());
        why = text;
    } else if (tty < 0) {
        snprintf(text, sizeof(text), "open /dev/tty: %m");
        why = text;
    } else if (tcgetpgrp(tty) != fg) {
        snprintf(text, sizeof(text), "foreground group %d, expected %d", (int)tcgetpgrp(tty), (int)fg);
        why = text;
    } else if (ioctl(tty, TIOCGDEV, &dev) < 0 || own_tty_nr() != dev) {
        snprintf(text, sizeof(text), "tty_nr 0x%x, /dev/tty is 0x%x", own_tty_nr(), dev);
        why = text;
    }
    const char *name = "fg";
    const char *ended = test_end_children(&fg, &name, 1);
    if (why == NULL && s_sigint) {
        why = "the leader, in the background group, got SIGINT";
    }
    test_child_exit(why ? why : ended);
}

int main(int argc, char **argv)
{
    test_init(argc, argv);
    test_daemon();

    int master = test_openpt(O_RDWR | O_NOCTTY, s_slave_path, sizeof(s_slave_path));
    s_master = master;
    pid_t leader = test_fork_child(leader_body, NULL);
    test_waitsig();

    if (write(master, "\x03", 1) != 1) { /* VINTR of a new terminal */
        fail("write ^C to the master: %m");
    }
    const char *name = "leader";
    test_verdict(test_end_children(&leader, &name, 1));
}
