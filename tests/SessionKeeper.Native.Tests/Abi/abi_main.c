#include "abi.h"

int main(void)
{
    abi_glibc();
    abi_termbits();
    abi_ksignal();
    abi_kstat();
    abi_tcp();
    abi_netinet_tcp();
    abi_ptrace();
    abi_netns();
    abi_timerfd();
    abi_unix_diag();
    return 0;
}
