/*
 * rt_sigqueue — queued real-time signals keep their number, order and value.
 *
 * Real-time signals queue: every instance is kept with its own siginfo, in order. Before the
 * tree is ready, with all of them blocked in both threads, we queue
 *   - process-wide, with sigqueue(): SIGRTMIN five times and SIGRTMIN+2 three times;
 *   - to the main thread, with pthread_sigqueue(): SIGRTMIN+1 three times;
 *   - to a second thread, with pthread_sigqueue(): SIGRTMIN+1 four times (its own queue, not
 *     main's), and with tgkill() SIGRTMIN+3 twice (no value, si_code SI_TKILL);
 * each with a distinct si_value. After SIGTERM main unblocks first, then the second thread.
 * The kernel hands a thread its own queue before the process's and, within a queue, the lowest
 * signal number first and instances of one number in the order they were sent; the handler
 * blocks every real-time signal, so each runs to its end before the next is delivered. Each
 * thread therefore sees one exact sequence, which it compares instance by instance: number,
 * value, code, sender and thread. A restore that loses, duplicates or reorders an instance,
 * merges instances, or moves one to the other thread's queue, fails here.
 */
#include "../lib/zdtm.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAX_SEEN 64

struct instance {
    int sig;   /* offset from SIGRTMIN */
    int code;
    int value; /* for SI_QUEUE */
};

struct seen {
    int sig, code, value;
    pid_t pid, tid;
};

static volatile struct seen s_seen[MAX_SEEN];
static volatile int s_nseen;

static void on_rt(int sig, siginfo_t *info, void *context)
{
    (void)context;
    if (s_nseen < MAX_SEEN) {
        volatile struct seen *s = &s_seen[s_nseen];
        s->sig = sig - SIGRTMIN;
        s->code = info->si_code;
        s->value = info->si_code == SI_QUEUE ? info->si_value.sival_int : 0;
        s->pid = info->si_pid;
        s->tid = gettid();
    }
    s_nseen++;
}

static sigset_t rt_set(void)
{
    sigset_t set;
    sigemptyset(&set);
    for (int sig = SIGRTMIN; sig <= SIGRTMIN + 3; sig++) {
        sigaddset(&set, sig);
    }
    return set;
}

/* Unblocks the real-time signals in this thread and compares the deliveries with expected;
 * returns NULL or what is wrong. Only one thread at a time does this. */
static const char *take(const struct instance *expected, int n)
{
    static char why[256];
    s_nseen = 0;
    sigset_t set = rt_set();
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    for (int i = 0; i < n && i < s_nseen; i++) {
        const volatile struct seen *s = &s_seen[i];
        if (s->sig != expected[i].sig || s->code != expected[i].code ||
            s->value != expected[i].value || s->pid != getpid() || s->tid != gettid()) {
            snprintf(why, sizeof(why),
                     "delivery %d was SIGRTMIN+%d code %d value %#x from %d in thread %d; "
                     "expected SIGRTMIN+%d code %d value %#x from %d in %d",
                     i, s->sig, s->code, s->value, (int)s->pid, (int)s->tid, expected[i].sig,
                     expected[i].code, expected[i].value, (int)getpid(), (int)gettid());
            return why;
        }
    }
    if (s_nseen != n) {
        snprintf(why, sizeof(why), "%d signals were delivered, expected %d", s_nseen, n);
        return why;
    }
    return NULL;
}

static struct test_gate s_gate = TEST_GATE_INIT;
static pid_t s_worker_tid;

/* What each queue gets, in the order it is sent (and so delivered). */
static const struct instance s_main_expected[] = {
    /* main's own queue first */
    {1, SI_QUEUE, 0x1100}, {1, SI_QUEUE, 0x1101}, {1, SI_QUEUE, 0x1102},
    /* then the process's, lowest number first */
    {0, SI_QUEUE, 0x0100}, {0, SI_QUEUE, 0x0101}, {0, SI_QUEUE, 0x0102},
    {0, SI_QUEUE, 0x0103}, {0, SI_QUEUE, 0x0104},
    {2, SI_QUEUE, 0x0200}, {2, SI_QUEUE, 0x0201}, {2, SI_QUEUE, 0x0202},
};

static const struct instance s_worker_expected[] = {
    {1, SI_QUEUE, 0x2100}, {1, SI_QUEUE, 0x2101}, {1, SI_QUEUE, 0x2102}, {1, SI_QUEUE, 0x2103},
    {3, SI_TKILL, 0}, {3, SI_TKILL, 0},
};

#define LEN(a) ((int)(sizeof(a) / sizeof((a)[0])))

static void *worker(void *arg)
{
    const char **result = arg;
    s_worker_tid = gettid();
    test_gate_arrive(&s_gate);
    *result = take(s_worker_expected, LEN(s_worker_expected));
    return NULL;
}

/* Sends every SI_QUEUE instance of expected[] for signal offset sig to thread (or, with
 * thread 0, to the process). */
static void queue(const struct instance *expected, int n, int sig, pthread_t thread,
                  int process)
{
    for (int i = 0; i < n; i++) {
        if (expected[i].sig != sig || expected[i].code != SI_QUEUE) {
            continue;
        }
        union sigval value = {.sival_int = expected[i].value};
        int rc = process ? sigqueue(getpid(), SIGRTMIN + sig, value)
                         : pthread_sigqueue(thread, SIGRTMIN + sig, value);
        if (rc != 0) {
            fail("queueing SIGRTMIN+%d value %#x: %s", sig, expected[i].value,
                 strerror(process ? errno : rc));
        }
    }
}

int main(int argc, char **argv)
{
    test_init(argc, argv);
    test_daemon();

    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_rt;
    sa.sa_flags = SA_SIGINFO;
    sa.sa_mask = rt_set();
    for (int sig = SIGRTMIN; sig <= SIGRTMIN + 3; sig++) {
        sigaction(sig, &sa, NULL);
    }
    sigset_t set = rt_set();
    pthread_sigmask(SIG_BLOCK, &set, NULL);

    const char *worker_result = NULL;
    pthread_t thread;
    int rc = test_thread_create(&thread, NULL, worker, &worker_result);
    if (rc != 0) {
        fail("pthread_create: %s", strerror(rc));
    }
    test_gate_wait_arrivals(&s_gate, 1);

    queue(s_main_expected, LEN(s_main_expected), 0, 0, 1);
    queue(s_main_expected, LEN(s_main_expected), 2, 0, 1);
    queue(s_main_expected, LEN(s_main_expected), 1, pthread_self(), 0);
    queue(s_worker_expected, LEN(s_worker_expected), 1, thread, 0);
    for (int i = 0; i < 2; i++) {
        if (syscall(SYS_tgkill, getpid(), s_worker_tid, SIGRTMIN + 3) < 0) {
            fail("tgkill(%d, SIGRTMIN+3): %m", (int)s_worker_tid);
        }
    }

    test_waitsig();

    const char *why = take(s_main_expected, LEN(s_main_expected));
    if (why != NULL) {
        fail("main thread: %s", why);
    }
    test_gate_open(&s_gate);
    const char *lost = test_join(thread, "second");
    if (lost != NULL) {
        fail("%s", lost);
    }
    if (worker_result != NULL) {
        fail("second thread: %s", worker_result);
    }
    pass();
}
