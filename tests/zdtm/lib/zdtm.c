/* zdtm.c — the test side of the protocol described in zdtm.h. */
#include <linux/close_range.h>
#include "zdtm.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *s_pidfile;
static const char *s_outfile;
static const char *s_logfile;
static char s_workdir[4096];
static int s_logfd = -1;
static pid_t s_root;
static int s_ready_fd = -1;
static volatile sig_atomic_t s_stop;
static int s_child_ready_fd = -1;

static void on_sigterm(int sig)
{
    (void)sig;
    s_stop = 1;
}

static void vlog(const char *prefix, const char *fmt, va_list ap, const char *suffix)
{
    char line[2048];
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    struct tm tm;
    localtime_r(&now.tv_sec, &tm);
    int n = snprintf(line, sizeof(line), "%02d:%02d:%02d.%03ld %6d %s", tm.tm_hour, tm.tm_min,
                     tm.tm_sec, now.tv_nsec / 1000000, (int)getpid(), prefix);
    if (n < 0 || (size_t)n >= sizeof(line)) {
        return;
    }
    int m = vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
    if (m < 0) {
        return;
    }
    n = (size_t)(n + m) >= sizeof(line) - 1 ? (int)sizeof(line) - 2 : n + m;
    if (suffix != NULL) {
        m = snprintf(line + n, sizeof(line) - (size_t)n, ": %s", suffix);
        if (m > 0) {
            n = (size_t)(n + m) >= sizeof(line) - 1 ? (int)sizeof(line) - 2 : n + m;
        }
    }
    line[n++] = '\n';
    /* One write() per line on an O_APPEND descriptor keeps lines from several processes of the
     * tree whole. */
    ssize_t ignored = write(s_logfd >= 0 ? s_logfd : STDERR_FILENO, line, (size_t)n);
    (void)ignored;
}

void test_msg(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog("", fmt, ap, NULL);
    va_end(ap);
}

void test_perror(const char *fmt, ...)
{
    int saved = errno;
    va_list ap;
    va_start(ap, fmt);
    vlog("", fmt, ap, strerror(saved));
    va_end(ap);
    errno = saved;
}

static void usage(const char *prog)
{
    fprintf(stderr, "usage: %s --pidfile P --outfile O --logfile L [--workdir D]\n", prog);
    exit(2);
}

void test_init(int argc, char **argv)
{
    const char *workdir = NULL;
    for (int i = 1; i < argc; i++) {
        if (i + 1 >= argc) {
            usage(argv[0]);
        }
        if (strcmp(argv[i], "--pidfile") == 0) {
            s_pidfile = argv[++i];
        } else if (strcmp(argv[i], "--outfile") == 0) {
            s_outfile = argv[++i];
        } else if (strcmp(argv[i], "--logfile") == 0) {
            s_logfile = argv[++i];
        } else if (strcmp(argv[i], "--workdir") == 0) {
            workdir = argv[++i];
        } else {
            usage(argv[0]);
        }
    }
    if (s_pidfile == NULL || s_outfile == NULL || s_logfile == NULL) {
        usage(argv[0]);
    }
    if (workdir != NULL) {
        snprintf(s_workdir, sizeof(s_workdir), "%s", workdir);
    } else {
        snprintf(s_workdir, sizeof(s_workdir), "%s", s_outfile);
        char *slash = strrchr(s_workdir, '/');
        if (slash != NULL && slash != s_workdir) {
            *slash = '\0';
        } else {
            snprintf(s_workdir, sizeof(s_workdir), ".");
        }
    }

    /* Whatever the launcher leaked (the .NET test host leaves a pipe at fd 251) is not part
     * of the test's state: close it, as screen does at start-up, so a checkpoint sees only
     * what the test itself opened. */
    close_range(3, ~0U, 0);
    s_logfd = open(s_logfile, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (s_logfd < 0) {
        fprintf(stderr, "%s: cannot open log %s: %s\n", argv[0], s_logfile, strerror(errno));
        exit(2);
    }

    /* No SA_RESTART: a blocking call in a streaming test must return EINTR so its loop gets to
     * look at the flag. */
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_sigterm;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGTERM, &sa, NULL) < 0) {
        test_perror("sigaction(SIGTERM)");
        exit(2);
    }
    const char *name = strrchr(argv[0], '/');
    test_msg("%s: prepare", name != NULL ? name + 1 : argv[0]);
}

