/*
 * fork_tree — a tree of processes three levels deep keeps its shape.
 *
 * The root has two children, each of them two, and each of those one: ten processes below the
 * root, every one a parent or a child of another. A restore has to recreate each process with
 * its pid under the right parent. Every process records its pid, its parent's pid (as the parent
 * saw it at fork) and a value of its own in a global; after SIGTERM each checks getpid(),
 * getppid() and the value, passes SIGTERM down to its children, waits for them and reports
 * through its exit status, so a failure anywhere reaches the root's verdict.
 */
#include "../lib/zdtm.h"

#include <stdio.h>
#include <unistd.h>

#define LEVELS 3

static const int s_fan_out[LEVELS] = {2, 2, 1};

struct node {
    int level;     /* 0: the root */
    int path;      /* which node, as digits: 1, 12, 121, ... */
    pid_t pid;
    pid_t parent;
};

static struct node s_me;
static long s_token; /* this process's own value: from its path and pid */
static pid_t s_children[2];
static int s_nchildren;

static void node_body(void *arg);

/* Starts this node's children; each is ready (with its own children) when this returns. */
static void grow(void)
{
    if (s_me.level == LEVELS) {
        return;
    }
    for (int i = 0; i < s_fan_out[s_me.level]; i++) {
        struct node child = {s_me.level + 1, s_me.path * 10 + i + 1, 0, getpid()};
        s_children[s_nchildren++] = test_fork_child(node_body, &child);
    }
}

/* NULL or what is wrong with this node and, below it, its children. */
static const char *check(void)
{
    static char why[256];
    if (getpid() != s_me.pid || getppid() != s_me.parent ||
        s_token != s_me.path * 100003L + getpid()) {
        snprintf(why, sizeof(why), "node %d: pid %d ppid %d token %ld, was %d %d %ld",
                 s_me.path, (int)getpid(), (int)getppid(), s_token, (int)s_me.pid,
                 (int)s_me.parent, s_me.path * 100003L + s_me.pid);
        return why;
    }
    const char *names[2] = {"child", "child"};
    const char *how = test_end_children(s_children, names, (size_t)s_nchildren);
    if (how != NULL) {
        snprintf(why, sizeof(why), "node %d: %s", s_me.path, how);
        return why;
    }
    return NULL;
}

static void node_body(void *arg)
{
    s_me = *(struct node *)arg;
    s_me.pid = getpid();
    s_token = s_me.path * 100003L + s_me.pid;
    s_nchildren = 0;
    if (getppid() != s_me.parent) {
        child_fail("node %d: getppid() is %d right after fork, expected %d", s_me.path,
                   (int)getppid(), (int)s_me.parent);
    }
    grow();
    test_child_ready();
    test_waitsig();
    test_child_exit(check());
}

int main(int argc, char **argv)
{
    test_init(argc, argv);
    test_daemon();
    s_me = (struct node){0, 0, getpid(), getppid()};
    s_token = getpid();
    grow();

    test_waitsig();

    /* The root's parent is whatever reaper it was given, not ours to check. */
    s_me.parent = getppid();
    test_verdict(check());
}
