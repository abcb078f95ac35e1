using System.Buffers.Binary;
using System.Runtime.InteropServices;
using SessionKeeper.Images.V1;
using SessionKeeper.Native;
using SessionKeeper.ProcessControl;

namespace SessionKeeper.Engine.Restore;

/// <summary>Threads and the state the kernel keeps per thread: ids, futex lists, stacks, names, credentials.</summary>
public sealed partial class Restorer
{
    private const int SecbitNoSetuidFixup = 1 << 2;
    private const uint CapabilityVersion3 = 0x20080522;
    private const int CapLastCap = 63;

    // Every restored thread by its id in the images, main threads included.
    private readonly Dictionary<int, Injector> _threads = [];

    /// <summary>
    /// Clones the other threads of <paramref name="pid"/> from its main thread (clone3 with
    /// CLONE_THREAD and set_tid) and gives every thread, the main one included, its own
    /// clear-tid address, robust list, alternate stack, parent-death signal, timer slack and name.
    /// </summary>
    private void RestoreThreads(TracerThread tracer, int pid)
    {
        Injector main = _tasks[pid];
        Core core = _images.Cores[pid];
        _threads[pid] = main;
        foreach (ThreadCore thread in core.Threads)
        {
            int tid = (int)thread.Tid;
            if (tid != pid)
            {
                _threads[tid] = Step(main, $"clone3 thread {tid}", () => RestoreTasks.CloneThread(tracer, main, tid));
            }
        }
        foreach (ThreadCore thread in core.Threads)
        {
            RestoreThreadState(_threads[(int)thread.Tid], thread, isMain: thread.Tid == pid);
        }
    }

    private static void RestoreThreadState(Injector task, ThreadCore thread, bool isMain)
    {
        string who = isMain ? "" : $" (tid {thread.Tid})";
        // A clone starts without a clear-tid address or robust list; pthread_join and robust
        // mutexes depend on both.
        Step(task, "set_tid_address" + who, () => task.Call(SyscallNumber.SetTidAddress, thread.ClearTidAddress));
        if (thread.RobustList is { } robust)
        {
            Step(task, "set_robust_list" + who, () => task.CallChecked(SyscallNumber.SetRobustList, robust.Head, robust.Length));
        }
        if (thread.Sigaltstack is { } saved)
        {
            // SS_ONSTACK describes where the thread was running, not a setting.
            var stack = new StackT { Sp = saved.Sp, Flags = saved.Flags & ~StackT.SsOnStack, Size = saved.Size };
            ulong address = WriteStruct(task, stack);
            Step(task, "sigaltstack" + who, () => task.CallChecked(SyscallNumber.Sigaltstack, address, 0));
        }
        if (thread.PdeathSignal != 0)
        {
            Step(task, "prctl(PR_SET_PDEATHSIG)" + who, () => task.CallChecked(SyscallNumber.Prctl, (ulong)PrctlOption.PR_SET_PDEATHSIG, thread.PdeathSignal));
        }
        if (thread.HasTimerSlackNs)
        {
            Step(task, "prctl(PR_SET_TIMERSLACK)" + who, () => task.CallChecked(SyscallNumber.Prctl, (ulong)PrctlOption.PR_SET_TIMERSLACK, thread.TimerSlackNs));
        }
        if (!isMain && thread.Comm.Length > 0)
        {
            Step(task, "prctl(PR_SET_NAME)" + who, () => task.CallChecked(SyscallNumber.Prctl, (ulong)PrctlOption.PR_SET_NAME, WriteString(task, thread.Comm)));
        }
    }