const char *test_workdir(void)
{
    return s_workdir;
}

/* Writes text to path so that readers see either no file or the whole text. */
static int write_atomic(const char *path, const char *text)
{
    char tmp[4200];
    if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        return -1;
    }
    size_t len = strlen(text);
    size_t done = 0;
    while (done < len) {
        ssize_t n = write(fd, text + done, len - done);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            int saved = errno;
            close(fd);
            errno = saved;
            return -1;
        }
        done += (size_t)n;
    }
    if (close(fd) < 0) {
        return -1;
    }
    return rename(tmp, path);
}

void test_daemon(void)
{
    int ready[2];
    if (pipe2(ready, O_CLOEXEC) < 0) {
        test_perror("pipe2");
        exit(1);
    }
    pid_t child = fork();
    if (child < 0) {
        test_perror("fork");
        exit(1);
    }
    if (child > 0) {
        /* The process the harness started stays until the root is ready, so that a failure
         * before the pidfile exists shows as a non-zero exit instead of a timeout. */
        close(ready[1]);
        char byte;
        if (test_read(ready[0], &byte, 1) == 1) {
            _exit(0);
        }
        const char *how = test_wait_child(child, "root");
        test_msg("the test root died before it was ready: %s", how != NULL ? how : "exit 0");
        _exit(1);
    }

    close(ready[0]);
    if (setsid() < 0) {
        test_perror("setsid");
        exit(1);
    }
    /* The harness's pipes must not stay open in the tree: it would wait on them, and a
     * checkpoint would have to deal with fds that lead outside the tree. */
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null < 0 || dup2(null, STDIN_FILENO) < 0 || dup2(s_logfd, STDOUT_FILENO) < 0 ||
        dup2(s_logfd, STDERR_FILENO) < 0) {
        test_perror("redirecting stdio");
        exit(1);
    }
    close(null);

    s_root = getpid();
    s_ready_fd = ready[1];
}

void test_ready(void)
{
    if (getpid() != s_root || s_ready_fd < 0) {
        return;
    }
    char text[32];
    snprintf(text, sizeof(text), "%d\n", (int)getpid());
    if (write_atomic(s_pidfile, text) < 0) {
        test_perror("writing pidfile %s", s_pidfile);
        exit(1);
    }
    test_msg("ready; waiting for SIGTERM");
    char byte = 1;
    ssize_t ignored = write(s_ready_fd, &byte, 1);
    (void)ignored;
    close(s_ready_fd);
    s_ready_fd = -1;
}

ssize_t test_read(int fd, void *buf, size_t len)
{
    ssize_t n;
    do {
        n = read(fd, buf, len);
    } while (n < 0 && errno == EINTR);
    return n;
}

pid_t test_fork(void)
{
    pid_t pid = fork();
    if (pid == 0 && s_ready_fd >= 0) {
        close(s_ready_fd);
        s_ready_fd = -1;
    }
    return pid;
}

int test_stop_requested(void)
{
    return s_stop;
}

void test_waitsig(void)
{
    /* Blocking SIGTERM between the check and sigsuspend() closes the window in which it
     * could arrive unnoticed; any other signal only wakes sigsuspend() and the loop goes on. */
    test_ready();
    sigset_t term, old;
    sigemptyset(&term);
    sigaddset(&term, SIGTERM);
    sigprocmask(SIG_BLOCK, &term, &old);
    sigset_t wait_mask = old;
    sigdelset(&wait_mask, SIGTERM);
    while (!s_stop) {
        sigsuspend(&wait_mask);
    }
    sigprocmask(SIG_SETMASK, &old, NULL);
    test_msg("SIGTERM received; checking");
}

static void __attribute__((noreturn)) verdict(const char *text, int status)
{
    if (write_atomic(s_outfile, text) < 0) {
        test_perror("writing outfile %s", s_outfile);
        exit(3);
    }
    exit(status);
}

