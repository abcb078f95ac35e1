/*
 * file_positions — open regular files keep their numbers, modes, flags and positions.
 *
 * A restore reopens each file and has to give back the same descriptor number, the same access
 * mode and status flags (O_APPEND, O_NONBLOCK), the close-on-exec flag, and the same position.
 * The root opens, in the work directory:
 *   - a data file O_RDONLY, read up to offset 1234;
 *   - another O_RDWR|O_NONBLOCK, written with 5000 bytes, then moved back to offset 777;
 *   - a log O_WRONLY|O_APPEND with three lines written;
 *   - the data file again at descriptor 77 with O_CLOEXEC, at its own offset 99;
 *   - /dev/null at descriptor 50.
 * After SIGTERM: the set of descriptors in /proc/self/fd is what it was, each one names the
 * same file (device and inode), F_GETFL, F_GETFD and lseek(SEEK_CUR) are unchanged, and the
 * files act on it: the next read from the data file is the byte at 1234, a write to the O_RDWR
 * file lands at 777, and a write to the log is appended after its three lines however the
 * position was moved.
 */
#include "../lib/zdtm.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DATA_SIZE 8192
#define FLAG_MASK (O_ACCMODE | O_APPEND | O_NONBLOCK)

struct file {
    const char *name; /* in the work directory, or an absolute path */
    int flags;
    int fd;           /* where it must be: -1 for wherever open() puts it */
    off_t position;
    /* recorded */
    int status_flags, fd_flags;
    dev_t dev;
    ino_t ino;
};

static struct file s_files[] = {
    {"fp-data", O_RDONLY, -1, 1234},
    {"fp-rw", O_RDWR | O_CREAT | O_NONBLOCK, -1, 777},
    {"fp-append", O_WRONLY | O_CREAT | O_APPEND, -1, 0},
    {"fp-data", O_RDONLY | O_CLOEXEC, 77, 99},
    {"/dev/null", O_RDWR, 50, 0},
};

#define FILES (sizeof(s_files) / sizeof(s_files[0]))
#define LOG_LINES "one\ntwo\nthree\n"

static char s_fds_before[512];

static char data_byte(off_t offset)
{
    return (char)('a' + offset % 23);
}

static void path_of(const char *name, char *path, size_t len)
{
    if (name[0] == '/') {
        snprintf(path, len, "%s", name);
    } else {
        snprintf(path, len, "%s/%s", test_workdir(), name);
    }
}

/* The numbers in /proc/self/fd, sorted, as text ("0 1 2 ..."), less the directory's own
 * descriptor and pipes: until it is ready the root holds one to the process that started it. */
static void list_fds(char *out, size_t len)
{
    int present[1024] = {0};
    DIR *dir = opendir("/proc/self/fd");
    struct dirent *entry;
    while (dir != NULL && (entry = readdir(dir)) != NULL) {
        int fd = atoi(entry->d_name);
        char link[64], target[64] = "";
        snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
        ssize_t n = readlink(link, target, sizeof(target) - 1);
        target[n > 0 ? n : 0] = '\0';
        if (entry->d_name[0] != '.' && fd >= 0 && fd < 1024 && fd != dirfd(dir) &&
            strncmp(target, "pipe:", 5) != 0) {
            present[fd] = 1;
        }
    }
    if (dir != NULL) {
        closedir(dir);
    }
    size_t used = 0;
    out[0] = '\0';
    for (int fd = 0; fd < 1024 && used < len; fd++) {
        if (present[fd]) {
            used += (size_t)snprintf(out + used, len - used, "%d ", fd);
        }
    }
}

