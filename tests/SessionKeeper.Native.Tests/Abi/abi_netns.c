/* What restoring a tree's own namespaces uses: struct ifreq for the loopback device's flags
 * and the mount flags of a fresh proc and of a private mount tree. */
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include "abi.h"

void abi_netns(void)
{
    S(IfReqFlags, struct ifreq);
    F(IfReqFlags, Name, struct ifreq, ifr_name);
    F(IfReqFlags, Flags, struct ifreq, ifr_flags);

    C(IoctlRequest, SIOCGIFFLAGS);
    C(IoctlRequest, SIOCSIFFLAGS);
    C(InterfaceFlags, IFF_UP);
    C(InterfaceFlags, IFF_LOOPBACK);
    C(InterfaceFlags, IFF_RUNNING);

    C(MountFlags, MS_NOSUID);
    C(MountFlags, MS_NODEV);
    C(MountFlags, MS_NOEXEC);
    C(MountFlags, MS_REC);
    C(MountFlags, MS_PRIVATE);
}
