/*
 * sigactions — signal dispositions and the blocked mask survive checkpoint/restore.
 *
 * The root and a child each install a table of dispositions: handlers with SA_SIGINFO,
 * SA_RESTART, SA_NODEFER, SA_RESETHAND, SA_NOCLDSTOP and various sa_masks, ignored signals, and
 * a blocked mask. The child changes some of what it inherited, so the two processes' tables
 * differ and a restore that shares or mixes them up is seen. After SIGTERM each process
 *   - compares every disposition, as sigaction() reports it (flags, mask, handler and the
 *     restorer glibc put there), with what it read before the checkpoint;
 *   - compares its blocked mask;
 *   - raises each handled signal and checks that the right handler ran, once, with its
 *     sa_mask (plus the signal itself unless SA_NODEFER) blocked while it ran, with the siginfo
 *     of a raise() where SA_SIGINFO asked for it, and that SA_RESETHAND put SIG_DFL back.
 * A handler address in the wrong place or a lost flag changes one of those.
 */
#include "../lib/zdtm.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define MAX_SIG 65

struct disposition {
    int sig;
    void (*handler)(int);                       /* or SIG_IGN / SIG_DFL, when not siginfo */
    void (*action)(int, siginfo_t *, void *);   /* when SA_SIGINFO */
    int flags;
    int mask[3];                                /* sa_mask; 0 ends it */
};

/* What the handlers saw: how often each signal was handled, and whether the mask in force in
 * the handler and the siginfo matched. */
static volatile sig_atomic_t s_runs[MAX_SIG];
static volatile sig_atomic_t s_bad_mask[MAX_SIG];
static volatile sig_atomic_t s_bad_info[MAX_SIG];
static const struct disposition *s_table;
static size_t s_table_len;

static const struct disposition *find(int sig)
{
    for (size_t i = 0; i < s_table_len; i++) {
        if (s_table[i].sig == sig) {
            return &s_table[i];
        }
    }
    return NULL;
}

/* In force while a handler runs: the mask before (nothing of the table is blocked) plus
 * sa_mask, plus the signal unless SA_NODEFER. */
static void note(int sig)
{
    const struct disposition *d = find(sig);
    sigset_t now;
    sigprocmask(SIG_BLOCK, NULL, &now);
    int bad = d == NULL || sigismember(&now, sig) != !(d->flags & SA_NODEFER);
    for (int i = 0; d != NULL && i < 3 && d->mask[i] != 0; i++) {
        bad |= !sigismember(&now, d->mask[i]);
    }
    if (bad) {
        s_bad_mask[sig] = 1;
    }
    s_runs[sig]++;
}

static void plain_handler(int sig)
{
    note(sig);
}

static void info_handler(int sig, siginfo_t *info, void *context)
{
    (void)context;
    /* raise() is tgkill() on ourselves. */
    if (info->si_signo != sig || info->si_code != SI_TKILL || info->si_pid != getpid()) {
        s_bad_info[sig] = 1;
    }
    note(sig);
}

static const struct disposition s_root_table[] = {
    {SIGUSR1, NULL, info_handler, SA_SIGINFO | SA_RESTART, {SIGUSR2, SIGHUP, 0}},
    {SIGUSR2, plain_handler, NULL, SA_NODEFER | SA_RESETHAND, {SIGINT, 0}},
    {SIGINT, plain_handler, NULL, SA_RESTART, {0}},
    {SIGCHLD, NULL, info_handler, SA_SIGINFO | SA_NOCLDSTOP | SA_RESTART, {SIGALRM, 0}},
    {SIGHUP, SIG_IGN, NULL, 0, {0}},
    {SIGPIPE, SIG_IGN, NULL, 0, {0}},
    {SIGWINCH, plain_handler, NULL, SA_NODEFER, {SIGUSR1, SIGUSR2, 0}},
};

static const struct disposition s_child_table[] = {
    {SIGUSR1, SIG_IGN, NULL, 0, {0}},
    {SIGUSR2, NULL, info_handler, SA_SIGINFO, {SIGINT, SIGHUP, 0}},
    {SIGINT, plain_handler, NULL, SA_RESETHAND, {SIGWINCH, 0}},
    {SIGCHLD, SIG_DFL, NULL, 0, {0}},
    {SIGHUP, plain_handler, NULL, SA_RESTART | SA_NODEFER, {0}},
    {SIGPIPE, SIG_IGN, NULL, 0, {0}},
    {SIGWINCH, plain_handler, NULL, 0, {SIGUSR2, 0}},
};

#define ROOT_BLOCKED SIGQUIT
#define CHILD_BLOCKED SIGTTOU

struct recorded {
    struct sigaction actions[MAX_SIG];
    sigset_t blocked;
};

