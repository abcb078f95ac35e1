/*
 * umask — each process keeps its file creation mask.
 *
 * The umask is per process and changes only by umask(); a restore must set it for each one.
 * The root sets 027, one child 0 and another 077 (it could be anything: the harness's own
 * umask is none of these). After SIGTERM each process reads its mask back (umask() and the
 * Umask line of /proc/self/status) and creates a file with mode 0777 & ~0 requested, whose mode
 * must show the mask applied.
 */
#include "../lib/zdtm.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const mode_t s_masks[] = {027, 0, 077};

/* The Umask line of /proc/self/status, or -1. */
static int status_umask(void)
{
    FILE *f = fopen("/proc/self/status", "re");
    char line[256];
    int mask = -1;
    while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
        if (sscanf(line, "Umask: %o", (unsigned *)&mask) == 1) {
            break;
        }
    }
    if (f != NULL) {
        fclose(f);
    }
    return mask;
}

/* NULL or what is wrong with the mask of process `which`. */
static const char *check(int which)
{
    static char why[256];
    mode_t expected = s_masks[which];
    mode_t now = umask(expected);
    int proc = status_umask();
    if (now != expected || proc != (int)expected) {
        snprintf(why, sizeof(why), "umask is %03o (%03o in /proc/self/status), expected %03o",
                 (unsigned)now, (unsigned)proc, (unsigned)expected);
        return why;
    }
    char path[4200];
    snprintf(path, sizeof(path), "%s/umask-%d", test_workdir(), which);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0777);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0 || (st.st_mode & 0777) != (0777 & ~expected)) {
        snprintf(why, sizeof(why), "a file created with mode 0777 has mode %03o, expected %03o",
                 (unsigned)(st.st_mode & 0777), (unsigned)(0777 & ~expected));
        return why;
    }
    close(fd);
    return NULL;
}

static void child_body(void *arg)
{
    int which = (int)(intptr_t)arg;
    umask(s_masks[which]);
    test_child_ready();
    test_waitsig();
    test_child_exit(check(which));
}

int main(int argc, char **argv)
{
    test_init(argc, argv);
    test_daemon();
    umask(s_masks[0]);
    pid_t children[] = {
        test_fork_child(child_body, (void *)(intptr_t)1),
        test_fork_child(child_body, (void *)(intptr_t)2),
    };

    test_waitsig();

    const char *names[] = {"child with umask 000", "child with umask 077"};
    const char *how = test_end_children(children, names, 2);
    if (how != NULL) {
        fail("%s", how);
    }
    test_verdict(check(0));
}
