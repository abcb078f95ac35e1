/*
 * ns_init — pid 1 of the fresh namespaces in which a test runs in namespaces mode.
 *
 * The harness runs
 *
 *     unshare --pid --mount --net --ipc --fork --mount-proc ns_init --log L -- prog ARGS...
 *
 * unshare(1) makes the namespaces, forks (the first process in a new pid namespace must be a
 * child of the caller of unshare(2)), mounts a /proc of the new pid namespace and execs us as
 * pid 1. We bring up lo, move our stdio to L (so the tree holds no fd that leads to the
 * harness), start the test program as pid 2 and then act as the namespace's init: we reap every
 * orphan, and SIGTERM sent to us is forwarded to every other process of the namespace. When the
 * last of them is gone we exit with the status of the test program's start process (non-zero
 * when it failed before it was ready), so unshare, and through it the harness, see that status.
 *
 * The tree in this mode, once the test is ready (pids as seen inside):
 *
 *     unshare (host, outside the namespaces)
 *       └─ ns_init   pid 1   the root of what a checkpoint must take: a pid namespace is
 *            │               saved whole, with its init
 *            └─ test root    pid 3 usually (pid 2, the start process, has exited), its session
 *                 └─ its children, if any
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static void forward_sigterm(int sig)
{
    (void)sig;
    /* From pid 1, kill(-1) reaches every process of the namespace but ourselves. */
    kill(-1, SIGTERM);
}

static int bring_up_lo(void)
{
    int sk = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (sk < 0) {
        return -1;
    }
    struct ifreq ifr;
    memset(&ifr, 0, sizeof(ifr));
    snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
    int rc = ioctl(sk, SIOCGIFFLAGS, &ifr);
    if (rc == 0) {
        ifr.ifr_flags |= IFF_UP;
        rc = ioctl(sk, SIOCSIFFLAGS, &ifr);
    }
    int saved = errno;
    close(sk);
    errno = saved;
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 5 || strcmp(argv[1], "--log") != 0 || strcmp(argv[3], "--") != 0) {
        fprintf(stderr, "usage: ns_init --log L -- prog [args...]\n");
        return 2;
    }
    if (getpid() != 1) {
        fprintf(stderr, "ns_init: must run as pid 1 of a new pid namespace, not as %d\n",
                (int)getpid());
        return 2;
    }
    /* What the launcher leaked (the .NET test host leaves a pipe at fd 251) is not part of the
     * tree's state: close it, so a checkpoint of the namespace sees only what the tree opened. */
    close_range(3, ~0U, 0);
    if (bring_up_lo() < 0) {
        fprintf(stderr, "ns_init: bringing up lo: %s\n", strerror(errno));
        return 2;
    }
    int log = open(argv[2], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (log < 0 || null < 0) {
        fprintf(stderr, "ns_init: opening %s: %s\n", argv[2], strerror(errno));
        return 2;
    }
    if (dup2(null, STDIN_FILENO) < 0 || dup2(log, STDOUT_FILENO) < 0 ||
        dup2(log, STDERR_FILENO) < 0) {
        fprintf(stderr, "ns_init: redirecting stdio: %s\n", strerror(errno));
        return 2;
    }
    close(log);
    close(null);

    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = forward_sigterm;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGTERM, &sa, NULL) < 0) {
        perror("ns_init: sigaction");
        return 2;
    }

    pid_t start = fork();
    if (start < 0) {
        perror("ns_init: fork");
        return 2;
    }
    if (start == 0) {
        /* The test installs its own handler; it must not inherit our forwarding one. */
        signal(SIGTERM, SIG_DFL);
        execv(argv[4], &argv[4]);
        fprintf(stderr, "ns_init: exec %s: %s\n", argv[4], strerror(errno));
        _exit(127);
    }

    int exit_code = 0;
    for (;;) {
        int status;
        pid_t pid = waitpid(-1, &status, 0);
        if (pid < 0 && errno == EINTR) {
            continue;
        }
        if (pid < 0) {
            break; /* ECHILD: the namespace is empty but for us. */
        }
        if (pid == start) {
            exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        }
    }
    return exit_code;
}
