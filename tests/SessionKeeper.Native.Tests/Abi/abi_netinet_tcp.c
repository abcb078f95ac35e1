/* SOL_TCP and SOL_UDP (glibc keeps them in netinet/). TCP option kinds: the kernel keeps TCPOPT_* in a non-uapi header; glibc's netinet/tcp.h
 * carries the same RFC values. */
#include <netinet/tcp.h>
#include <netinet/udp.h>
#include "abi.h"

void abi_netinet_tcp(void)
{
    C(SocketLevel, SOL_TCP);
    C(SocketLevel, SOL_UDP);
    C(TcpOptionKind, TCPOPT_EOL);
    C(TcpOptionKind, TCPOPT_NOP);
    C(TcpOptionKind, TCPOPT_MAXSEG);
    C(TcpOptionKind, TCPOPT_WINDOW);
    C(TcpOptionKind, TCPOPT_SACK_PERMITTED);
    C(TcpOptionKind, TCPOPT_SACK);
    C(TcpOptionKind, TCPOPT_TIMESTAMP);
}
