/* The x86_64 kernel's struct sigaction (handler, flags, restorer, 8-byte mask) and stack_t,
 * as rt_sigaction and sigaltstack take them. asm/signal.h declares them for x86_64 user
 * space; it clashes with glibc's signal.h, hence its own unit. */
#include <asm/signal.h>
#include "abi.h"

void abi_ksignal(void)
{
    S(KernelSigaction, struct sigaction);
    F(KernelSigaction, Handler, struct sigaction, sa_handler);
    F(KernelSigaction, Flags, struct sigaction, sa_flags);
    F(KernelSigaction, Restorer, struct sigaction, sa_restorer);
    F(KernelSigaction, Mask, struct sigaction, sa_mask);

    S(StackT, stack_t);
    F(StackT, Sp, stack_t, ss_sp);
    F(StackT, Flags, stack_t, ss_flags);
    F(StackT, Size, stack_t, ss_size);
}
