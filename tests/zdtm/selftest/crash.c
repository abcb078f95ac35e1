/*
 * crash — a fixture for the harness's own tests: it becomes ready and dies of SIGABRT when
 * SIGTERM comes, without a verdict, so the harness must notice the root is gone instead of
 * waiting out its timeout.
 */
#include "../lib/zdtm.h"

#include <stdlib.h>

int main(int argc, char **argv)
{
    test_init(argc, argv);
    test_daemon();
    test_waitsig();
    test_msg("aborting instead of checking");
    abort();
}
