/*
 * no_verdict — a fixture for the harness's own tests: it becomes ready, then takes no notice of
 * SIGTERM and never writes a verdict, with a child that does the same, so the harness has to
 * time out after the signal and kill the tree.
 */
#include "../lib/zdtm.h"

#include <signal.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    test_init(argc, argv);
    test_daemon();
    signal(SIGTERM, SIG_IGN);
    if (test_fork() < 0) {
        fail("fork: %m");
    }
    test_ready();
    test_msg("ignoring SIGTERM from now on");
    for (;;) {
        pause();
    }
}
