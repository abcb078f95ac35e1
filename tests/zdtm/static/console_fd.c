/*
 * console_fd — descriptors on the machine's console devices: /dev/console (5:1) open for
 * writing and the virtual console /dev/tty1 (4:1) open for reading, neither as a controlling
 * terminal. They belong to the machine, not to the tree, so a restore reopens them by path:
 * each descriptor must still be the same device with the same access mode and flags.
 */
#include "../lib/zdtm.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

struct device {
    const char *path;
    int fd;
    int flags;
    unsigned int major, minor;
};

static struct device s_devices[] = {
    {"/dev/console", 22, O_WRONLY | O_NOCTTY | O_APPEND, 5, 1},
    {"/dev/tty1", 23, O_RDONLY | O_NOCTTY | O_NONBLOCK, 4, 1},
};

int main(int argc, char **argv)
{
    test_init(argc, argv);
    test_daemon();

    for (size_t i = 0; i < sizeof(s_devices) / sizeof(s_devices[0]); i++) {
        struct device *d = &s_devices[i];
        int fd = open(d->path, d->flags);
        if (fd < 0 || dup2(fd, d->fd) < 0) {
            fail("open %s: %m", d->path);
        }
        close(fd);
    }

    test_waitsig();

    for (size_t i = 0; i < sizeof(s_devices) / sizeof(s_devices[0]); i++) {
        struct device *d = &s_devices[i];
        struct stat st;
        int flags = fcntl(d->fd, F_GETFL);
        if (fstat(d->fd, &st) < 0 || !S_ISCHR(st.st_mode)) {
            fail("fd %d (%s) is gone or no character device: %m", d->fd, d->path);
        }
        if (major(st.st_rdev) != d->major || minor(st.st_rdev) != d->minor) {
            fail("fd %d is device %u:%u, expected %s (%u:%u)", d->fd, major(st.st_rdev), minor(st.st_rdev), d->path, d->major, d->minor);
        }
        int wanted = d->flags & ~O_NOCTTY;
        if ((flags & (O_ACCMODE | O_APPEND | O_NONBLOCK)) != wanted) {
            fail("fd %d (%s) has flags 0%o, expected 0%o", d->fd, d->path, flags, wanted);
        }
    }
    pass();
}
