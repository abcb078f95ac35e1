/*
 * comm_names — process and thread names survive checkpoint/restore.
 *
 * Each task's name (comm, up to 15 characters) is kept by the kernel, set by prctl(PR_SET_NAME)
 * or pthread_setname_np(), and shown in /proc/PID/task/TID/comm; after a restore every task
 * would otherwise carry the name of whatever executable the restorer ran. The root names itself
 * and three threads, each differently (one keeps the name it inherited from main, one uses all
 * fifteen characters), and a child process names itself and one thread of its own. After SIGTERM
 * every process reads /proc/self/task/TID/comm of each of its threads and PR_GET_NAME /
 * pthread_getname_np in main, and compares them with the names it gave.
 */
#include "../lib/zdtm.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#define MAX_THREADS 4

struct named {
    const char *name; /* NULL: keep main's */
    pthread_t thread;
    pid_t tid;
    const char *expected;
};

struct process {
    const char *main_name;
    struct named threads[MAX_THREADS];
    int count;
};

static struct process s_root = {
    "zdtm-comm-root", {{"worker-one"}, {"fifteen-chars-x"}, {NULL}}, 3,
};
static struct process s_child = {"comm-child", {{"child-thread"}}, 1};
static struct test_gate s_gate = TEST_GATE_INIT;

static void *thread_main(void *arg)
{
    struct named *t = arg;
    t->tid = gettid();
    test_gate_arrive(&s_gate);
    return NULL;
}

static void name_all(struct process *p)
{
    if (prctl(PR_SET_NAME, p->main_name) < 0) {
        child_fail("PR_SET_NAME: %m");
    }
    for (int i = 0; i < p->count; i++) {
        struct named *t = &p->threads[i];
        int rc = test_thread_create(&t->thread, NULL, thread_main, t);
        if (rc != 0) {
            child_fail("pthread_create: %s", strerror(rc));
        }
        t->expected = t->name != NULL ? t->name : p->main_name;
        if (t->name != NULL && (rc = pthread_setname_np(t->thread, t->name)) != 0) {
            child_fail("pthread_setname_np(%s): %s", t->name, strerror(rc));
        }
    }
    test_gate_wait_arrivals(&s_gate, p->count);
}

/* The comm of task tid of this process. */
static void comm_of(pid_t tid, char *out, size_t len)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/self/task/%d/comm", (int)tid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n = fd >= 0 ? read(fd, out, len - 1) : -1;
    close(fd);
    out[n > 0 ? n : 0] = '\0';
    out[strcspn(out, "\n")] = '\0';
}

static const char *check(struct process *p)
{
    static char why[256];
    char comm[32], got[32] = "";
    comm_of(gettid(), comm, sizeof(comm));
    prctl(PR_GET_NAME, got);
    if (strcmp(comm, p->main_name) != 0 || strcmp(got, p->main_name) != 0) {
        snprintf(why, sizeof(why), "main is named \"%s\" (PR_GET_NAME \"%s\"), expected \"%s\"",
                 comm, got, p->main_name);
        return why;
    }
    for (int i = 0; i < p->count; i++) {
        struct named *t = &p->threads[i];
        comm_of(t->tid, comm, sizeof(comm));
        pthread_getname_np(t->thread, got, sizeof(got));
        if (strcmp(comm, t->expected) != 0 || strcmp(got, t->expected) != 0) {
            snprintf(why, sizeof(why), "thread %d is named \"%s\" (pthread_getname_np \"%s\"), "
                     "expected \"%s\"", (int)t->tid, comm, got, t->expected);
            return why;
        }
    }
    test_gate_open(&s_gate);
    for (int i = 0; i < p->count; i++) {
        const char *lost = test_join(p->threads[i].thread, p->threads[i].expected);
        if (lost != NULL) {
            return lost;
        }
    }
    return NULL;
}

static void child_body(void *arg)
{
    (void)arg;
    name_all(&s_child);
    test_child_ready();
    test_waitsig();
    test_child_exit(check(&s_child));
}

int main(int argc, char **argv)
{
    test_init(argc, argv);
    test_daemon();
    pid_t child = test_fork_child(child_body, NULL);
    name_all(&s_root);

    test_waitsig();

    const char *names[] = {"child"};
    const char *how = test_end_children(&child, names, 1);
    test_verdict(how != NULL ? how : check(&s_root));
}
