/*
 * rseq — glibc's restartable-sequences registration is alive after checkpoint/restore.
 *
 * glibc registers an rseq area for every thread at its start (__rseq_size > 0, the area at
 * __rseq_offset from the thread pointer); the kernel then writes the current cpu into it on
 * every return to user space after a migration, and sched_getcpu() just reads it. The
 * registration is kernel state of the thread: a restore that does not register the same area
 * again leaves a stale cpu number that nothing updates. After SIGTERM, in main and in a second
 * thread:
 *   - registering the same area again must fail with EBUSY (it is registered, with the same
 *     length and signature);
 *   - for every cpu it may run on (now), pinned to it, sched_getcpu() and the area's cpu_id must
 *     both name that cpu, many times over (with one cpu only, just that one);
 * then the original affinity is put back.
 */
#include "../lib/zdtm.h"

#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/rseq.h>
#include <sys/syscall.h>
#include <unistd.h>

#define ROUNDS 100

#ifndef RSEQ_SIG
#define RSEQ_SIG 0x53053053 /* glibc's signature on x86 */
#endif

static struct test_gate s_gate = TEST_GATE_INIT;

static volatile struct rseq *area(void)
{
    return (volatile struct rseq *)((char *)__builtin_thread_pointer() + __rseq_offset);
}

/* NULL or what is wrong with this thread's registration. */
static const char *check(const char *who)
{
    static __thread char why[256];
    volatile struct rseq *rs = area();
    long rc = syscall(SYS_rseq, rs, __rseq_size, 0, RSEQ_SIG);
    int err = errno;
    if (rc == -1 && err == EINVAL && __rseq_size != 32) {
        rc = syscall(SYS_rseq, rs, 32, 0, RSEQ_SIG); /* the length glibc registers */
        err = errno;
    }
    if (rc != -1 || err != EBUSY) {
        snprintf(why, sizeof(why), "%s: registering the rseq area at %p again gave %ld (%s), "
                 "expected EBUSY", who, (void *)rs, rc, rc == 0 ? "it was not registered"
                                                           : strerror(err));
        return why;
    }
    /* The cpus allowed now: the affinity is not what this test is about, and a restore on
     * another machine may have fewer. */
    cpu_set_t allowed;
    if (sched_getaffinity(0, sizeof(allowed), &allowed) < 0) {
        snprintf(why, sizeof(why), "%s: sched_getaffinity: %m", who);
        return why;
    }
    for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
        if (!CPU_ISSET(cpu, &allowed)) {
            continue;
        }
        cpu_set_t one;
        CPU_ZERO(&one);
        CPU_SET(cpu, &one);
        if (sched_setaffinity(0, sizeof(one), &one) < 0) {
            snprintf(why, sizeof(why), "%s: sched_setaffinity(cpu %d): %m", who, cpu);
            return why;
        }
        for (int i = 0; i < ROUNDS; i++) {
            int got = sched_getcpu();
            int in_area = (int)rs->cpu_id;
            if (got != cpu || in_area != cpu) {
                snprintf(why, sizeof(why), "%s: pinned to cpu %d, sched_getcpu() says %d and the "
                         "rseq area %d", who, cpu, got, in_area);
                return why;
            }
            sched_yield();
        }
    }
    sched_setaffinity(0, sizeof(allowed), &allowed);
    return NULL;
}

static void *thread_main(void *arg)
{
    const char **result = arg;
    test_gate_arrive(&s_gate);
    *result = check("second thread");
    return NULL;
}

int main(int argc, char **argv)
{
    test_init(argc, argv);
    if (__rseq_size == 0) {
        fail("glibc did not register rseq (__rseq_size is 0); GLIBC_TUNABLES may disable it");
    }
    test_daemon();
    const char *thread_result = NULL;
    pthread_t thread;
    int rc = test_thread_create(&thread, NULL, thread_main, &thread_result);
    if (rc != 0) {
        fail("pthread_create: %s", strerror(rc));
    }
    test_gate_wait_arrivals(&s_gate, 1);
    int cpu = sched_getcpu();
    if (cpu < 0 || (int)area()->cpu_id != cpu) {
        fail("before the checkpoint, sched_getcpu() is %d and the rseq area says %d", cpu,
             (int)area()->cpu_id);
    }
    test_msg("rseq area at %p (%u bytes)", (void *)area(), __rseq_size);

    test_waitsig();

    const char *why = check("main");
    test_gate_open(&s_gate);
    const char *lost = test_join(thread, "second");
    if (why == NULL) {
        why = lost != NULL ? lost : thread_result;
    }
    if (why != NULL) {
        fail("%s", why);
    }
    pass();
}
