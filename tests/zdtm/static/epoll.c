/*
 * epoll — an epoll instance keeps its targets, their events (EPOLLET, EPOLLONESHOT) and
 * their 64-bit data.
 *
 * Targets: an eventfd with a counter (ready) under EPOLLIN | EPOLLET; a second eventfd that
 * was added under one number and then moved to another with dup2 + close (the number it was
 * added under is gone: the target is found by its file); a periodic timerfd under EPOLLIN; a
 * signalfd for SIGUSR1 under EPOLLIN | EPOLLONESHOT. Nothing waits on the epoll before the
 * checkpoint. After SIGTERM each event must come with its own data: the ready eventfd at
 * once, the timer within its period, the moved eventfd once written, the signalfd once
 * SIGUSR1 is sent, and not again for a second SIGUSR1 (one-shot).
 */
#include "../lib/zdtm.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#define DATA_READY 0x1122334455667788ull
#define DATA_MOVED 0x8877665544332211ull
#define DATA_TIMER 0xdeadbeef12345678ull
#define DATA_SIGNAL 0x0000000500000001ull
#define MOVED_FD 40

static void add(int epfd, int fd, uint32_t events, uint64_t data)
{
    struct epoll_event ev = {.events = events, .data.u64 = data};
    if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
        fail("epoll_ctl(ADD, %d): %m", fd);
    }
}

/* The data of the next event within timeout_ms, or 0 when none came. */
static uint64_t next(int epfd, int timeout_ms, uint32_t *events)
{
    struct epoll_event ev;
    int n;
    do {
        n = epoll_wait(epfd, &ev, 1, timeout_ms);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        fail("epoll_wait: %m");
    }
    if (n == 0) {
        return 0;
    }
    if (events) {
        *events = ev.events;
    }
    return ev.data.u64;
}

int main(int argc, char **argv)
{
    test_init(argc, argv);
    test_daemon();

    sigset_t usr1;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    sigprocmask(SIG_BLOCK, &usr1, NULL);

    int epfd = epoll_create1(EPOLL_CLOEXEC);
    int ready = eventfd(1, EFD_NONBLOCK);
    int moving = eventfd(0, EFD_NONBLOCK);
    int timer = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
    int sfd = signalfd(-1, &usr1, SFD_NONBLOCK);
    if (epfd < 0 || ready < 0 || moving < 0 || timer < 0 || sfd < 0) {
        fail("creating the files: %m");
    }
    struct itimerspec period = {{0, 50000000}, {0, 50000000}};
    timerfd_settime(timer, 0, &period, NULL);
    add(epfd, ready, EPOLLIN | EPOLLET, DATA_READY);
    add(epfd, moving, EPOLLIN | EPOLLET, DATA_MOVED);
    add(epfd, timer, EPOLLIN, DATA_TIMER);
    add(epfd, sfd, EPOLLIN | EPOLLONESHOT, DATA_SIGNAL);
    if (dup2(moving, MOVED_FD) != MOVED_FD) {
        fail("dup2: %m");
    }
    close(moving);

    test_waitsig();

    /* The ready eventfd (edge-triggered, never waited for) and the timer come first, in
     * either order; the timer may come more than once. */
    int seen_ready = 0, seen_timer = 0;
    for (int i = 0; i < 10 && !(seen_ready && seen_timer); i++) {
        uint64_t data = next(epfd, 1000, NULL);
        if (data == DATA_READY) {
            seen_ready++;
        } else if (data == DATA_TIMER) {
            uint64_t ticks;
            if (read(timer, &ticks, sizeof(ticks)) != sizeof(ticks)) {
                fail("timer reported ready but unreadable: %m");
            }
            seen_timer++;
        } else {
            fail("unexpected event data %#llx", (unsigned long long)data);
        }
    }
    if (seen_ready != 1 || !seen_timer) {
        fail("ready eventfd reported %d times, timer %d times", seen_ready, seen_timer);
    }
    /* Stop the timer so the rest is deterministic. */
    struct itimerspec off = {{0, 0}, {0, 0}};
    timerfd_settime(timer, 0, &off, NULL);
    uint64_t ticks;
    while (read(timer, &ticks, sizeof(ticks)) > 0) {
    }
    while (next(epfd, 0, NULL) == DATA_TIMER) {
    }

    uint64_t one = 1;
    if (write(MOVED_FD, &one, sizeof(one)) != sizeof(one)) {
        fail("write to the moved eventfd: %m");
    }
    uint32_t events = 0;
    uint64_t data = next(epfd, 1000, &events);
    if (data != DATA_MOVED || !(events & EPOLLIN)) {
        fail("after writing the moved eventfd: data %#llx events %#x", (unsigned long long)data, events);
    }
    kill(getpid(), SIGUSR1);
    data = next(epfd, 1000, NULL);
    if (data != DATA_SIGNAL) {
        fail("after SIGUSR1: data %#llx, expected the signalfd's", (unsigned long long)data);
    }
    struct signalfd_siginfo info;
    if (read(sfd, &info, sizeof(info)) != sizeof(info) || info.ssi_signo != SIGUSR1) {
        fail("signalfd read: %m");
    }
    kill(getpid(), SIGUSR1);
    data = next(epfd, 200, NULL);
    if (data != 0) {
        fail("an event %#llx after the one-shot target fired once", (unsigned long long)data);
    }
    pass();
}
