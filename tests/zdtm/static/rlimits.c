/*
 * rlimits — resource limits survive checkpoint/restore, and are still enforced.
 *
 * Limits are per process (the signal struct) and are inherited at fork, so a restore must set
 * each process's own. The root lowers several soft limits below their hard ones (and some hard
 * ones too): RLIMIT_NOFILE, STACK, CORE, FSIZE, CPU, MEMLOCK, MSGQUEUE, SIGPENDING, NICE, AS;
 * a child then changes NOFILE and FSIZE again, so its limits differ from its parent's. After
 * SIGTERM each process compares every limit (all RLIM_NLIMITS of them, soft and hard) with what
 * it read before the checkpoint, and checks that two of them still bite: a descriptor can be
 * made just below the NOFILE soft limit but not at it, and a write reaching past the FSIZE soft
 * limit fails with EFBIG.
 */
#include "../lib/zdtm.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

struct change {
    int resource;
    rlim_t soft;
    rlim_t hard; /* RLIM_SAVED_MAX: leave the hard limit as it is */
};

static const struct change s_root_changes[] = {
    {RLIMIT_NOFILE, 321, 4096},
    {RLIMIT_STACK, 4u << 20, RLIM_SAVED_MAX},
    {RLIMIT_CORE, 0, 1u << 20},
    {RLIMIT_FSIZE, 1u << 20, RLIM_SAVED_MAX},
    {RLIMIT_CPU, 3600, 7200},
    {RLIMIT_MEMLOCK, 64u << 10, RLIM_SAVED_MAX},
    {RLIMIT_MSGQUEUE, 400000, RLIM_SAVED_MAX},
    {RLIMIT_SIGPENDING, 1000, RLIM_SAVED_MAX},
    {RLIMIT_NICE, 5, RLIM_SAVED_MAX},
    {RLIMIT_AS, 64ull << 30, RLIM_SAVED_MAX},
};

static const struct change s_child_changes[] = {
    {RLIMIT_NOFILE, 123, RLIM_SAVED_MAX},
    {RLIMIT_FSIZE, 2u << 20, RLIM_SAVED_MAX},
};

static struct rlimit s_recorded[RLIM_NLIMITS];

/* Applies changes (keeping each soft limit within its hard one) and records every limit. */
static int apply(const struct change *changes, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        struct rlimit lim;
        getrlimit(changes[i].resource, &lim);
        if (changes[i].hard != RLIM_SAVED_MAX &&
            (lim.rlim_max == RLIM_INFINITY || changes[i].hard < lim.rlim_max)) {
            lim.rlim_max = changes[i].hard;
        }
        lim.rlim_cur = changes[i].soft < lim.rlim_max ? changes[i].soft : lim.rlim_max;
        if (setrlimit(changes[i].resource, &lim) < 0) {
            return -1;
        }
    }
    for (int r = 0; r < RLIM_NLIMITS; r++) {
        getrlimit(r, &s_recorded[r]);
    }
    return 0;
}

static const char *check(void)
{
    static char why[256];
    for (int r = 0; r < RLIM_NLIMITS; r++) {
        struct rlimit now;
        getrlimit(r, &now);
        if (now.rlim_cur != s_recorded[r].rlim_cur || now.rlim_max != s_recorded[r].rlim_max) {
            snprintf(why, sizeof(why), "limit %d is %llu/%llu (soft/hard), was %llu/%llu", r,
                     (unsigned long long)now.rlim_cur, (unsigned long long)now.rlim_max,
                     (unsigned long long)s_recorded[r].rlim_cur,
                     (unsigned long long)s_recorded[r].rlim_max);
            return why;
        }
    }
    int top = (int)s_recorded[RLIMIT_NOFILE].rlim_cur;
    int below = dup2(STDIN_FILENO, top - 1);
    int at = dup2(STDIN_FILENO, top);
    int at_errno = errno;
    if (below != top - 1 || at != -1 || at_errno != EBADF) {
        snprintf(why, sizeof(why), "RLIMIT_NOFILE %d: dup2 to %d gave %d, to %d gave %d (%s)",
                 top, top - 1, below, top, at, at < 0 ? strerror(at_errno) : "no error");
        return why;
    }
    close(below);
    char path[4200];
    snprintf(path, sizeof(path), "%s/fsize-%d", test_workdir(), (int)getpid());
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    off_t limit = (off_t)s_recorded[RLIMIT_FSIZE].rlim_cur;
    ssize_t inside = fd >= 0 ? pwrite(fd, "x", 1, limit - 1) : -1;
    ssize_t past = fd >= 0 ? pwrite(fd, "x", 1, limit) : -1;
    int past_errno = errno;
    close(fd);
    if (inside != 1 || past != -1 || past_errno != EFBIG) {
        snprintf(why, sizeof(why), "RLIMIT_FSIZE %ld: a write just inside gave %zd, one at the "
                 "limit %zd (%s)", (long)limit, inside, past, strerror(past_errno));
        return why;
    }
    return NULL;
}

static void child_body(void *arg)
{
    (void)arg;
    if (apply(s_child_changes, sizeof(s_child_changes) / sizeof(s_child_changes[0])) < 0) {
        child_fail("setrlimit: %m");
    }
    test_child_ready();
    test_waitsig();
    test_child_exit(check());
}

int main(int argc, char **argv)
{
    test_init(argc, argv);
    test_daemon();
    /* The write past RLIMIT_FSIZE would raise it. */
    signal(SIGXFSZ, SIG_IGN);
    if (apply(s_root_changes, sizeof(s_root_changes) / sizeof(s_root_changes[0])) < 0) {
        fail("setrlimit: %m");
    }
    pid_t child = test_fork_child(child_body, NULL);

    test_waitsig();

    const char *names[] = {"child"};
    const char *how = test_end_children(&child, names, 1);
    if (how != NULL) {
        fail("%s", how);
    }
    test_verdict(check());
}
