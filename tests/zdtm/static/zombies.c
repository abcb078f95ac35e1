/*
 * zombies — children that ended before the checkpoint are still there to be reaped.
 *
 * A zombie is only a pid and an exit status waiting for its parent's wait(); a restore has to
 * recreate it with both, under the same parent. Before the tree is ready the root has four
 * children that exit with statuses 3, 5 and 0 and by SIGUSR1, and a fifth, living child that
 * has a zombie of its own (status 9); the tree is ready only once every one of them is a zombie
 * ('Z' in /proc/PID/stat). After SIGTERM each parent checks that its zombies are still zombies,
 * looks at each with waitid(WNOWAIT) (pid, CLD_EXITED or CLD_KILLED, status), then reaps it with
 * waitpid() and checks the status again, and finally that it has no other children to reap.
 */
#include "../lib/zdtm.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct zombie {
    int code;   /* exit status, or with killed, the signal */
    int killed;
    pid_t pid;
};

static struct zombie s_zombies[] = {{3, 0}, {5, 0}, {SIGUSR1, 1}, {0, 0}};
static struct zombie s_grandchild = {9, 0};

#define ZOMBIES (sizeof(s_zombies) / sizeof(s_zombies[0]))

/* Forks a child that ends as z says at once. */
static void make_zombie(struct zombie *z)
{
    z->pid = test_fork();
    if (z->pid < 0) {
        child_fail("fork: %m");
    }
    if (z->pid == 0) {
        if (z->killed) {
            signal(z->code, SIG_DFL);
            raise(z->code);
        }
        _exit(z->code);
    }
}

/* Waits up to 5 s for pid to become a zombie; 0 if it did. */
static int await_zombie(pid_t pid)
{
    for (int i = 0; i < 5000; i++) {
        if (test_proc_state(pid) == 'Z') {
            return 0;
        }
        struct timespec ms = {0, 1000000};
        nanosleep(&ms, NULL);
    }
    return -1;
}

/* Checks and reaps the zombie z; NULL or what is wrong. */
static const char *reap(const struct zombie *z)
{
    static char why[256];
    char state = test_proc_state(z->pid);
    if (state != 'Z') {
        snprintf(why, sizeof(why), "zombie %d is in state '%c'", (int)z->pid, state ? state : '?');
        return why;
    }
    siginfo_t info;
    memset(&info, 0, sizeof(info));
    if (waitid(P_PID, (id_t)z->pid, &info, WEXITED | WNOWAIT | WNOHANG) < 0 ||
        info.si_pid != z->pid || info.si_code != (z->killed ? CLD_KILLED : CLD_EXITED) ||
        info.si_status != z->code) {
        snprintf(why, sizeof(why), "waitid(%d): %s, pid %d code %d status %d; expected %s %d",
                 (int)z->pid, strerror(errno), (int)info.si_pid, info.si_code, info.si_status,
                 z->killed ? "killed by" : "exited with", z->code);
        return why;
    }
    int status;
    pid_t got = waitpid(z->pid, &status, WNOHANG);
    int ok = got == z->pid && (z->killed ? WIFSIGNALED(status) && WTERMSIG(status) == z->code
                                         : WIFEXITED(status) && WEXITSTATUS(status) == z->code);
    if (!ok) {
        snprintf(why, sizeof(why), "waitpid(%d) returned %d with status %#x", (int)z->pid,
                 (int)got, status);
        return why;
    }
    return NULL;
}

static const char *no_more_children(void)
{
    int status;
    pid_t got = waitpid(-1, &status, WNOHANG);
    if (got < 0 && errno == ECHILD) {
        return NULL;
    }
    static char why[128];
    snprintf(why, sizeof(why), "after reaping all, waitpid(-1) returned %d (status %#x)",
             (int)got, status);
    return why;
}

static void parent_of_one(void *arg)
{
    (void)arg;
    make_zombie(&s_grandchild);
    if (await_zombie(s_grandchild.pid) < 0) {
        child_fail("the grandchild %d did not become a zombie", (int)s_grandchild.pid);
    }
    test_child_ready();
    test_waitsig();
    const char *why = reap(&s_grandchild);
    test_child_exit(why != NULL ? why : no_more_children());
}

int main(int argc, char **argv)
{
    test_init(argc, argv);
    test_daemon();

    for (size_t i = 0; i < ZOMBIES; i++) {
        make_zombie(&s_zombies[i]);
    }
    pid_t parent = test_fork_child(parent_of_one, NULL);
    for (size_t i = 0; i < ZOMBIES; i++) {
        if (await_zombie(s_zombies[i].pid) < 0) {
            fail("child %d did not become a zombie within 5 s", (int)s_zombies[i].pid);
        }
    }

    test_waitsig();

    for (size_t i = 0; i < ZOMBIES; i++) {
        const char *why = reap(&s_zombies[i]);
        if (why != NULL) {
            fail("%s", why);
        }
    }
    const char *names[] = {"parent of a zombie"};
    const char *how = test_end_children(&parent, names, 1);
    if (how == NULL) {
        how = no_more_children();
    }
    if (how != NULL) {
        fail("%s", how);
    }
    pass();
}