/* Returns the signal whose sigaction() failed, or 0. */
static int install(const struct disposition *table, size_t len, int blocked,
                   struct recorded *rec)
{
    s_table = table;
    s_table_len = len;
    for (size_t i = 0; i < len; i++) {
        struct sigaction sa;
        memset(&sa, 0, sizeof(sa));
        if (table[i].flags & SA_SIGINFO) {
            sa.sa_sigaction = table[i].action;
        } else {
            sa.sa_handler = table[i].handler;
        }
        sa.sa_flags = table[i].flags;
        sigemptyset(&sa.sa_mask);
        for (int m = 0; m < 3 && table[i].mask[m] != 0; m++) {
            sigaddset(&sa.sa_mask, table[i].mask[m]);
        }
        if (sigaction(table[i].sig, &sa, NULL) < 0) {
            return table[i].sig;
        }
    }
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, blocked);
    sigprocmask(SIG_BLOCK, &block, NULL);
    for (int sig = 1; sig < MAX_SIG; sig++) {
        sigaction(sig, NULL, &rec->actions[sig]);
    }
    sigprocmask(SIG_BLOCK, NULL, &rec->blocked);
    return 0;
}

/* Returns NULL or what is wrong, in a static buffer. */
static const char *check(const struct recorded *rec)
{
    static char why[512];
    for (int sig = 1; sig < MAX_SIG; sig++) {
        struct sigaction now;
        sigaction(sig, NULL, &now);
        const struct sigaction *was = &rec->actions[sig];
        if (now.sa_handler != was->sa_handler || now.sa_flags != was->sa_flags ||
            now.sa_restorer != was->sa_restorer) {
            snprintf(why, sizeof(why),
                     "signal %d (%s): handler %p flags %#x restorer %p, was %p %#x %p", sig,
                     strsignal(sig), (void *)now.sa_handler, now.sa_flags,
                     (void *)now.sa_restorer, (void *)was->sa_handler, was->sa_flags,
                     (void *)was->sa_restorer);
            return why;
        }
        for (int m = 1; m < NSIG; m++) {
            if (sigismember(&now.sa_mask, m) != sigismember(&was->sa_mask, m)) {
                snprintf(why, sizeof(why), "signal %d (%s): sa_mask %s signal %d now", sig,
                         strsignal(sig), sigismember(&now.sa_mask, m) ? "has" : "lacks", m);
                return why;
            }
        }
    }
    sigset_t blocked;
    sigprocmask(SIG_BLOCK, NULL, &blocked);
    for (int sig = 1; sig < NSIG; sig++) {
        if (sigismember(&blocked, sig) != sigismember(&rec->blocked, sig)) {
            snprintf(why, sizeof(why), "signal %d (%s) is %s now", sig, strsignal(sig),
                     sigismember(&blocked, sig) ? "blocked" : "no longer blocked");
            return why;
        }
    }
    /* The handlers, for real. */
    for (size_t i = 0; i < s_table_len; i++) {
        const struct disposition *d = &s_table[i];
        if (!(d->flags & SA_SIGINFO) && (d->handler == SIG_IGN || d->handler == SIG_DFL)) {
            continue;
        }
        raise(d->sig);
        if (s_runs[d->sig] != 1 || s_bad_mask[d->sig] || s_bad_info[d->sig]) {
            snprintf(why, sizeof(why),
                     "raising signal %d (%s) ran its handler %d times%s%s", d->sig,
                     strsignal(d->sig), (int)s_runs[d->sig],
                     s_bad_mask[d->sig] ? ", with the wrong mask in force" : "",
                     s_bad_info[d->sig] ? ", with the wrong siginfo" : "");
            return why;
        }
        struct sigaction after;
        sigaction(d->sig, NULL, &after);
        if ((d->flags & SA_RESETHAND) && after.sa_handler != SIG_DFL) {
            snprintf(why, sizeof(why), "signal %d (%s) has SA_RESETHAND, but its handler is "
                     "still %p after it ran", d->sig, strsignal(d->sig), (void *)after.sa_handler);
            return why;
        }
    }
    /* The ignored ones are ignored indeed: they would kill us otherwise. */
    for (size_t i = 0; i < s_table_len; i++) {
        if (!(s_table[i].flags & SA_SIGINFO) && s_table[i].handler == SIG_IGN) {
            raise(s_table[i].sig);
        }
    }
    return NULL;
}

#define LEN(a) (sizeof(a) / sizeof((a)[0]))

static void run_child(void *arg)
{
    (void)arg;
    static struct recorded rec;
    int bad = install(s_child_table, LEN(s_child_table), CHILD_BLOCKED, &rec);
    if (bad != 0) {
        child_fail("sigaction(%d): %m", bad);
    }
    test_child_ready();
    test_waitsig();
    test_child_exit(check(&rec));
}

int main(int argc, char **argv)
{
    test_init(argc, argv);
    test_daemon();
    static struct recorded root;
    int bad = install(s_root_table, LEN(s_root_table), ROOT_BLOCKED, &root);
    if (bad != 0) {
        fail("root: sigaction(%d): %m", bad);
    }

    pid_t child = test_fork_child(run_child, NULL);

    test_waitsig();

    test_signal_child(child);
    /* The child's exit raises SIGCHLD, whose handler counts: reap it before raising our own. */
    const char *how = test_wait_child(child, "child");
    if (how != NULL) {
        fail("%s", how);
    }
    s_runs[SIGCHLD] = 0;
    s_bad_info[SIGCHLD] = 0;
    s_bad_mask[SIGCHLD] = 0;
    test_verdict(check(&root));
}