static void open_all(void)
{
    char path[4200];
    path_of("fp-data", path, sizeof(path));
    int data = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    for (off_t i = 0; data >= 0 && i < DATA_SIZE; i++) {
        char c = data_byte(i);
        if (write(data, &c, 1) != 1) {
            fail("writing %s: %m", path);
        }
    }
    close(data);
    for (size_t i = 0; i < FILES; i++) {
        struct file *f = &s_files[i];
        path_of(f->name, path, sizeof(path));
        int fd = open(path, f->flags, 0644);
        if (fd < 0) {
            fail("open %s: %m", path);
        }
        if (f->fd >= 0) {
            if (dup3(fd, f->fd, f->flags & O_CLOEXEC) < 0) {
                fail("dup3 to %d: %m", f->fd);
            }
            close(fd);
            fd = f->fd;
        }
        f->fd = fd;
    }
    static char rw[5000];
    memset(rw, 'r', sizeof(rw));
    if (write(s_files[1].fd, rw, sizeof(rw)) != (ssize_t)sizeof(rw) ||
        write(s_files[2].fd, LOG_LINES, strlen(LOG_LINES)) != (ssize_t)strlen(LOG_LINES)) {
        fail("writing: %m");
    }
    for (size_t i = 0; i < FILES; i++) {
        struct file *f = &s_files[i];
        struct stat st;
        if (lseek(f->fd, f->position, SEEK_SET) != f->position || fstat(f->fd, &st) < 0) {
            fail("lseek/fstat of %s: %m", f->name);
        }
        f->status_flags = fcntl(f->fd, F_GETFL) & FLAG_MASK;
        f->fd_flags = fcntl(f->fd, F_GETFD);
        f->dev = st.st_dev;
        f->ino = st.st_ino;
    }
}

static const char *check_all(void)
{
    static char why[1200];
    char fds[512];
    list_fds(fds, sizeof(fds));
    if (strcmp(fds, s_fds_before) != 0) {
        snprintf(why, sizeof(why), "open descriptors are [%s], were [%s]", fds, s_fds_before);
        return why;
    }
    for (size_t i = 0; i < FILES; i++) {
        const struct file *f = &s_files[i];
        struct stat st;
        int flags = fcntl(f->fd, F_GETFL) & FLAG_MASK, fd_flags = fcntl(f->fd, F_GETFD);
        off_t position = lseek(f->fd, 0, SEEK_CUR);
        if (fstat(f->fd, &st) < 0 || st.st_dev != f->dev || st.st_ino != f->ino ||
            flags != f->status_flags || fd_flags != f->fd_flags || position != f->position) {
            snprintf(why, sizeof(why), "fd %d (%s): inode %lu flags %#x fd flags %#x position "
                     "%ld; was %lu %#x %#x %ld", f->fd, f->name, (unsigned long)st.st_ino, flags,
                     fd_flags, (long)position, (unsigned long)f->ino, f->status_flags,
                     f->fd_flags, (long)f->position);
            return why;
        }
    }
    char c;
    if (read(s_files[0].fd, &c, 1) != 1 || c != data_byte(1234)) {
        return "the next byte read from the data file is not the one at offset 1234";
    }
    if (write(s_files[1].fd, "W", 1) != 1 || pread(s_files[1].fd, &c, 1, 777) != 1 || c != 'W' ||
        lseek(s_files[1].fd, 0, SEEK_CUR) != 778) {
        return "a write to the O_RDWR file did not land at offset 777";
    }
    lseek(s_files[2].fd, 0, SEEK_SET);
    if (write(s_files[2].fd, "four\n", 5) != 5) {
        return "writing to the log failed";
    }
    char path[4200], text[64] = {0};
    path_of("fp-append", path, sizeof(path));
    int fd = open(path, O_RDONLY);
    ssize_t n = fd >= 0 ? read(fd, text, sizeof(text) - 1) : -1;
    close(fd);
    if (n < 0 || strcmp(text, LOG_LINES "four\n") != 0) {
        snprintf(why, sizeof(why), "the log holds \"%s\" after an O_APPEND write", text);
        return why;
    }
    return NULL;
}

int main(int argc, char **argv)
{
    test_init(argc, argv);
    test_daemon();
    open_all();
    list_fds(s_fds_before, sizeof(s_fds_before));

    test_waitsig();

    test_verdict(check_all());
}
