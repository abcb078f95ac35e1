/*
 * always_fail — a fixture for the harness's own tests, never a C/R test: it goes through the
 * protocol correctly and then reports failure, so the harness can show that a FAIL verdict and
 * its reason reach the test result.
 */
#include "../lib/zdtm.h"

int main(int argc, char **argv)
{
    test_init(argc, argv);
    test_daemon();
    test_waitsig();
    fail("deliberate failure: the harness must report this reason");
}
