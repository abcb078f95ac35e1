/*
 * zdtm.h — support library for SessionKeeper's checkpoint/restore test programs.
 *
 * THE PROTOCOL
 *
 * A test program is one C file linked with lib/zdtm.c. The harness runs it as
 *
 *     prog --pidfile P --outfile O --logfile L [--workdir D]
 *
 * (all paths absolute; D defaults to the directory of O) and the program goes through three
 * stages:
 *
 *   1. prepare   test_init(argc, argv) parses the arguments, opens L and installs the SIGTERM
 *                handler; the program then builds its state (memory, children created *after*
 *                test_daemon, files, ...).
 *   2. wait      test_daemon() forks; the child calls setsid() so the test tree is a session of
 *                its own, detached from the harness, with stdin on /dev/null and stdout/stderr
 *                on L. That child is the *tree root*; it creates the test's child processes, if
 *                any, and then declares the tree ready with test_ready() (test_waitsig() does
 *                it implicitly): the root writes its own pid, as it sees it, in decimal followed
 *                by '\n' to P.tmp and renames it to P, so P either does not exist or is
 *                complete. Only then does the process the harness started exit with status 0.
 *                A program that fails before this point exits non-zero without writing P.
 *                The root then calls test_waitsig(), or loops while !test_stop_requested()
 *                (streaming tests), until SIGTERM arrives. The harness sends SIGTERM to the
 *                root only after its checkpoint/restore step; checkpoint and restore themselves
 *                must stay invisible to the program.
 *   3. check     the program compares its own view of its state with what it recorded in
 *                stage 1 and calls pass() or fail("reason"), which write exactly one line,
 *                "PASS\n" or "FAIL: reason\n", to O.tmp, rename it to O, and exit (0 / 1).
 *
 * Rules for test programs:
 *   - Only the tree root calls pass()/fail(). Children report through their exit status
 *     (child_fail() logs the reason and exits 1); the root turns that into its verdict.
 *   - Children are made with test_fork(), after test_daemon() and before test_ready();
 *     test_fork_child() and test_fork_sleeper() also wait until the child is set up or asleep.
 *   - Threads are made with test_thread_create(), which keeps SIGTERM blocked in them, so that
 *     it reaches the thread that waits for it.
 *   - At test_ready() the tree holds only what a checkpoint takes: regular files, /dev/null,
 *     memory, threads, children, signals and timers. Pipes that line processes up are closed
 *     by then (test_fork_child() closes its own).
 *   - The root forwards SIGTERM to its children: in the host's namespaces the harness signals
 *     the root only.
 *   - Every process of the tree inherits the SIGTERM handler; other signals are left alone, and
 *     an EINTR caused by them never ends the wait.
 *
 * Exit statuses: 0 PASS, 1 FAIL or not ready, 2 bad arguments or log, 3 outfile not writable.
 *
 * In namespaces mode the harness starts the program under ns_init (pid 1 of a fresh pid
 * namespace, see ns_init.c); the program does not notice except that its pids are small and
 * that SIGTERM, which ns_init passes to every process of the namespace, may reach children
 * before their root forwards it (test_signal_child() takes an ended child in its stride).
 */
#ifndef ZDTM_H
#define ZDTM_H

#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Parses the protocol's arguments, opens the log and installs the SIGTERM handler. Exits 2 on
 * bad arguments. Unknown arguments are an error so that a typo in the harness shows at once. */
void test_init(int argc, char **argv);

/* Detaches the test tree (stage 2). Returns in the tree root only. */
void test_daemon(void);

/* Declares the tree complete: writes the pidfile and lets the start process exit. Only the
 * root's first call does anything. Everything a checkpoint should see must exist by now. */
void test_ready(void);

/* Blocks until SIGTERM has arrived; returns at once if it already has. Called by the root, it
 * declares the tree ready first. */
void test_waitsig(void);

/* Non-zero once SIGTERM has arrived; for streaming loops. */
int test_stop_requested(void);

/* The verdict (stage 3). Both exit. */
void pass(void) __attribute__((noreturn));
void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* pass() if why is NULL, otherwise fail("%s", why). */
void test_verdict(const char *why) __attribute__((noreturn));

/* For child processes: logs "child PID: FAIL: reason" and _exit(1)s. */
void child_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* Ends a child: child_fail("%s", why) if why is not NULL, otherwise _exit(0). */
void test_child_exit(const char *why) __attribute__((noreturn));

/* fork() for test children: the child drops the root's end of the readiness pipe, so that the
 * tree holds no fd that leads to the (exited) start process. */
pid_t test_fork(void);

/* A test child that sets itself up before the tree is ready: forks (as test_fork), runs
 * body(arg) in the child, which must end with _exit() or child_fail(), and returns the child's
 * pid once the child has called test_child_ready(). If the child ends first, the caller fails:
 * fail() in the root, child_fail() in a child that started children of its own. */
pid_t test_fork_child(void (*body)(void *arg), void *arg);

/* In a child started by test_fork_child(): its set-up is done; lets the parent go on. Only the
 * first call does anything. */
void test_child_ready(void);

