/*
 * file_shared_offset — one open file shared by dup() and fork() keeps one position.
 *
 * dup() and fork() share an open file description: its position and status flags belong to
 * all holders at once. A restore that opens the file once per descriptor gives each its own
 * position, which no check of a single descriptor sees. The root opens a file O_RDWR (fd A),
 * dup()s it (fd B) and forks a child that inherits both; it also opens the same file a second
 * time (fd C), which has a position of its own. Before the checkpoint the child moves the shared
 * position to 1000 and C is moved to 300. After SIGTERM, in turns handed over through a shared
 * page:
 *   1. the root sees 1000 on A and B and 300 on C; it reads 10 bytes through B;
 *   2. the child sees 1010 on its A, sets O_APPEND through its B and moves the position to 2000;
 *   3. the root sees 2000 and O_APPEND on A, and C still at 300 without O_APPEND.
 */
#include "../lib/zdtm.h"

#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define FILE_SIZE 4096
#define TURN_SEC 3

static int s_a, s_b, s_c;
static _Atomic int *s_turn; /* 1: the child's move; 2: the root's check */

static int turn_is(void *arg)
{
    return atomic_load(s_turn) == *(int *)arg;
}

/* NULL, or how a descriptor's position or O_APPEND differ. */
static const char *expect(const char *who, const char *name, int fd, off_t position, int append)
{
    static char why[200];
    off_t now = lseek(fd, 0, SEEK_CUR);
    int flags = fcntl(fd, F_GETFL);
    if (now != position || !!(flags & O_APPEND) != append) {
        snprintf(why, sizeof(why), "%s: fd %s is at %ld%s, expected %ld%s", who, name, (long)now,
                 flags & O_APPEND ? " with O_APPEND" : "", (long)position,
                 append ? " with O_APPEND" : "");
        return why;
    }
    return NULL;
}

static void child_body(void *arg)
{
    (void)arg;
    close(s_c);
    lseek(s_a, 1000, SEEK_SET);
    test_child_ready();
    test_waitsig();
    int mine = 1;
    if (!test_wait_until(turn_is, &mine, TURN_SEC)) {
        child_fail("the root did not hand over within %d s", TURN_SEC);
    }
    const char *why = expect("child", "A", s_a, 1010, 0);
    if (why == NULL) {
        fcntl(s_b, F_SETFL, fcntl(s_b, F_GETFL) | O_APPEND);
        lseek(s_b, 2000, SEEK_SET);
    }
    atomic_store(s_turn, 2);
    test_child_exit(why);
}

int main(int argc, char **argv)
{
    test_init(argc, argv);
    s_turn = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (s_turn == MAP_FAILED) {
        fail("mmap: %m");
    }
    test_daemon();

    char path[4200];
    snprintf(path, sizeof(path), "%s/shared-offset.dat", test_workdir());
    static char data[FILE_SIZE];
    memset(data, 'd', sizeof(data));
    s_a = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (s_a < 0 || write(s_a, data, sizeof(data)) != (ssize_t)sizeof(data)) {
        fail("creating %s: %m", path);
    }
    s_b = dup(s_a);
    s_c = open(path, O_RDWR);
    if (s_b < 0 || s_c < 0 || lseek(s_c, 300, SEEK_SET) != 300) {
        fail("dup/open/lseek: %m");
    }
    pid_t child = test_fork_child(child_body, NULL);

    test_waitsig();

    test_signal_child(child);
    const char *why = expect("root", "A", s_a, 1000, 0);
    if (why == NULL) {
        why = expect("root", "B", s_b, 1000, 0);
    }
    if (why == NULL) {
        why = expect("root", "C", s_c, 300, 0);
    }
    char buf[10];
    if (why == NULL && read(s_b, buf, sizeof(buf)) != (ssize_t)sizeof(buf)) {
        why = "reading through B failed";
    }
    atomic_store(s_turn, 1);
    int mine = 2;
    int handed_back = test_wait_until(turn_is, &mine, TURN_SEC);
    const char *names[] = {"child"};
    const char *how = test_end_children(&child, names, 1);
    if (why != NULL || how != NULL) {
        fail("%s", why != NULL ? why : how);
    }
    if (!handed_back) {
        fail("the child did not hand back within %d s", TURN_SEC);
    }
    why = expect("root, after the child's move", "A", s_a, 2000, 1);
    if (why == NULL) {
        why = expect("root, after the child's move", "C", s_c, 300, 0);
    }
    if (why != NULL) {
        fail("%s", why);
    }
    pass();
}
