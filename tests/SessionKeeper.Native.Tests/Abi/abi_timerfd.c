/* The timerfd ioctl from the kernel's linux/timerfd.h (glibc's sys/timerfd.h lacks it). */
#include <linux/timerfd.h>
#include "abi.h"

void abi_timerfd(void)
{
    C(IoctlRequest, TFD_IOC_SET_TICKS);
}
