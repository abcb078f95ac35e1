/*
 * creds — a process that gave up root keeps exactly the credentials it chose.
 *
 * A child sets supplementary groups, distinct real/effective/saved group ids and user ids, and
 * so drops every capability (no uid is 0 any more). A second child keeps root's uids but drops
 * some capabilities from its permitted, effective and bounding sets and sets no_new_privs. A
 * restore builds each process as root and must then give it these credentials, in an order the
 * kernel accepts, without leaving a capability behind. After SIGTERM each child compares
 * getresuid/getresgid/getgroups, the capability sets of /proc/self/status and no_new_privs with
 * what it set.
 */
#include "../lib/zdtm.h"

#include <grp.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>

static const gid_t s_groups[] = {4, 27, 65534};

/* The hex value of a "Cap...:" line of /proc/self/status, or ~0. */
static unsigned long long status_caps(const char *key)
{
    FILE *f = fopen("/proc/self/status", "re");
    char line[256];
    unsigned long long value = ~0ULL;
    size_t n = strlen(key);
    while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
        if (strncmp(line, key, n) == 0 && line[n] == ':') {
            sscanf(line + n + 1, "%llx", &value);
            break;
        }
    }
    if (f != NULL) {
        fclose(f);
    }
    return value;
}

static const char *check_ids(uid_t ru, uid_t eu, uid_t su, gid_t rg, gid_t eg, gid_t sg)
{
    static char why[256];
    uid_t r, e, s;
    gid_t gr, ge, gs;
    getresuid(&r, &e, &s);
    getresgid(&gr, &ge, &gs);
    if (r != ru || e != eu || s != su || gr != rg || ge != eg || gs != sg) {
        snprintf(why, sizeof(why), "uids %u/%u/%u gids %u/%u/%u, expected %u/%u/%u and %u/%u/%u",
                 r, e, s, gr, ge, gs, ru, eu, su, rg, eg, sg);
        return why;
    }
    return NULL;
}

static void unprivileged(void *arg)
{
    (void)arg;
    if (setgroups(3, s_groups) < 0 || setresgid(100, 65534, 27) < 0 || setresuid(1000, 65534, 1001) < 0) {
        child_fail("dropping root: %m");
    }
    test_child_ready();
    test_waitsig();
    const char *why = check_ids(1000, 65534, 1001, 100, 65534, 27);
    static char more[256];
    gid_t groups[8];
    int n = getgroups(8, groups);
    if (why == NULL && (n != 3 || memcmp(groups, s_groups, sizeof(s_groups)) != 0)) {
        snprintf(more, sizeof(more), "%d supplementary groups, expected 4 27 65534", n);
        why = more;
    }
    if (why == NULL && (status_caps("CapEff") != 0 || status_caps("CapPrm") != 0)) {
        snprintf(more, sizeof(more), "capabilities left: effective %llx permitted %llx",
                 status_caps("CapEff"), status_caps("CapPrm"));
        why = more;
    }
    test_child_exit(why);
}

/* Root's uids, fewer capabilities: without CAP_NET_RAW (13) and CAP_SYS_TIME (25). */
static const unsigned long long s_dropped = (1ULL << 13) | (1ULL << 25);

static void restricted(void *arg)
{
    (void)arg;
    unsigned long long before = status_caps("CapPrm");
    struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[2];
    memset(data, 0, sizeof(data));
    unsigned long long keep = before & ~s_dropped;
    data[0].effective = data[0].permitted = (unsigned)keep;
    data[1].effective = data[1].permitted = (unsigned)(keep >> 32);
    if (prctl(PR_CAPBSET_DROP, 13, 0, 0, 0) < 0 || prctl(PR_CAPBSET_DROP, 25, 0, 0, 0) < 0 ||
        syscall(SYS_capset, &header, data) < 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
        child_fail("dropping capabilities: %m");
    }
    test_child_ready();
    test_waitsig();
    static char why[256];
    unsigned long long eff = status_caps("CapEff"), prm = status_caps("CapPrm");
    unsigned long long bnd = status_caps("CapBnd");
    if (eff != keep || prm != keep || (bnd & s_dropped) != 0) {
        snprintf(why, sizeof(why), "caps effective %llx permitted %llx bounding %llx, expected %llx without %llx",
                 eff, prm, bnd, keep, s_dropped);
        test_child_exit(why);
    }
    if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1) {
        test_child_exit("no_new_privs is off");
    }
    test_child_exit(check_ids(0, 0, 0, 0, 0, 0));
}

int main(int argc, char **argv)
{
    test_init(argc, argv);
    test_daemon();
    pid_t children[] = {
        test_fork_child(unprivileged, NULL),
        test_fork_child(restricted, NULL),
    };

    test_waitsig();

    const char *names[] = {"unprivileged child", "child with fewer capabilities"};
    test_verdict(test_end_children(children, names, 2));
}
