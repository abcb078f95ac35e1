/* What reading unix sockets through sock_diag uses: the netlink protocol, message types and
 * flags, and the UNIX_DIAG request bits and answer attributes. */
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include "abi.h"

void abi_unix_diag(void)
{
    C(NetlinkProtocol, NETLINK_SOCK_DIAG);
    C(NetlinkMessage, NLM_F_REQUEST);
    C(NetlinkMessage, NLM_F_ROOT);
    C(NetlinkMessage, NLM_F_MATCH);
    C(NetlinkMessage, NLMSG_ERROR);
    C(NetlinkMessage, NLMSG_DONE);
    C(NetlinkMessage, SOCK_DIAG_BY_FAMILY);
    C(UnixDiagShow, UDIAG_SHOW_NAME);
    C(UnixDiagShow, UDIAG_SHOW_VFS);
    C(UnixDiagShow, UDIAG_SHOW_PEER);
    C(UnixDiagShow, UDIAG_SHOW_ICONS);
    C(UnixDiagShow, UDIAG_SHOW_RQLEN);
    C(UnixDiagShow, UDIAG_SHOW_MEMINFO);
    C(UnixDiagShow, UDIAG_SHOW_UID);
    C(UnixDiagAttribute, UNIX_DIAG_NAME);
    C(UnixDiagAttribute, UNIX_DIAG_VFS);
    C(UnixDiagAttribute, UNIX_DIAG_PEER);
    C(UnixDiagAttribute, UNIX_DIAG_ICONS);
    C(UnixDiagAttribute, UNIX_DIAG_RQLEN);
    C(UnixDiagAttribute, UNIX_DIAG_MEMINFO);
    C(UnixDiagAttribute, UNIX_DIAG_SHUTDOWN);
    C(UnixDiagAttribute, UNIX_DIAG_UID);
}
