/* TCP repair structs and option numbers from the kernel's linux/tcp.h (clashes with
 * glibc's netinet/tcp.h). */
#include <linux/tcp.h>
#include "abi.h"

void abi_tcp(void)
{
    S(TcpRepairOpt, struct tcp_repair_opt);
    F(TcpRepairOpt, Code, struct tcp_repair_opt, opt_code);
    F(TcpRepairOpt, Value, struct tcp_repair_opt, opt_val);

    S(TcpRepairWindow, struct tcp_repair_window);
    F(TcpRepairWindow, SndWl1, struct tcp_repair_window, snd_wl1);
    F(TcpRepairWindow, SndWnd, struct tcp_repair_window, snd_wnd);
    F(TcpRepairWindow, MaxWindow, struct tcp_repair_window, max_window);
    F(TcpRepairWindow, RcvWnd, struct tcp_repair_window, rcv_wnd);
    F(TcpRepairWindow, RcvWup, struct tcp_repair_window, rcv_wup);

    C(TcpOption, TCP_NODELAY);
    C(TcpOption, TCP_MAXSEG);
    C(TcpOption, TCP_CORK);
    C(TcpOption, TCP_KEEPIDLE);
    C(TcpOption, TCP_KEEPINTVL);
    C(TcpOption, TCP_KEEPCNT);
    C(TcpOption, TCP_SYNCNT);
    C(TcpOption, TCP_LINGER2);
    C(TcpOption, TCP_DEFER_ACCEPT);
    C(TcpOption, TCP_WINDOW_CLAMP);
    C(TcpOption, TCP_INFO);
    C(TcpOption, TCP_QUICKACK);
    C(TcpOption, TCP_CONGESTION);
    C(TcpOption, TCP_USER_TIMEOUT);
    C(TcpOption, TCP_REPAIR);
    C(TcpOption, TCP_REPAIR_QUEUE);
    C(TcpOption, TCP_QUEUE_SEQ);
    C(TcpOption, TCP_REPAIR_OPTIONS);
    C(TcpOption, TCP_FASTOPEN);
    C(TcpOption, TCP_TIMESTAMP);
    C(TcpOption, TCP_NOTSENT_LOWAT);
    C(TcpOption, TCP_REPAIR_WINDOW);
    C(TcpRepairMode, TCP_REPAIR_OFF_NO_WP);
    C(TcpRepairMode, TCP_REPAIR_OFF);
    C(TcpRepairMode, TCP_REPAIR_ON);
    C(TcpQueue, TCP_NO_QUEUE);
    C(TcpQueue, TCP_RECV_QUEUE);
    C(TcpQueue, TCP_SEND_QUEUE);
}
