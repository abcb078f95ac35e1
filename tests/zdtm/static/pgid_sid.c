/*
 * pgid_sid — process groups and sessions are rebuilt as they were.
 *
 * A restore has to recreate sessions and groups in an order the kernel accepts: a group can
 * only be joined while its leader's group exists, in the same session, and a session only by
 * setsid() of its leader. The tree:
 *
 *     root            session R, group R
 *     ├─ leader       session R, group L (its own)
 *     ├─ joiner       session R, group L (joined the leader's group)
 *     ├─ stayer       session R, group R
 *     └─ session      session S, group S (setsid)
 *        ├─ member    session S, group S
 *        └─ grouped   session S, group G (its own, inside S)
 *
 * Each process checks its own getpid/getpgid/getsid after SIGTERM; the root and the session
 * leader also check those of each of their children with getpgid(pid)/getsid(pid) before they
 * reap them (a child that has already exited is a zombie, which keeps its ids).
 */
#include "../lib/zdtm.h"

#include <stdio.h>
#include <unistd.h>

struct ids {
    pid_t pid, pgid, sid;
};

static struct ids self_ids(void)
{
    struct ids ids = {getpid(), getpgid(0), getsid(0)};
    return ids;
}

/* NULL, or how ids of pid differ from expected. */
static const char *differs(const char *name, pid_t pid, const struct ids *expected)
{
    static char why[256];
    struct ids now = {pid, getpgid(pid), getsid(pid)};
    if (pid == 0) {
        now = self_ids();
    }
    if (now.pid != expected->pid || now.pgid != expected->pgid || now.sid != expected->sid) {
        snprintf(why, sizeof(why), "%s: pid %d pgid %d sid %d, expected %d %d %d", name,
                 (int)now.pid, (int)now.pgid, (int)now.sid, (int)expected->pid,
                 (int)expected->pgid, (int)expected->sid);
        return why;
    }
    return NULL;
}

#define MAX_CHILDREN 4

struct family {
    const char *names[MAX_CHILDREN];
    pid_t pids[MAX_CHILDREN];
    struct ids ids[MAX_CHILDREN]; /* as each child reported them */
    int count;
};

/* What a child does to itself: join group `group` (0: its own; -1: none), or setsid. */
struct role {
    const char *name;
    pid_t group;
    int new_session;
};

static struct family s_family; /* this process's children */
static struct ids s_mine;
static int s_report[2];         /* the child tells its parent its ids through this pipe */

static void role_body(void *arg);

/* Starts a child in a role; returns its pid once it has settled and reported its ids. */
static void start(const char *name, pid_t group, int new_session)
{
    struct role role = {name, group, new_session};
    if (pipe(s_report) < 0) {
        child_fail("pipe: %m");
    }
    int i = s_family.count++;
    s_family.names[i] = name;
    s_family.pids[i] = test_fork_child(role_body, &role);
    close(s_report[1]);
    if (test_read(s_report[0], &s_family.ids[i], sizeof(s_family.ids[i])) !=
        (ssize_t)sizeof(s_family.ids[i])) {
        child_fail("%s did not report its ids", name);
    }
    close(s_report[0]);
}

/* Checks this process, then each child from outside, then waits for them. */
static const char *check_family(const char *who)
{
    static char why[300];
    const char *bad = differs(who, 0, &s_mine);
    for (int i = 0; bad == NULL && i < s_family.count; i++) {
        bad = differs(s_family.names[i], s_family.pids[i], &s_family.ids[i]);
    }
    if (bad == NULL) {
        bad = test_end_children(s_family.pids, s_family.names, (size_t)s_family.count);
    }
    if (bad != NULL) {
        snprintf(why, sizeof(why), "%s", bad);
        return why;
    }
    return NULL;
}

static void role_body(void *arg)
{
    struct role role = *(struct role *)arg;
    int report = s_report[1];
    close(s_report[0]);
    s_family.count = 0;
    if (role.new_session ? setsid() < 0 : role.group >= 0 && setpgid(0, role.group) < 0) {
        child_fail("%s: setsid/setpgid(%d): %m", role.name, (int)role.group);
    }
    s_mine = self_ids();
    if (write(report, &s_mine, sizeof(s_mine)) != (ssize_t)sizeof(s_mine)) {
        child_fail("%s: reporting: %m", role.name);
    }
    close(report);
    if (role.new_session) {
        start("member", -1, 0);
        start("grouped", 0, 0);
    }
    test_child_ready();
    test_waitsig();
    test_child_exit(check_family(role.name));
}

int main(int argc, char **argv)
{
    test_init(argc, argv);
    test_daemon();
    s_mine = self_ids();

    start("leader", 0, 0);
    start("joiner", s_family.pids[0], 0);
    start("stayer", -1, 0);
    start("session", -1, 1);
    if (s_family.ids[1].pgid != s_family.pids[0] || s_family.ids[3].sid != s_family.pids[3]) {
        fail("setting up: the joiner is in group %d, not %d, or the session leader in session "
             "%d", (int)s_family.ids[1].pgid, (int)s_family.pids[0], (int)s_family.ids[3].sid);
    }

    test_waitsig();

    test_verdict(check_family("root"));
}
