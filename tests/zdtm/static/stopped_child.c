/*
 * stopped_child — a child stopped by job control stays stopped until SIGCONT.
 *
 * The child installs a SIGCONT handler and stops itself with SIGSTOP; the root sees the stop
 * through waitpid(WUNTRACED) and waits for state 'T' in /proc/PID/stat before the tree is
 * ready. A stopped task is frozen in a way of its own (a group stop, not a sleep), and a
 * restore must bring it back stopped, not running and not killed. After SIGTERM the root checks
 * that the child is still in state 'T' (a SIGTERM that reached it meanwhile stays pending: only
 * SIGCONT and SIGKILL act on a stopped task), sends SIGCONT and sees the continue through
 * waitid(WCONTINUED) (or the child's exit, when it ran to its end first). The child, running again, checks that its SIGCONT handler ran exactly
 * once, then waits for SIGTERM and exits.
 */
#include "../lib/zdtm.h"

#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t s_continued;

static void on_cont(int sig)
{
    (void)sig;
    s_continued++;
}

static void stopper(void *arg)
{
    (void)arg;
    test_sigaction(SIGCONT, on_cont, 0);
    test_child_ready();
    raise(SIGSTOP);
    /* Here only after the root's SIGCONT. */
    if (s_continued != 1) {
        child_fail("after SIGSTOP, the SIGCONT handler ran %d times, expected once",
                   (int)s_continued);
    }
    test_waitsig();
    _exit(0);
}

int main(int argc, char **argv)
{
    test_init(argc, argv);
    test_daemon();

    pid_t child = test_fork_child(stopper, NULL);
    int status;
    if (waitpid(child, &status, WUNTRACED) != child || !WIFSTOPPED(status) ||
        WSTOPSIG(status) != SIGSTOP) {
        fail("waitpid(WUNTRACED) on the child: status %#x", status);
    }
    char state = test_proc_state(child);
    if (state != 'T') {
        fail("the stopped child is in state '%c' before the checkpoint", state);
    }

    test_waitsig();

    state = test_proc_state(child);
    if (state != 'T') {
        fail("the child is in state '%c', expected 'T' (stopped)", state ? state : '?');
    }
    if (kill(child, SIGCONT) < 0) {
        fail("kill(SIGCONT): %m");
    }
    siginfo_t info;
    memset(&info, 0, sizeof(info));
    /* The continued child may run to its end before we get here (in fresh namespaces its
     * SIGTERM is already pending): then its exit stands for the continue, and its own check
     * that the SIGCONT handler ran once decides its status. WNOWAIT leaves it for the reaping
     * below. */
    if (waitid(P_PID, (id_t)child, &info, WCONTINUED | WEXITED | WNOWAIT) < 0 ||
        (info.si_code != CLD_CONTINUED && info.si_code != CLD_EXITED)) {
        fail("waitid(WCONTINUED) after SIGCONT: code %d status %d: %m", info.si_code,
             info.si_status);
    }
    const char *names[] = {"stopped child"};
    const char *how = test_end_children(&child, names, 1);
    if (how != NULL) {
        fail("%s", how);
    }
    pass();
}