void pass(void)
{
    test_msg("PASS");
    verdict("PASS\n", 0);
}

void fail(const char *fmt, ...)
{
    char reason[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof(reason), fmt, ap);
    va_end(ap);
    /* The verdict is one line. */
    for (char *c = reason; *c != '\0'; c++) {
        if (*c == '\n' || *c == '\r') {
            *c = ' ';
        }
    }
    test_msg("FAIL: %s", reason);
    char line[1100];
    snprintf(line, sizeof(line), "FAIL: %s\n", reason);
    verdict(line, 1);
}

void child_fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog("child FAIL: ", fmt, ap, NULL);
    va_end(ap);
    _exit(1);
}

void test_signal_child(pid_t pid)
{
    if (kill(pid, SIGTERM) < 0 && errno != ESRCH) {
        test_perror("kill(%d, SIGTERM)", (int)pid);
    }
}

const char *test_wait_child(pid_t pid, const char *name)
{
    static char how[256];
    int status;
    pid_t got;
    /* A child checks the stop flag and then goes to sleep; a SIGTERM landing between the two
     * is handled but does not end the sleep (a restored nanosleep child meets exactly this
     * window right after its one EINTR). Repeating SIGTERM every 100 ms closes it. */
    for (int waited_ms = 0;; waited_ms += 100) {
        got = waitpid(pid, &status, WNOHANG);
        if (got != 0 && !(got < 0 && errno == EINTR)) {
            break;
        }
        if (got == 0) {
            struct timespec tick = {0, 100 * 1000 * 1000};
            nanosleep(&tick, NULL);
            if (waited_ms < 10000) {
                test_signal_child(pid);
            }
        }
    }
    if (got < 0) {
        snprintf(how, sizeof(how), "%s (pid %d): waitpid: %s", name, (int)pid, strerror(errno));
        return how;
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        return NULL;
    }
    if (WIFEXITED(status)) {
        snprintf(how, sizeof(how), "%s (pid %d) exited with status %d (its reason is in the log)",
                 name, (int)pid, WEXITSTATUS(status));
    } else if (WIFSIGNALED(status)) {
        snprintf(how, sizeof(how), "%s (pid %d) was killed by signal %d (%s)", name, (int)pid,
                 WTERMSIG(status), strsignal(WTERMSIG(status)));
    } else {
        snprintf(how, sizeof(how), "%s (pid %d) ended with wait status 0x%x", name, (int)pid,
                 status);
    }
    return how;
}

int test_wait_syscall(pid_t tid, long nr)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/syscall", (int)tid);
    for (int attempt = 0; attempt < 5000; attempt++) {
        FILE *f = fopen(path, "re");
        long current = -2;
        if (f != NULL) {
            if (fscanf(f, "%ld", &current) != 1) {
                current = -2; /* "running" */
            }
            fclose(f);
        }
        if (current == nr) {
            return 0;
        }
        struct timespec ms = {0, 1000000};
        nanosleep(&ms, NULL);
    }
    return -1;
}

char test_proc_state(pid_t pid)
{
    char path[64], text[512];
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return 0;
    }
    ssize_t n = read(fd, text, sizeof(text) - 1);
    close(fd);
    if (n <= 0) {
        return 0;
    }
    text[n] = '\0';
    /* The name in parentheses may hold anything, even ") "; the state follows the last ')'. */
    char *end = strrchr(text, ')');
    return end != NULL && end[1] == ' ' ? end[2] : 0;
}

/* fail() in the root, child_fail() elsewhere. */
static void __attribute__((noreturn, format(printf, 1, 2))) fail_here(const char *fmt, ...)
{
    char reason[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof(reason), fmt, ap);
    va_end(ap);
    if (getpid() == s_root) {
        fail("%s", reason);
    }
    child_fail("%s", reason);
}