    /// <summary>
    /// Gives a thread its saved credentials (DESIGN.md §5: last, since after a uid change other
    /// steps may fail). Nothing is done when they equal what the thread has, which is the
    /// common case of a user restoring their own session.
    /// </summary>
    private static void RestoreCreds(Injector task, Creds? creds)
    {
        if (creds is null || CurrentCredsMatch(task.Thread.Pid, task.Thread.Tid, creds))
        {
            return;
        }
        // Bounding set first, while CAP_SETPCAP is still effective.
        for (int cap = 0; cap <= CapLastCap; cap++)
        {
            if ((creds.CapBounding & (1UL << cap)) == 0)
            {
                long result = task.Call(SyscallNumber.Prctl, (ulong)PrctlOption.PR_CAPBSET_DROP, (ulong)cap);
                if (result == -(long)Errno.EINVAL)
                {
                    break; // beyond the last capability this kernel knows
                }
                Check(task, result, $"prctl(PR_CAPBSET_DROP, {cap})");
            }
        }
        // No capability fix-ups while the ids change: capset sets the sets afterwards.
        Step(task, "prctl(PR_SET_SECUREBITS)", () => task.CallChecked(SyscallNumber.Prctl, (ulong)PrctlOption.PR_SET_SECUREBITS, SecbitNoSetuidFixup));
        uint[] groups = creds.Groups.ToArray();
        ulong groupList = task.WriteScratch(MemoryMarshal.AsBytes(groups.AsSpan()), 16384);
        Step(task, "setgroups", () => task.CallChecked(SyscallNumber.Setgroups, (ulong)groups.Length, groupList));
        Step(task, "setresgid", () => task.CallChecked(SyscallNumber.Setresgid, creds.Gid, creds.Egid, creds.Sgid));
        Step(task, "setresuid", () => task.CallChecked(SyscallNumber.Setresuid, creds.Uid, creds.Euid, creds.Suid));
        // setfs[ug]id return the previous value, never an error.
        Step(task, "setfsgid", () => task.Call(SyscallNumber.Setfsgid, creds.Fsgid));
        Step(task, "setfsuid", () => task.Call(SyscallNumber.Setfsuid, creds.Fsuid));
        Step(task, "prctl(PR_SET_SECUREBITS)", () => task.CallChecked(SyscallNumber.Prctl, (ulong)PrctlOption.PR_SET_SECUREBITS, creds.Securebits));

        // struct __user_cap_header_struct, then two __user_cap_data_struct (low and high 32 bits).
        Span<byte> caps = stackalloc byte[8 + 24];
        BinaryPrimitives.WriteUInt32LittleEndian(caps, CapabilityVersion3);
        for (int half = 0; half < 2; half++)
        {
            Span<byte> data = caps[(8 + (12 * half))..];
            BinaryPrimitives.WriteUInt32LittleEndian(data, (uint)(creds.CapEffective >> (32 * half)));
            BinaryPrimitives.WriteUInt32LittleEndian(data[4..], (uint)(creds.CapPermitted >> (32 * half)));
            BinaryPrimitives.WriteUInt32LittleEndian(data[8..], (uint)(creds.CapInheritable >> (32 * half)));
        }
        ulong header = task.WriteScratch(caps, 16384);
        Step(task, "capset", () => task.CallChecked(SyscallNumber.Capset, header, header + 8));
        const ulong ambientRaise = 2;
        for (int cap = 0; cap <= CapLastCap; cap++)
        {
            if ((creds.CapAmbient & (1UL << cap)) != 0)
            {
                Step(task, $"prctl(PR_CAP_AMBIENT_RAISE, {cap})", () => task.CallChecked(SyscallNumber.Prctl, (ulong)PrctlOption.PR_CAP_AMBIENT, ambientRaise, (ulong)cap));
            }
        }
        if (creds.NoNewPrivs)
        {
            Step(task, "prctl(PR_SET_NO_NEW_PRIVS)", () => task.CallChecked(SyscallNumber.Prctl, (ulong)PrctlOption.PR_SET_NO_NEW_PRIVS, 1));
        }
    }

    private static bool CurrentCredsMatch(int pid, int tid, Creds saved)
    {
        if (!ProcFs.ProcFsReader.TryReadTaskStatus(pid, tid, out ProcFs.ProcStatus status))
        {
            throw new RestoreException(pid, "credentials", $"tid {tid} vanished");
        }
        Creds current = Dump.ProcessDumper.CredsFromStatus(status);
        // Securebits are not in /proc; they are restored with the rest only when the ids or
        // capabilities differ (a fresh clone of keeper's host has none set).
        current.Securebits = saved.Securebits;
        return current.Equals(saved);
    }

    private static void Check(Injector task, long result, string what)
    {
        if (result < 0 && result > -4096)
        {
            throw new RestoreException(task.Thread.Pid, what, new ErrnoException((Errno)(-result), "injected " + what, task.Thread.ToString()).Message);
        }
    }

    private static ulong WriteStruct<T>(Injector task, in T value, int offset = 0)
        where T : unmanaged
        => task.WriteScratch(MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in value)), offset);
}
