/*
 * pid_ppid — process identity survives checkpoint/restore.
 *
 * The root and a child record getpid/getppid/getpgid/getsid once the tree is ready and
 * compare them after SIGTERM. The child sits in a process group of its own, so the restore has
 * to rebuild a group that is not the session's. The root's parent is left out of the check:
 * the root is an orphan whose parent is whatever reaper the system has, before and after.
 */
#include "../lib/zdtm.h"

#include <stdio.h>
#include <unistd.h>

struct ids {
    pid_t pid, ppid, pgid, sid;
};

static struct ids current(void)
{
    struct ids ids = {getpid(), getppid(), getpgid(0), getsid(0)};
    return ids;
}

/* Returns NULL when ids still equal expected, otherwise what differs. */
static const char *compare(const struct ids *expected, int check_ppid)
{
    static char why[256];
    struct ids now = current();
    if (now.pid != expected->pid) {
        snprintf(why, sizeof(why), "getpid() is %d, was %d", now.pid, expected->pid);
    } else if (check_ppid && now.ppid != expected->ppid) {
        snprintf(why, sizeof(why), "getppid() is %d, was %d", now.ppid, expected->ppid);
    } else if (now.pgid != expected->pgid) {
        snprintf(why, sizeof(why), "getpgid(0) is %d, was %d", now.pgid, expected->pgid);
    } else if (now.sid != expected->sid) {
        snprintf(why, sizeof(why), "getsid(0) is %d, was %d", now.sid, expected->sid);
    } else {
        return NULL;
    }
    return why;
}

static void run_child(void *arg)
{
    const struct ids *root = arg;
    if (setpgid(0, 0) < 0) {
        child_fail("setpgid: %m");
    }
    struct ids mine = current();
    if (mine.ppid != root->pid || mine.sid != root->sid || mine.pgid != mine.pid) {
        child_fail("unexpected ids at start: ppid %d pgid %d sid %d", mine.ppid, mine.pgid,
                   mine.sid);
    }
    /* The root waits for this so that the tree is complete before the pidfile's promise of
     * readiness is acted upon by the harness. */
    test_child_ready();
    test_waitsig();
    test_child_exit(compare(&mine, 1));
}

int main(int argc, char **argv)
{
    test_init(argc, argv);
    test_daemon();

    struct ids root = current();
    if (root.sid != root.pid || root.pgid != root.pid) {
        fail("the root should lead its session and group after test_daemon: pid %d pgid %d sid %d",
             root.pid, root.pgid, root.sid);
    }

    pid_t child = test_fork_child(run_child, &root);
    test_msg("root: pid %d pgid %d sid %d; child %d in its own group", root.pid, root.pgid,
             root.sid, child);

    test_waitsig();

    test_signal_child(child);
    const char *why = compare(&root, 0);
    if (why != NULL) {
        fail("root: %s", why);
    }
    const char *how = test_wait_child(child, "child");
    if (how != NULL) {
        fail("%s", how);
    }
    pass();
}
