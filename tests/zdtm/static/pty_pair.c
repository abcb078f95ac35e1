/*
 * pty_pair — a pseudo-terminal pair whose two ends are held by two processes of the tree,
 * with its settings and with data queued in both directions.
 *
 * The root holds the master in packet mode and sets the window size; the child holds the
 * slave, sets termios (canonical, no echo, its own VINTR character), writes a text that the
 * master does not read (the output queue) and the root writes a line and half of another that
 * the slave does not read (the input queue). After SIGTERM the child checks its termios, the
 * window size and that it reads exactly the queued input, the line first and then, with
 * ICANON off, the unfinished rest; the root checks packet mode, that it reads exactly the
 * queued output (behind the packet-mode data header). The child also checks that the path of
 * its fd names its device (/dev/pts/N of the restored pair).
 */
#include "../lib/zdtm.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#define OUTPUT_TEXT "output the master has not read\n"
#define INPUT_LINE "a whole line\n"
#define INPUT_REST "and half a"
#define SLAVE_FD 20
#define INTR_CHAR 0x07

static struct winsize s_size = {33, 111, 7, 9};
static char s_slave_path[64];
static int s_master = -1;

static void child_body(void *arg)
{
    (void)arg;
    close(s_master); /* only the root holds the master */
    int fd = open(s_slave_path, O_RDWR | O_NOCTTY);
    if (fd < 0 || dup2(fd, SLAVE_FD) < 0) {
        child_fail("open %s: %m", s_slave_path);
    }
    close(fd);
    struct termios t;
    if (tcgetattr(SLAVE_FD, &t) < 0) {
        child_fail("tcgetattr: %m");
    }
    t.c_lflag |= ICANON;
    t.c_lflag &= ~(ECHO | ECHOE | ECHOK);
    t.c_oflag &= ~ONLCR;
    t.c_cc[VINTR] = INTR_CHAR;
    if (tcsetattr(SLAVE_FD, TCSANOW, &t) < 0) {
        child_fail("tcsetattr: %m");
    }
    if (write(SLAVE_FD, OUTPUT_TEXT, strlen(OUTPUT_TEXT)) != (ssize_t)strlen(OUTPUT_TEXT)) {
        child_fail("write to the slave: %m");
    }
    test_child_ready();
    test_waitsig();

    struct termios now;
    struct winsize size;
    if (tcgetattr(SLAVE_FD, &now) < 0 || ioctl(SLAVE_FD, TIOCGWINSZ, &size) < 0) {
        child_fail("tcgetattr/TIOCGWINSZ after restore: %m");
    }
    if (now.c_iflag != t.c_iflag || now.c_oflag != t.c_oflag || now.c_cflag != t.c_cflag ||
        now.c_lflag != t.c_lflag || memcmp(now.c_cc, t.c_cc, NCCS) != 0) {
        child_fail("termios changed: iflag %x/%x oflag %x/%x cflag %x/%x lflag %x/%x",
                   now.c_iflag, t.c_iflag, now.c_oflag, t.c_oflag, now.c_cflag, t.c_cflag,
                   now.c_lflag, t.c_lflag);
    }
    if (memcmp(&size, &s_size, sizeof(size)) != 0) {
        child_fail("window size %ux%u (%ux%u px), expected %ux%u (%ux%u px)", size.ws_row,
                   size.ws_col, size.ws_xpixel, size.ws_ypixel, s_size.ws_row, s_size.ws_col,
                   s_size.ws_xpixel, s_size.ws_ypixel);
    }
    /* The path of the fd names the device it is (a restore at another index renames it). */
    char link[PATH_MAX];
    ssize_t len = readlink("/proc/self/fd/20", link, sizeof(link) - 1);
    link[len > 0 ? len : 0] = '\0';
    struct stat by_path, by_fd;
    if (stat(link, &by_path) < 0 || fstat(SLAVE_FD, &by_fd) < 0 || by_path.st_rdev != by_fd.st_rdev) {
        child_fail("the slave fd's path %s does not name its device", link);
    }
    int queued = 0;
    if (ioctl(SLAVE_FD, FIONREAD, &queued) < 0 || queued != (int)strlen(INPUT_LINE)) {
        child_fail("FIONREAD says %d bytes of complete lines, expected %zu", queued, strlen(INPUT_LINE));
    }
    char buf[256];
    ssize_t n = test_read(SLAVE_FD, buf, sizeof(buf));
    if (n != (ssize_t)strlen(INPUT_LINE) || memcmp(buf, INPUT_LINE, (size_t)n) != 0) {
        child_fail("the queued line reads as %zd bytes '%.*s'", n, n > 0 ? (int)n : 0, buf);
    }
    /* The unfinished line becomes readable when ICANON goes off. */
    now.c_lflag &= ~ICANON;
    now.c_cc[VMIN] = 0;
    now.c_cc[VTIME] = 0;
    if (tcsetattr(SLAVE_FD, TCSANOW, &now) < 0) {
        child_fail("tcsetattr: %m");
    }
    n = read(SLAVE_FD, buf, sizeof(buf));
    if (n != (ssize_t)strlen(INPUT_REST) || memcmp(buf, INPUT_REST, (size_t)n) != 0) {
        child_fail("the unfinished line reads as %zd bytes '%.*s'", n, n > 0 ? (int)n : 0, buf);
    }
    test_child_exit(NULL);
}

int main(int argc, char **argv)
{
    test_init(argc, argv);
    test_daemon();

    int master = test_openpt(O_RDWR | O_NOCTTY, s_slave_path, sizeof(s_slave_path));
    s_master = master;
    int one = 1;
    if (ioctl(master, TIOCPKT, &one) < 0 || ioctl(master, TIOCSWINSZ, &s_size) < 0) {
        fail("TIOCPKT/TIOCSWINSZ: %m");
    }
    pid_t child = test_fork_child(child_body, NULL);
    /* The output is in the master's queue once its reader sees it; the input goes after. */
    int queued = 0;
    for (int i = 0; i < 500 && queued < (int)strlen(OUTPUT_TEXT); i++) {
        usleep(1000);
        ioctl(master, FIONREAD, &queued);
    }
    if (queued != (int)strlen(OUTPUT_TEXT)) {
        fail("the master has %d bytes queued, expected %zu", queued, strlen(OUTPUT_TEXT));
    }
    const char *input = INPUT_LINE INPUT_REST;
    if (write(master, input, strlen(input)) != (ssize_t)strlen(input)) {
        fail("write to the master: %m");
    }
    usleep(20000);
    test_waitsig();

    int packet = 0;
    if (ioctl(master, TIOCGPKT, &packet) < 0 || packet != 1) {
        fail("packet mode is %d after restore", packet);
    }
    char buf[256];
    ssize_t n = test_read(master, buf, sizeof(buf));
    if (n != (ssize_t)strlen(OUTPUT_TEXT) + 1 || buf[0] != TIOCPKT_DATA ||
        memcmp(buf + 1, OUTPUT_TEXT, strlen(OUTPUT_TEXT)) != 0) {
        fail("the queued output reads as %zd bytes '%.*s'", n, n > 1 ? (int)n - 1 : 0, buf + 1);
    }
    const char *name = "slave holder";
    test_verdict(test_end_children(&child, &name, 1));
}