pid_t test_fork_child(void (*body)(void *arg), void *arg)
{
    int ready[2];
    pid_t pid = -1;
    if (pipe2(ready, O_CLOEXEC) == 0) {
        pid = test_fork();
    }
    if (pid < 0) {
        fail_here("starting a child: %s", strerror(errno));
    }
    if (pid == 0) {
        close(ready[0]);
        if (s_child_ready_fd >= 0) {
            close(s_child_ready_fd); /* our parent's, inherited from a child that started us */
        }
        s_child_ready_fd = ready[1];
        body(arg);
        child_fail("the child's body returned");
    }
    close(ready[1]);
    char byte;
    ssize_t n = test_read(ready[0], &byte, 1);
    close(ready[0]);
    if (n != 1) {
        const char *how = test_wait_child(pid, "child");
        fail_here("a child died before it was ready: %s", how != NULL ? how : "exit 0");
    }
    return pid;
}

pid_t test_fork_sleeper(void (*body)(void *arg), void *arg, long nr, const char *name)
{
    pid_t pid = test_fork();
    if (pid < 0) {
        fail_here("starting the %s child: %s", name, strerror(errno));
    }
    if (pid == 0) {
        body(arg);
        child_fail("the %s child's body returned", name);
    }
    if (test_wait_syscall(pid, nr) < 0) {
        fail_here("the %s child (pid %d) did not reach system call %ld within 5 s", name,
                  (int)pid, nr);
    }
    return pid;
}

void test_child_ready(void)
{
    if (s_child_ready_fd < 0) {
        return;
    }
    char byte = 1;
    ssize_t ignored = write(s_child_ready_fd, &byte, 1);
    (void)ignored;
    close(s_child_ready_fd);
    s_child_ready_fd = -1;
}

const char *test_end_children(const pid_t *pids, const char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        test_signal_child(pids[i]);
    }
    const char *first = NULL;
    static char saved[256];
    for (size_t i = 0; i < n; i++) {
        const char *how = test_wait_child(pids[i], names[i]);
        if (how != NULL && first == NULL) {
            snprintf(saved, sizeof(saved), "%s", how);
            first = saved;
        }
    }
    return first;
}

int test_thread_create(pthread_t *thread, const pthread_attr_t *attr,
                       void *(*start)(void *arg), void *arg)
{
    sigset_t term, old;
    sigemptyset(&term);
    sigaddset(&term, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &term, &old);
    int rc = pthread_create(thread, attr, start, arg);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return rc;
}

static int compare_lines(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The timers one per line, their fields joined by ' ', the lines sorted; length or -1. */
static int read_timers(char *buf, size_t size)
{
    char raw[16384];
    int fd = open("/proc/self/timers", O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return -1;
    }
    size_t len = 0;
    ssize_t n;
    while (len < sizeof(raw) - 1 && (n = read(fd, raw + len, sizeof(raw) - 1 - len)) > 0) {
        len += (size_t)n;
    }
    close(fd);
    raw[len] = '\0';
    /* Each timer starts with "ID:"; its other fields follow on lines of their own. */
    char *records[256];
    size_t count = 0;
    for (char *line = strtok(raw, "\n"); line != NULL; line = strtok(NULL, "\n")) {
        if (strncmp(line, "ID:", 3) == 0 && count < 256) {
            records[count++] = line;
        } else if (count > 0) {
            line[-1] = ' ';
        }
    }
    qsort(records, count, sizeof(records[0]), compare_lines);
    size_t out = 0;
    for (size_t i = 0; i < count; i++) {
        int m = snprintf(buf + out, size - out, "%s\n", records[i]);
        if (m < 0 || (size_t)m >= size - out) {
            return -1;
        }
        out += (size_t)m;
    }
    if (size > 0 && count == 0) {
        buf[0] = '\0';
    }
    return (int)out;
}

static char s_timers_before[8192];

void test_timers_remember(void)
{
    if (read_timers(s_timers_before, sizeof(s_timers_before)) < 0) {
        fail_here("reading /proc/self/timers: %s", strerror(errno));
    }
}

const char *test_timers_changed(void)
{
    static char now[8192], why[sizeof(now) * 2 + 64];
    if (read_timers(now, sizeof(now)) < 0) {
        snprintf(why, sizeof(why), "reading /proc/self/timers: %s", strerror(errno));
        return why;
    }
    if (strcmp(now, s_timers_before) == 0) {
        return NULL;
    }
    snprintf(why, sizeof(why), "/proc/self/timers was [%s] and is [%s]", s_timers_before, now);
    return why;
}

int test_sigaction(int sig, void *handler, int flags)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    if (flags & SA_SIGINFO) {
        sa.sa_sigaction = (void (*)(int, siginfo_t *, void *))handler;
    } else {
        sa.sa_handler = (void (*)(int))handler;
    }
    sa.sa_flags = flags;
    sigemptyset(&sa.sa_mask);
    return sigaction(sig, &sa, NULL);
}

