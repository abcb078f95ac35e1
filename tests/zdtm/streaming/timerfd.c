/*
 * timerfd — timerfds keep their clocks, settings and unread expirations.
 *
 *   - a periodic CLOCK_MONOTONIC timer (20 ms) read in a loop until SIGTERM: it keeps
 *     ticking through checkpoint/restore, and ticks again after;
 *   - a one-shot CLOCK_BOOTTIME timer set to an hour: after restore it is still armed with
 *     less than an hour left and no interval (the time left is relative, so restore does not
 *     fire it);
 *   - a one-shot timer that expired once and was not read: the expiration must still be
 *     there (TFD_IOC_SET_TICKS), as 1;
 *   - a disarmed CLOCK_REALTIME timer, which must stay disarmed.
 */
#include "../lib/zdtm.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define PERIOD_NS 20000000L
#define HOUR 3600

static int make(int clock, long interval_ns, time_t value_s, long value_ns, int flags)
{
    int fd = timerfd_create(clock, flags);
    if (fd < 0) {
        fail("timerfd_create(%d): %m", clock);
    }
    struct itimerspec spec = {{0, interval_ns}, {value_s, value_ns}};
    if ((value_s || value_ns) && timerfd_settime(fd, 0, &spec, NULL) < 0) {
        fail("timerfd_settime: %m");
    }
    return fd;
}

/* Reads the ticks of a periodic timer, waiting up to a second; 0 on timeout. */
static uint64_t wait_ticks(int fd)
{
    struct pollfd pfd = {fd, POLLIN, 0};
    if (poll(&pfd, 1, 1000) <= 0) {
        return 0;
    }
    uint64_t ticks;
    if (read(fd, &ticks, sizeof(ticks)) != sizeof(ticks)) {
        fail("read from the periodic timerfd: %m");
    }
    return ticks;
}

int main(int argc, char **argv)
{
    test_init(argc, argv);
    test_daemon();

    int periodic = make(CLOCK_MONOTONIC, PERIOD_NS, 0, PERIOD_NS, TFD_NONBLOCK);
    int hour = make(CLOCK_BOOTTIME, 0, HOUR, 0, 0);
    int fired = make(CLOCK_MONOTONIC, 0, 0, 1000000, TFD_NONBLOCK);
    int disarmed = make(CLOCK_REALTIME, 0, 0, 0, 0);
    struct timespec nap = {0, 50000000};
    nanosleep(&nap, NULL);
    test_ready();

    uint64_t total = 0;
    while (!test_stop_requested()) {
        total += wait_ticks(periodic);
    }
    if (total == 0) {
        fail("the periodic timer never ticked");
    }
    for (int i = 0; i < 3; i++) {
        if (wait_ticks(periodic) == 0) {
            fail("the periodic timer stopped ticking after %llu ticks", (unsigned long long)total);
        }
    }

    struct itimerspec now;
    timerfd_gettime(hour, &now);
    if (now.it_interval.tv_sec || now.it_interval.tv_nsec || now.it_value.tv_sec >= HOUR
        || now.it_value.tv_sec < HOUR - 600) {
        fail("the hour timer reads value %ld.%09ld interval %ld.%09ld", (long)now.it_value.tv_sec,
             now.it_value.tv_nsec, (long)now.it_interval.tv_sec, now.it_interval.tv_nsec);
    }
    uint64_t ticks = 0;
    if (read(fired, &ticks, sizeof(ticks)) != sizeof(ticks) || ticks != 1) {
        fail("the fired one-shot timer reads %llu ticks (%m), expected 1", (unsigned long long)ticks);
    }
    timerfd_gettime(disarmed, &now);
    if (now.it_value.tv_sec || now.it_value.tv_nsec) {
        fail("the disarmed timer is armed");
    }
    if (!(fcntl(periodic, F_GETFL) & O_NONBLOCK) || (fcntl(hour, F_GETFL) & O_NONBLOCK)) {
        fail("O_NONBLOCK changed");
    }
    test_msg("%llu ticks", (unsigned long long)total);
    pass();
}
