/* ptrace argument structs from the kernel's linux/ptrace.h (clashes with sys/ptrace.h). */
#include <linux/ptrace.h>
#include "abi.h"

void abi_ptrace(void)
{
    S(PtraceRseqConfiguration, struct ptrace_rseq_configuration);
    F(PtraceRseqConfiguration, RseqAbiPointer, struct ptrace_rseq_configuration, rseq_abi_pointer);
    F(PtraceRseqConfiguration, RseqAbiSize, struct ptrace_rseq_configuration, rseq_abi_size);
    F(PtraceRseqConfiguration, Signature, struct ptrace_rseq_configuration, signature);
    F(PtraceRseqConfiguration, Flags, struct ptrace_rseq_configuration, flags);
    F(PtraceRseqConfiguration, Pad, struct ptrace_rseq_configuration, pad);

    S(PtracePeekSigInfoArgs, struct ptrace_peeksiginfo_args);
    F(PtracePeekSigInfoArgs, Offset, struct ptrace_peeksiginfo_args, off);
    F(PtracePeekSigInfoArgs, Flags, struct ptrace_peeksiginfo_args, flags);
    F(PtracePeekSigInfoArgs, Count, struct ptrace_peeksiginfo_args, nr);
}
