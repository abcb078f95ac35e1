/*
 * personality — the execution domain flags survive checkpoint/restore.
 *
 * personality() flags are per process, inherited at fork, and change how the kernel treats the
 * process: ADDR_NO_RANDOMIZE (layout of the next exec), UNAME26 (uname() reports a 2.6 kernel)
 * and READ_IMPLIES_EXEC (PROT_READ mappings become executable). The root sets ADDR_NO_RANDOMIZE
 * and UNAME26 before it detaches; its child, inheriting them, adds READ_IMPLIES_EXEC. After
 * SIGTERM each compares personality(0xffffffff) with what it set, checks uname() (a release
 * starting with "2.6." under UNAME26), and the child maps a PROT_READ page, which must be
 * executable in /proc/self/maps; the root's, without the flag, must not.
 */
#include "../lib/zdtm.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/utsname.h>
#include <unistd.h>

#define ROOT_PERSONA (PER_LINUX | ADDR_NO_RANDOMIZE | UNAME26)
#define CHILD_PERSONA (ROOT_PERSONA | READ_IMPLIES_EXEC)

static const char *check(unsigned long expected)
{
    static char why[256];
    int now = personality(0xffffffff);
    if ((unsigned long)now != expected) {
        snprintf(why, sizeof(why), "personality is %#x, expected %#lx", now, expected);
        return why;
    }
    struct utsname u;
    if (uname(&u) < 0 || strncmp(u.release, "2.6.", 4) != 0) {
        snprintf(why, sizeof(why), "under UNAME26, uname() says release %s", u.release);
        return why;
    }
    void *page = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char perms[8];
    test_maps_perms(page, perms);
    const char *wanted = expected & READ_IMPLIES_EXEC ? "r-xp" : "r--p";
    if (page == MAP_FAILED || strcmp(perms, wanted) != 0) {
        snprintf(why, sizeof(why), "a PROT_READ mapping is %s, expected %s", perms, wanted);
        return why;
    }
    munmap(page, 4096);
    return NULL;
}

static void child_body(void *arg)
{
    (void)arg;
    if (personality(CHILD_PERSONA) < 0) {
        child_fail("personality: %m");
    }
    test_child_ready();
    test_waitsig();
    test_child_exit(check(CHILD_PERSONA));
}

int main(int argc, char **argv)
{
    test_init(argc, argv);
    if (personality(ROOT_PERSONA) < 0) {
        fail("personality: %m");
    }
    test_daemon();
    pid_t child = test_fork_child(child_body, NULL);

    test_waitsig();

    const char *names[] = {"child"};
    const char *how = test_end_children(&child, names, 1);
    if (how != NULL) {
        fail("%s", how);
    }
    test_verdict(check(ROOT_PERSONA));
}