/* A test child that goes to sleep: forks (as test_fork), runs body(arg) in the child, which
 * must block in system call nr (and end with _exit() or child_fail()), and returns the child's
 * pid once it is there (test_wait_syscall); fails the caller as test_fork_child does if it does
 * not get there. */
pid_t test_fork_sleeper(void (*body)(void *arg), void *arg, long nr, const char *name);

/* Forwards SIGTERM to every child of pids[] (names[] for the messages), then waits for each
 * with test_wait_child(); returns NULL if all exited with status 0, otherwise how the first
 * that did not ended. */
const char *test_end_children(const pid_t *pids, const char *const *names, size_t n);

/* Forwards SIGTERM to a child; a child that is already gone is not an error. */
void test_signal_child(pid_t pid);

/* Waits for a child, repeating SIGTERM every 100 ms for up to 10 s (a child may see the flag
 * unset and then sleep just as the first one lands); returns a description of how it ended, or
 * NULL when it exited with status 0. The text lives in a static buffer. */
const char *test_wait_child(pid_t pid, const char *name);

/* read(2) that retries on EINTR: for the pipes tests use to line up their processes. */
ssize_t test_read(int fd, void *buf, size_t len);

/* pthread_create() for a thread that is born with SIGTERM blocked (and keeps it so), so that a
 * SIGTERM sent to the process always reaches the thread that waits for it. Returns as
 * pthread_create does. Without it, a thread that leaves SIGTERM unblocked may take it, set the
 * flag, and leave the waiting thread asleep. */
int test_thread_create(pthread_t *thread, const pthread_attr_t *attr,
                       void *(*start)(void *arg), void *arg);

/* pthread_join() that gives up after 5 s: a thread that a restore lost never ends, and the test
 * should fail rather than hang. Returns NULL once the thread has ended, or a description
 * (naming the thread `name`) in a static buffer. */
const char *test_join(pthread_t thread, const char *name);

/* A gate for the threads of a test: each thread sets itself up, arrives and waits (in
 * pthread_cond_wait, so in a futex wait) until the main thread opens the gate, typically after
 * SIGTERM; the main thread waits until all have arrived before it declares the tree ready. */
struct test_gate {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int arrived;
    int open;
};
#define TEST_GATE_INIT {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0}
void test_gate_arrive(struct test_gate *gate);        /* arrive and wait for the opening */
void test_gate_wait_arrivals(struct test_gate *gate, int count);
void test_gate_open(struct test_gate *gate);

/* Memory patterns: test_pattern_fill writes len bytes at base (both multiples of 8) with
 * 64-bit words that depend on seed and on each word's address, so that a page restored at the
 * wrong place, from another page or from another seed is caught; test_pattern_check returns the
 * offset of the first word that differs, or (size_t)-1; test_pattern_word is the word expected
 * at an address. */
uint64_t test_pattern_word(const void *address, uint64_t seed);
void test_pattern_fill(void *base, size_t len, uint64_t seed);
size_t test_pattern_check(const void *base, size_t len, uint64_t seed);

/* The process's POSIX timers as /proc/self/timers lists them (ids, signals and values,
 * notification targets, clocks): test_timers_remember() notes them (fails the test if it cannot
 * read them); test_timers_changed() returns NULL if they are the same now, whatever order the
 * kernel lists them in, or a description of both lists. */
void test_timers_remember(void);
const char *test_timers_changed(void);

/* Sleeps 10 ms at a time until done(arg) returns non-zero or seconds pass; returns the last
 * done(arg). For waiting on what signal handlers or other threads count. */
int test_wait_until(int (*done)(void *arg), void *arg, int seconds);

/* sigaction() with an empty sa_mask. handler is a void (*)(int), or a
 * void (*)(int, siginfo_t *, void *) with SA_SIGINFO in flags. Returns as sigaction does. */
int test_sigaction(int sig, void *handler, int flags);

/* Waits up to 5 s until task tid (a process, or a thread of this tree by its tid) is blocked in
 * system call nr, as /proc/TID/syscall shows; returns 0, or -1 if it did not get there. A tree
 * whose tasks sleep should be declared ready only once they all do, so that neither the
 * checkpoint nor SIGTERM finds one on its way to sleep. */
int test_wait_syscall(pid_t tid, long nr);

/* The permissions /proc/self/maps shows for the area that holds address ("rw-p", "r-xp",
 * ...), or "none" if no area holds it. */
void test_maps_perms(const void *address, char perms[8]);

/* The state letter of /proc/PID/stat ('R', 'S', 'T', 'Z', ...), or 0 if it cannot be read. */
char test_proc_state(pid_t pid);

/* The log: one line per call, prefixed with time and pid. test_perror appends strerror(errno). */
void test_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void test_perror(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The directory for scratch files of this test (--workdir). */
const char *test_workdir(void);

/* A new pty pair for the root: opens the master with posix_openpt(flags), unlocks it, and
 * copies the slave's path (/dev/pts/N) to slave_path; returns the master, fail()s on error. */
int test_openpt(int flags, char *slave_path, size_t len);

#endif
