/*
 * no_pidfile — a fixture for the harness's own tests: it never becomes ready. It starts a child
 * and both sleep, so the harness has to time out and kill more than the process it started.
 */
#include "../lib/zdtm.h"

#include <unistd.h>

int main(int argc, char **argv)
{
    test_init(argc, argv);
    if (fork() < 0) {
        test_perror("fork");
    }
    for (;;) {
        pause();
    }
}
