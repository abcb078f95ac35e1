/* A dump target with known state: 16 MiB of anonymous memory holding a pattern (each 8-byte
 * word is 0x4b45455000000000 | page index), a SIGUSR1 handler, SIGPIPE ignored, SIGUSR2
 * blocked, a file open at position 123 (as fd 3), optionally a socketpair (with "hello" queued
 * on its first end), a socketpair whose other end a process outside the tree holds
 * ("outsidepeer": a grandchild whose parent exited at once), or a second thread with its own
 * sigaltstack. It writes
 * "key=value" lines to DIR/ready and then waits in pause(). */
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static void on_usr1(int signo) { (void)signo; }

/* The second thread gets its own alternate signal stack, so per-thread state can be told apart. */
static void *second_thread(void *arg)
{
    stack_t stack = { .ss_sp = malloc(65536), .ss_size = 65536, .ss_flags = 0 };
    sigaltstack(&stack, NULL);
    *(volatile unsigned long *)arg = (unsigned long)(uintptr_t)stack.ss_sp;
    for (;;)
        pause();
    return NULL;
}

int main(int argc, char **argv)
{
    const char *dir = argv[1];
    size_t size = 16u << 20;
    unsigned char *area = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (area == MAP_FAILED)
        return 1;
    for (size_t i = 0; i < size; i += 8) {
        uint64_t word = 0x4b45455000000000ull | (i / 4096);
        memcpy(area + i, &word, sizeof word);
    }

    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_usr1;
    sigaction(SIGUSR1, &action, NULL);
    signal(SIGPIPE, SIG_IGN);
    sigset_t blocked;
    sigemptyset(&blocked);
    sigaddset(&blocked, SIGUSR2);
    sigprocmask(SIG_BLOCK, &blocked, NULL);

    char path[4096];
    snprintf(path, sizeof path, "%s/data", dir);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    char filler[200];
    memset(filler, 'x', sizeof filler);
    if (fd < 0 || write(fd, filler, sizeof filler) != (ssize_t)sizeof filler)
        return 2;
    lseek(fd, 123, SEEK_SET);

    int pair[2] = { -1, -1 };
    if (argc > 2 && strcmp(argv[2], "socketpair") == 0) {
        if (socketpair(AF_UNIX, SOCK_STREAM, 0, pair) < 0 || write(pair[1], "hello", 5) != 5)
            return 3;
    }
    pid_t outside = 0;
    if (argc > 2 && strcmp(argv[2], "outsidepeer") == 0) {
        int report[2];
        if (socketpair(AF_UNIX, SOCK_STREAM, 0, pair) < 0 || pipe(report) < 0)
            return 3;
        pid_t child = fork();
        if (child == 0) {
            pid_t grandchild = fork();
            if (grandchild == 0) {
                close(pair[0]);
                for (;;)
                    pause();
            }
            write(report[1], &grandchild, sizeof grandchild);
            _exit(0);
        }
        waitpid(child, NULL, 0);
        if (read(report[0], &outside, sizeof outside) != sizeof outside)
            return 3;
        close(report[0]);
        close(report[1]);
        close(pair[1]);
        pair[1] = -1;
    }

    volatile unsigned long altstack = 0;
    pthread_t thread;
    if (argc > 2 && strcmp(argv[2], "thread") == 0) {
        pthread_create(&thread, NULL, second_thread, (void *)&altstack);
        while (altstack == 0)
            usleep(1000);
    }

    char ready[4096], temp[4096];
    snprintf(ready, sizeof ready, "%s/ready", dir);
    snprintf(temp, sizeof temp, "%s/ready.tmp", dir);
    FILE *out = fopen(temp, "w");
    fprintf(out, "area=%lu\nfd=%d\nsocket=%d\npeersocket=%d\noutside=%d\naltstack=%lu\n", (unsigned long)(uintptr_t)area, fd, pair[0], pair[1], (int)outside, altstack);
    fclose(out);
    rename(temp, ready);
    for (;;)
        pause();
}
