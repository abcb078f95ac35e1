/*
 * inotify — an inotify instance keeps its watches, with their numbers and masks.
 *
 * Two watches in test_workdir(): a directory for IN_CREATE | IN_DELETE (wd 1) and a file in
 * it for IN_MODIFY (wd 3: a watch added and removed in between took wd 2, and the kernel does
 * not hand out a removed wd again soon). Nothing is queued at the checkpoint (queued events
 * are not saved).
 * After SIGTERM: creating a file in the directory gives IN_CREATE with its name on the
 * directory's wd, writing the watched file gives IN_MODIFY on its wd, and nothing else.
 */
#include "../lib/zdtm.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

static char s_dir[PATH_MAX];
static char s_file[PATH_MAX];

/* Waits for one event and checks it; the buffer holds at most one event with a name. */
static void expect(int fd, int wd, uint32_t mask, const char *name)
{
    struct pollfd pfd = {fd, POLLIN, 0};
    if (poll(&pfd, 1, 2000) != 1) {
        fail("no event for wd %d mask %#x", wd, mask);
    }
    char buffer[sizeof(struct inotify_event) + NAME_MAX + 1] __attribute__((aligned(8)));
    ssize_t n = read(fd, buffer, sizeof(buffer));
    if (n < (ssize_t)sizeof(struct inotify_event)) {
        fail("read from inotify: %zd, %m", n);
    }
    struct inotify_event *event = (struct inotify_event *)buffer;
    if (event->wd != wd || (event->mask & ~IN_ISDIR) != mask
        || (name != NULL && (event->len == 0 || strcmp(event->name, name) != 0))) {
        fail("event wd %d mask %#x name '%s', expected wd %d mask %#x name '%s'", event->wd,
             event->mask, event->len ? event->name : "", wd, mask, name ? name : "");
    }
    if (n != (ssize_t)(sizeof(struct inotify_event) + event->len)) {
        fail("more than one event was queued");
    }
}

int main(int argc, char **argv)
{
    test_init(argc, argv);
    snprintf(s_dir, sizeof(s_dir), "%s/watched", test_workdir());
    snprintf(s_file, sizeof(s_file), "%s/watched/file", test_workdir());
    if (mkdir(s_dir, 0755) < 0 && errno != EEXIST) {
        fail("mkdir %s: %m", s_dir);
    }
    int file = open(s_file, O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0644);
    if (file < 0) {
        fail("create %s: %m", s_file);
    }
    close(file);
    test_daemon();

    int fd = inotify_init1(IN_NONBLOCK);
    if (fd < 0) {
        fail("inotify_init1: %m");
    }
    int dir_wd = inotify_add_watch(fd, s_dir, IN_CREATE | IN_DELETE);
    int removed_wd = inotify_add_watch(fd, test_workdir(), IN_ATTRIB);
    if (removed_wd < 0 || inotify_rm_watch(fd, removed_wd) < 0) {
        fail("adding and removing a watch: %m");
    }
    expect(fd, removed_wd, IN_IGNORED, NULL);
    int file_wd = inotify_add_watch(fd, s_file, IN_MODIFY);
    if (dir_wd < 0 || file_wd != removed_wd + 1) {
        fail("inotify_add_watch: %d, %m", file_wd);
    }

    test_waitsig();

    if (!(fcntl(fd, F_GETFL) & O_NONBLOCK)) {
        fail("O_NONBLOCK lost");
    }
    char created[PATH_MAX + 8];
    snprintf(created, sizeof(created), "%s/new", s_dir);
    int made = open(created, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
    if (made < 0) {
        fail("create %s: %m", created);
    }
    close(made);
    expect(fd, dir_wd, IN_CREATE, "new");
    file = open(s_file, O_WRONLY | O_APPEND | O_CLOEXEC);
    if (file < 0 || write(file, "x", 1) != 1) {
        fail("write %s: %m", s_file);
    }
    close(file);
    expect(fd, file_wd, IN_MODIFY, NULL);
    unlink(created);
    expect(fd, dir_wd, IN_DELETE, "new");
    pass();
}
