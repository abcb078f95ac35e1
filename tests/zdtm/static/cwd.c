/*
 * cwd — each process keeps its working directory.
 *
 * The working directory is per process (fs_struct), so a restore must set it for each one,
 * and relative paths must then resolve as before. The root works in a nested directory of the
 * work directory, a child in another one. Each directory holds a file "marker" whose text names
 * the directory. After SIGTERM each process checks getcwd() and /proc/self/cwd against what they
 * were, reads "marker" through its relative path, and creates a file with a relative path that
 * must appear in its own directory.
 */
#include "../lib/zdtm.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char s_cwd[1024];

/* Makes dir (below the work directory), with a marker naming it, and moves there. */
static void settle(const char *dir)
{
    char path[4200];
    snprintf(path, sizeof(path), "%s/%s", test_workdir(), dir);
    /* Each component in turn: the work directory exists, the rest may not. */
    for (char *slash = path + strlen(test_workdir()) + 1; slash != NULL;
         slash = strchr(slash + 1, '/')) {
        *slash = '\0';
        mkdir(path, 0755);
        *slash = '/';
    }
    mkdir(path, 0755);
    if (chdir(path) < 0) {
        child_fail("chdir %s: %m", path);
    }
    int fd = open("marker", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || write(fd, dir, strlen(dir)) != (ssize_t)strlen(dir)) {
        child_fail("writing %s/marker: %m", path);
    }
    close(fd);
    if (getcwd(s_cwd, sizeof(s_cwd)) == NULL) {
        child_fail("getcwd: %m");
    }
}

/* NULL or what is wrong with the working directory of this process, settled in dir. */
static const char *check(const char *dir)
{
    static char why[3500];
    char now[1024], link[1024] = "", text[256] = "";
    ssize_t n = readlink("/proc/self/cwd", link, sizeof(link) - 1);
    link[n > 0 ? n : 0] = '\0';
    if (getcwd(now, sizeof(now)) == NULL || strcmp(now, s_cwd) != 0 || strcmp(link, s_cwd) != 0) {
        snprintf(why, sizeof(why), "getcwd() is %s and /proc/self/cwd %s, expected %s", now,
                 link, s_cwd);
        return why;
    }
    int fd = open("marker", O_RDONLY);
    n = fd >= 0 ? read(fd, text, sizeof(text) - 1) : -1;
    text[n > 0 ? n : 0] = '\0';
    close(fd);
    if (strcmp(text, dir) != 0) {
        snprintf(why, sizeof(why), "./marker holds \"%s\", expected \"%s\"", text, dir);
        return why;
    }
    fd = open("created-after", O_WRONLY | O_CREAT, 0644);
    char absolute[1100];
    snprintf(absolute, sizeof(absolute), "%s/created-after", s_cwd);
    struct stat st;
    if (fd < 0 || stat(absolute, &st) < 0) {
        snprintf(why, sizeof(why), "a file created as ./created-after is not in %s", s_cwd);
        return why;
    }
    close(fd);
    return NULL;
}

#define CHILD_DIR "child/elsewhere"
#define ROOT_DIR "root/deeper/deepest"

static void child_body(void *arg)
{
    (void)arg;
    settle(CHILD_DIR);
    test_child_ready();
    test_waitsig();
    test_child_exit(check(CHILD_DIR));
}

int main(int argc, char **argv)
{
    test_init(argc, argv);
    test_daemon();
    pid_t child = test_fork_child(child_body, NULL);
    settle(ROOT_DIR);

    test_waitsig();

    const char *names[] = {"child"};
    const char *how = test_end_children(&child, names, 1);
    if (how != NULL) {
        fail("%s", how);
    }
    test_verdict(check(ROOT_DIR));
}
