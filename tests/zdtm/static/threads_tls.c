/*
 * threads_tls — four threads keep their thread-local state and their stacks.
 *
 * What a thread is to glibc lives in its TLS block, found through the fs base register, and on
 * a stack glibc or the program placed: a restore must give each thread back its own fs base and
 * the memory behind it. Four threads, two on stacks glibc allocates with different sizes and
 * two on stacks of our own (pthread_attr_setstack on a mapping we made), each
 *   - changes an initialised __thread variable (.tdata) and fills a zeroed one (.tbss);
 *   - sets errno, which is thread-local, to a value of its own;
 *   - stores a value under a pthread key;
 *   - records its tid, its fs base (arch_prctl) and its stack bounds (pthread_getattr_np).
 * They then wait at a gate. After SIGTERM main checks that /proc/self/task lists exactly the
 * five tids it knew, opens the gate, and each thread checks all of the above again.
 */
#include "../lib/zdtm.h"

#include <asm/prctl.h>
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define THREADS 4
#define OWN_STACK_SIZE (256 * 1024)

static __thread long t_initialised = 0x1234567;
static __thread char t_zeroed[512];

struct thread {
    size_t stack_size;   /* requested */
    int own_stack;       /* on a mapping of ours */
    void *stack_base;    /* as pthread_getattr_np reports */
    size_t stack_actual;
    pid_t tid;
    unsigned long fs_base;
    char why[256];
};

static struct thread s_threads[THREADS] = {
    {128 * 1024, 0}, {1024 * 1024, 0}, {OWN_STACK_SIZE, 1}, {OWN_STACK_SIZE * 2, 1},
};
static pthread_key_t s_key;
static struct test_gate s_gate = TEST_GATE_INIT;

static unsigned long fs_base(void)
{
    unsigned long base = 0;
    syscall(SYS_arch_prctl, ARCH_GET_FS, &base);
    return base;
}

static void stack_of(void **base, size_t *size)
{
    pthread_attr_t attr;
    *base = NULL;
    *size = 0;
    if (pthread_getattr_np(pthread_self(), &attr) == 0) {
        pthread_attr_getstack(&attr, base, size);
        pthread_attr_destroy(&attr);
    }
}

static char zeroed_byte(int index, int i)
{
    return (char)(index * 31 + i);
}

static void *thread_main(void *arg)
{
    int index = (int)(intptr_t)arg;
    struct thread *t = &s_threads[index];
    t_initialised = t_initialised * 10 + index;
    for (int i = 0; i < (int)sizeof(t_zeroed); i++) {
        t_zeroed[i] = zeroed_byte(index, i);
    }
    pthread_setspecific(s_key, t);
    t->tid = gettid();
    t->fs_base = fs_base();
    stack_of(&t->stack_base, &t->stack_actual);
    errno = 1000 + index;

    test_gate_arrive(&s_gate);

    int saved_errno = errno;
    void *base;
    size_t size;
    stack_of(&base, &size);
    long expected = 0x1234567L * 10 + index;
    if (saved_errno != 1000 + index) {
        snprintf(t->why, sizeof(t->why), "errno is %d, was set to %d", saved_errno, 1000 + index);
    } else if (gettid() != t->tid || fs_base() != t->fs_base) {
        snprintf(t->why, sizeof(t->why), "tid %d fs base %#lx, was %d %#lx", (int)gettid(),
                 fs_base(), (int)t->tid, t->fs_base);
    } else if (t_initialised != expected || pthread_getspecific(s_key) != t) {
        snprintf(t->why, sizeof(t->why), "initialised TLS %ld (expected %ld), key value %p "
                 "(expected %p)", t_initialised, expected, pthread_getspecific(s_key), (void *)t);
    } else if (base != t->stack_base || size != t->stack_actual) {
        snprintf(t->why, sizeof(t->why), "stack %p+%zu, was %p+%zu", base, size, t->stack_base,
                 t->stack_actual);
    } else {
        for (int i = 0; i < (int)sizeof(t_zeroed); i++) {
            if (t_zeroed[i] != zeroed_byte(index, i)) {
                snprintf(t->why, sizeof(t->why), "zero-initialised TLS byte %d is %d, expected %d",
                         i, t_zeroed[i], zeroed_byte(index, i));
                break;
            }
        }
    }
    return NULL;
}

/* Whether /proc/self/task holds exactly the tids of main and the threads. */
static int tasks_match(char *why, size_t len)
{
    DIR *dir = opendir("/proc/self/task");
    if (dir == NULL) {
        snprintf(why, len, "opendir(/proc/self/task): %m");
        return 0;
    }
    int seen = 0, ok = 1;
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL) {
        if (entry->d_name[0] == '.') {
            continue;
        }
        pid_t tid = atoi(entry->d_name);
        int known = tid == getpid();
        for (int i = 0; i < THREADS; i++) {
            known |= tid == s_threads[i].tid;
        }
        if (!known) {
            snprintf(why, len, "/proc/self/task lists %d, which is none of our threads", tid);
            ok = 0;
        }
        seen++;
    }
    closedir(dir);
    if (ok && seen != THREADS + 1) {
        snprintf(why, len, "/proc/self/task lists %d tasks, expected %d", seen, THREADS + 1);
        ok = 0;
    }
    return ok;
}

int main(int argc, char **argv)
{
    test_init(argc, argv);
    test_daemon();

    if (pthread_key_create(&s_key, NULL) != 0) {
        fail("pthread_key_create failed");
    }
    pthread_t threads[THREADS];
    for (int i = 0; i < THREADS; i++) {
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        if (s_threads[i].own_stack) {
            void *stack = mmap(NULL, s_threads[i].stack_size, PROT_READ | PROT_WRITE,
                               MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
            if (stack == MAP_FAILED) {
                fail("mmap for a stack: %m");
            }
            pthread_attr_setstack(&attr, stack, s_threads[i].stack_size);
        } else {
            pthread_attr_setstacksize(&attr, s_threads[i].stack_size);
        }
        int rc = test_thread_create(&threads[i], &attr, thread_main, (void *)(intptr_t)i);
        pthread_attr_destroy(&attr);
        if (rc != 0) {
            fail("pthread_create: %s", strerror(rc));
        }
    }
    test_gate_wait_arrivals(&s_gate, THREADS);
    long main_tls = t_initialised;

    test_waitsig();

    char why[256];
    if (!tasks_match(why, sizeof(why))) {
        fail("%s", why);
    }
    test_gate_open(&s_gate);
    for (int i = 0; i < THREADS; i++) {
        const char *lost = test_join(threads[i], "worker");
        if (lost != NULL) {
            fail("thread %d (tid %d): %s", i, (int)s_threads[i].tid, lost);
        }
        if (s_threads[i].why[0] != '\0') {
            fail("thread %d (tid %d, %s stack of %zu bytes): %s", i, (int)s_threads[i].tid,
                 s_threads[i].own_stack ? "own" : "glibc's", s_threads[i].stack_size,
                 s_threads[i].why);
        }
    }
    if (t_initialised != main_tls || main_tls != 0x1234567) {
        fail("main's initialised TLS is %ld, expected %ld", t_initialised, 0x1234567L);
    }
    pass();
}