int test_wait_until(int (*done)(void *arg), void *arg, int seconds)
{
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
        int result = done(arg);
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (result || now.tv_sec - start.tv_sec >= seconds) {
            return result;
        }
        struct timespec nap = {0, 10 * 1000 * 1000};
        nanosleep(&nap, NULL); /* EINTR is fine: we look again */
    }
}

void test_gate_arrive(struct test_gate *gate)
{
    pthread_mutex_lock(&gate->lock);
    gate->arrived++;
    pthread_cond_broadcast(&gate->cond);
    while (!gate->open) {
        pthread_cond_wait(&gate->cond, &gate->lock);
    }
    pthread_mutex_unlock(&gate->lock);
}

void test_gate_wait_arrivals(struct test_gate *gate, int count)
{
    pthread_mutex_lock(&gate->lock);
    while (gate->arrived < count) {
        pthread_cond_wait(&gate->cond, &gate->lock);
    }
    pthread_mutex_unlock(&gate->lock);
}

void test_gate_open(struct test_gate *gate)
{
    pthread_mutex_lock(&gate->lock);
    gate->open = 1;
    pthread_cond_broadcast(&gate->cond);
    pthread_mutex_unlock(&gate->lock);
}

uint64_t test_pattern_word(const void *address, uint64_t seed)
{
    uint64_t x = (uint64_t)(uintptr_t)address ^ (seed * 0x9e3779b97f4a7c15ull);
    x ^= x >> 31;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 29;
    return x;
}

void test_pattern_fill(void *base, size_t len, uint64_t seed)
{
    uint64_t *words = base;
    for (size_t i = 0; i < len / 8; i++) {
        words[i] = test_pattern_word(&words[i], seed);
    }
}

size_t test_pattern_check(const void *base, size_t len, uint64_t seed)
{
    const uint64_t *words = base;
    for (size_t i = 0; i < len / 8; i++) {
        if (words[i] != test_pattern_word(&words[i], seed)) {
            return i * 8;
        }
    }
    return (size_t)-1;
}

void test_child_exit(const char *why)
{
    if (why != NULL) {
        child_fail("%s", why);
    }
    _exit(0);
}

void test_maps_perms(const void *address, char perms[8])
{
    snprintf(perms, 8, "none");
    FILE *f = fopen("/proc/self/maps", "re");
    if (f == NULL) {
        return;
    }
    char line[512];
    while (fgets(line, sizeof(line), f) != NULL) {
        unsigned long lo, hi;
        char p[8];
        if (sscanf(line, "%lx-%lx %4s", &lo, &hi, p) == 3 && (uintptr_t)address >= lo &&
            (uintptr_t)address < hi) {
            snprintf(perms, 8, "%s", p);
            break;
        }
    }
    fclose(f);
}

void test_verdict(const char *why)
{
    if (why != NULL) {
        fail("%s", why);
    }
    pass();
}

const char *test_join(pthread_t thread, const char *name)
{
    static char why[256];
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += 5;
    int rc = pthread_timedjoin_np(thread, NULL, &deadline);
    if (rc == 0) {
        return NULL;
    }
    if (rc == ETIMEDOUT) {
        snprintf(why, sizeof(why), "the %s thread did not end within 5 s", name);
    } else {
        snprintf(why, sizeof(why), "joining the %s thread: %s", name, strerror(rc));
    }
    return why;
}

int test_openpt(int flags, char *slave_path, size_t len)
{
    int master = posix_openpt(flags);
    if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0) {
        fail("posix_openpt: %m");
    }
    snprintf(slave_path, len, "%s", ptsname(master));
    return master;
}
