/*
 * sigaltstack — each thread's alternate signal stack survives checkpoint/restore.
 *
 * The alternate stack is per thread and lives only in the kernel's view of the task (sas_ss_sp,
 * sas_ss_size, sas_ss_flags). Three threads:
 *   - main, with a stack in a private mapping;
 *   - a second thread, with a smaller stack in the heap and SS_AUTODISARM;
 *   - a third thread with none (SS_DISABLE), whose handler must run on its ordinary stack.
 * After SIGTERM each thread compares sigaltstack() with what it set, then raises SIGUSR1, whose
 * handler has SA_ONSTACK: it must run on that thread's own alternate stack (the address of one
 * of its locals lies inside it, and sigaltstack() in the handler says SS_ONSTACK, or for the
 * SS_AUTODISARM thread reports the stack disarmed while in use) or, for the third thread, not
 * on any of them.
 */
#include "../lib/zdtm.h"

#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define THREADS 3

#ifndef SS_AUTODISARM
#define SS_AUTODISARM ((int)(1U << 31)) /* linux/signal.h; glibc before 2.38 lacks it */
#endif

struct alt {
    const char *name;
    size_t size;     /* 0: no alternate stack */
    int flags;       /* for sigaltstack(): 0 or SS_AUTODISARM */
    stack_t set;     /* as given to the kernel */
    stack_t in_handler;
    uintptr_t local; /* the address of a local of the handler */
    int runs;
    const char *result;
};

static struct alt s_alts[THREADS] = {
    {"main", 64 * 1024, 0},
    {"autodisarm", 32 * 1024, SS_AUTODISARM},
    {"none", 0, 0},
};

static __thread struct alt *t_alt;

static void on_usr1(int sig)
{
    (void)sig;
    volatile char here;
    struct alt *a = t_alt;
    sigaltstack(NULL, &a->in_handler);
    a->local = (uintptr_t)&here;
    a->runs++;
}

static void setup(struct alt *a)
{
    t_alt = a;
    if (a->size == 0) {
        a->set.ss_flags = SS_DISABLE;
        return;
    }
    void *sp = a->flags & SS_AUTODISARM ? malloc(a->size)
                                        : mmap(NULL, a->size, PROT_READ | PROT_WRITE,
                                               MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (sp == NULL || sp == MAP_FAILED) {
        fail("%s: allocating the alternate stack: %m", a->name);
    }
    a->set.ss_sp = sp;
    a->set.ss_size = a->size;
    a->set.ss_flags = a->flags;
    if (sigaltstack(&a->set, NULL) < 0) {
        fail("%s: sigaltstack: %m", a->name);
    }
}

/* NULL or what is wrong, in a static buffer of the thread's own. */
static const char *check(struct alt *a)
{
    static __thread char why[256];
    stack_t now;
    sigaltstack(NULL, &now);
    int disabled = a->size == 0;
    if (disabled ? !(now.ss_flags & SS_DISABLE)
                 : now.ss_sp != a->set.ss_sp || now.ss_size != a->set.ss_size ||
                       now.ss_flags != a->set.ss_flags) {
        snprintf(why, sizeof(why), "sigaltstack() is sp %p size %zu flags %#x, set %p %zu %#x",
                 now.ss_sp, now.ss_size, now.ss_flags, a->set.ss_sp, a->set.ss_size,
                 a->set.ss_flags);
        return why;
    }
    raise(SIGUSR1);
    uintptr_t base = (uintptr_t)a->set.ss_sp;
    int inside = a->local >= base && a->local < base + a->size;
    int others = 0;
    for (int i = 0; i < THREADS; i++) {
        uintptr_t b = (uintptr_t)s_alts[i].set.ss_sp;
        others |= &s_alts[i] != a && s_alts[i].size != 0 && a->local >= b &&
                  a->local < b + s_alts[i].size;
    }
    /* In use, the stack reports SS_ONSTACK; with SS_AUTODISARM it is disarmed instead. */
    int expected_flags = disabled ? SS_DISABLE
                                  : a->flags & SS_AUTODISARM ? SS_DISABLE : SS_ONSTACK;
    if (a->runs != 1 || inside == disabled || others ||
        (a->in_handler.ss_flags & (SS_DISABLE | SS_ONSTACK)) != expected_flags) {
        snprintf(why, sizeof(why),
                 "the SA_ONSTACK handler ran %d times with a local at %#lx (%s its alternate "
                 "stack %p+%zu%s) and sigaltstack flags %#x there, expected %#x", a->runs,
                 (unsigned long)a->local, inside ? "inside" : "outside", a->set.ss_sp, a->size,
                 others ? ", inside another thread's" : "", a->in_handler.ss_flags,
                 expected_flags);
        return why;
    }
    return NULL;
}

static struct test_gate s_gate = TEST_GATE_INIT;

static void *thread_main(void *arg)
{
    struct alt *a = arg;
    setup(a);
    test_gate_arrive(&s_gate);
    a->result = check(a);
    return NULL;
}

int main(int argc, char **argv)
{
    test_init(argc, argv);
    test_daemon();

    if (test_sigaction(SIGUSR1, on_usr1, SA_ONSTACK) < 0) {
        fail("sigaction: %m");
    }
    setup(&s_alts[0]);
    pthread_t threads[THREADS];
    for (int i = 1; i < THREADS; i++) {
        int rc = test_thread_create(&threads[i], NULL, thread_main, &s_alts[i]);
        if (rc != 0) {
            fail("pthread_create: %s", strerror(rc));
        }
    }
    test_gate_wait_arrivals(&s_gate, THREADS - 1);

    test_waitsig();

    const char *why = check(&s_alts[0]);
    if (why != NULL) {
        fail("main thread: %s", why);
    }
    test_gate_open(&s_gate);
    for (int i = 1; i < THREADS; i++) {
        const char *lost = test_join(threads[i], s_alts[i].name);
        if (lost != NULL) {
            fail("%s", lost);
        }
        if (s_alts[i].result != NULL) {
            fail("thread %s: %s", s_alts[i].name, s_alts[i].result);
        }
    }
    pass();
}
