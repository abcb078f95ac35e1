/*
 * sigpending — blocked standard signals stay pending across checkpoint/restore.
 *
 * Before the tree is ready, signals are raised while blocked and so sit in the kernel's
 * queues, each kind in its own:
 *   - the root's process-wide queue: SIGUSR1 from kill() (sent twice: a standard signal does
 *     not queue, so it must still arrive once) and SIGHUP from sigqueue() with a value;
 *   - the main thread's own queue: SIGUSR2 from raise() (tgkill);
 *   - a second thread's own queue: SIGWINCH from pthread_kill();
 *   - a child's process-wide queue: SIGUSR1 and SIGUSR2 (with a value) sent by the root, so
 *     their sender is another process.
 * After SIGTERM each task compares sigpending() with what it expects, no more and no less,
 * unblocks, and checks that each signal is handled exactly once, in the right thread, with the
 * siginfo it was sent with (si_code, si_pid, si_uid, si_value). A restore that drops a signal,
 * moves it between queues, duplicates it or loses its siginfo fails here.
 */
#include "../lib/zdtm.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define HUP_VALUE 0x4855
#define CHILD_USR2_VALUE 0x5532

struct seen {
    int count;
    int code;
    pid_t pid;
    uid_t uid;
    int value;
    pid_t tid;
};

static volatile struct seen s_seen[NSIG];

static void on_signal(int sig, siginfo_t *info, void *context)
{
    (void)context;
    s_seen[sig].count++;
    s_seen[sig].code = info->si_code;
    s_seen[sig].pid = info->si_pid;
    s_seen[sig].uid = info->si_uid;
    s_seen[sig].value = info->si_code == SI_QUEUE ? info->si_value.sival_int : 0;
    s_seen[sig].tid = gettid();
}

struct expect {
    int sig;
    int code;
    pid_t pid;
    int value;
};

static sigset_t set_of(const struct expect *list, int n)
{
    sigset_t set;
    sigemptyset(&set);
    for (int i = 0; i < n; i++) {
        sigaddset(&set, list[i].sig);
    }
    return set;
}

/* Checks what is pending, unblocks it and checks the deliveries; NULL or what is wrong. */
static const char *take(const struct expect *list, int n)
{
    static char why[256];
    sigset_t expected = set_of(list, n), pending;
    sigpending(&pending);
    for (int sig = 1; sig < NSIG; sig++) {
        if (sig != SIGTERM && sigismember(&pending, sig) != sigismember(&expected, sig)) {
            snprintf(why, sizeof(why), "signal %d (%s) is %spending", sig, strsignal(sig),
                     sigismember(&pending, sig) ? "" : "not ");
            return why;
        }
    }
    pthread_sigmask(SIG_UNBLOCK, &expected, NULL);
    for (int i = 0; i < n; i++) {
        const volatile struct seen *s = &s_seen[list[i].sig];
        if (s->count != 1 || s->code != list[i].code || s->pid != list[i].pid ||
            s->uid != getuid() || s->value != list[i].value || s->tid != gettid()) {
            snprintf(why, sizeof(why),
                     "signal %d (%s): handled %d times, last with code %d pid %d uid %d value "
                     "%#x in thread %d; expected once, code %d pid %d uid %d value %#x in %d",
                     list[i].sig, strsignal(list[i].sig), s->count, s->code, (int)s->pid,
                     (int)s->uid, s->value, (int)s->tid, list[i].code, (int)list[i].pid,
                     (int)getuid(), list[i].value, (int)gettid());
            return why;
        }
    }
    return NULL;
}

static void handle_all(const int *sigs, int n)
{
    sigset_t block;
    sigemptyset(&block);
    for (int i = 0; i < n; i++) {
        test_sigaction(sigs[i], on_signal, SA_SIGINFO);
        sigaddset(&block, sigs[i]);
    }
    sigprocmask(SIG_BLOCK, &block, NULL);
}

/* The second thread of the root: waits until main has taken the process-wide signals. */
static struct test_gate s_gate = TEST_GATE_INIT;
static const char *s_thread_result;

static void *worker(void *arg)
{
    (void)arg;
    test_gate_arrive(&s_gate);
    struct expect mine[] = {{SIGWINCH, SI_TKILL, getpid(), 0}};
    s_thread_result = take(mine, 1);
    return NULL;
}

/* Its signals are blocked already (inherited); the root sends them once it is ready. */
static void run_child(void *arg)
{
    pid_t root = *(pid_t *)arg;
    test_child_ready();
    test_waitsig();
    struct expect mine[] = {
        {SIGUSR1, SI_USER, root, 0},
        {SIGUSR2, SI_QUEUE, root, CHILD_USR2_VALUE},
    };
    test_child_exit(take(mine, 2));
}

int main(int argc, char **argv)
{
    test_init(argc, argv);
    test_daemon();
    int sigs[] = {SIGUSR1, SIGUSR2, SIGHUP, SIGWINCH};
    handle_all(sigs, 4);
    pid_t root = getpid();

    pid_t child = test_fork_child(run_child, &root);
    union sigval value = {.sival_int = CHILD_USR2_VALUE};
    if (kill(child, SIGUSR1) < 0 || sigqueue(child, SIGUSR2, value) < 0) {
        fail("signalling the child: %m");
    }

    pthread_t thread;
    int rc = test_thread_create(&thread, NULL, worker, NULL);
    if (rc != 0) {
        fail("pthread_create: %s", strerror(rc));
    }
    value.sival_int = HUP_VALUE;
    if (kill(root, SIGUSR1) < 0 || kill(root, SIGUSR1) < 0 || sigqueue(root, SIGHUP, value) < 0 ||
        raise(SIGUSR2) != 0 || pthread_kill(thread, SIGWINCH) != 0) {
        fail("raising the root's signals: %m");
    }
    test_gate_wait_arrivals(&s_gate, 1);

    test_waitsig();
    test_signal_child(child);

    /* Main first: the worker blocks everything until then, so the process-wide signals can
     * only come here. sigpending() in main shows its own queue and the process's. */
    struct expect mine[] = {
        {SIGUSR1, SI_USER, root, 0},
        {SIGUSR2, SI_TKILL, root, 0},
        {SIGHUP, SI_QUEUE, root, HUP_VALUE},
    };
    const char *why = take(mine, 3);
    if (why != NULL) {
        fail("main thread: %s", why);
    }
    test_gate_open(&s_gate);
    const char *lost = test_join(thread, "second");
    if (lost != NULL) {
        fail("%s", lost);
    }
    if (s_thread_result != NULL) {
        fail("second thread: %s", s_thread_result);
    }
    const char *how = test_wait_child(child, "child");
    if (how != NULL) {
        fail("%s", how);
    }
    pass();
}
