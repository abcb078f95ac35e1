using System.Runtime.InteropServices;
using SessionKeeper.Native;

namespace SessionKeeper.ProcessControl;

/// <summary>
/// Creates the tasks of a restore (DESIGN.md §5): a traced host process, and new processes
/// cloned with <c>clone3</c> and <c>set_tid</c> so that each gets its original PID. A clone
/// starts as a copy of its parent, stub page included, stopped and traced (the parent is seized
/// with PTRACE_O_TRACEFORK|TRACECLONE), and is then turned into the saved process by injected
/// calls.
/// </summary>
public static class RestoreTasks
{
    /// <summary>Seize options of every restore task: EXITKILL so a crashed keeper leaves nothing half-built.</summary>
    public const PtraceOptions RestoreOptions =
        PtraceOptions.TraceSysGood | PtraceOptions.TraceFork | PtraceOptions.TraceClone | PtraceOptions.ExitKill;

    /// <summary>
    /// Starts <c>sleep infinity</c> as the host, detached (see <see cref="DetachedProcess"/>), seizes and
    /// stops it, and maps the stub plus <paramref name="scratchPages"/> scratch pages at
    /// <paramref name="stubAddress"/>, an address free in every layout to be restored.
    /// </summary>
    /// <param name="tracer">The tracer thread (the caller).</param>
    /// <param name="stubAddress">Where the stub goes.</param>
    /// <param name="scratchPages">Scratch pages behind the stub.</param>
    /// <param name="prestarted">A host started ahead (<see cref="HostProcess.Start"/>); null starts one now.</param>
    public static Injector StartHost(TracerThread tracer, ulong stubAddress, int scratchPages, HostProcess? prestarted = null)
    {
        tracer.VerifyAccess();
        int pid = prestarted?.Take() ?? HostProcess.StartNow();
        try
        {
            Interop.PtraceSeize(pid, RestoreOptions);
            Interop.PtraceInterrupt(pid);
            Tracee host = Tracee.FromNewTask(pid, pid);
            var injector = new Injector(tracer, host);
            injector.MapStub(scratchPages, stubAddress);
            return injector;
        }
        catch
        {
            Interop.TryKill(pid, Signals.SIGKILL);
            throw;
        }
    }

    /// <summary>
    /// Clones a new process with PID <paramref name="pid"/> from the process of
    /// <paramref name="parent"/> and returns an injector for it (sharing the inherited stub).
    /// With <paramref name="parentOutsideTree"/>, CLONE_PARENT makes the new process a sibling
    /// of the caller, i.e. a child of the caller's parent. <paramref name="namespaces"/> are
    /// CLONE_NEW* flags: with CLONE_NEWPID the new process is the first of a new pid namespace
    /// and <paramref name="pid"/> must be 1.
    /// </summary>
    /// <remarks>
    /// set_tid (with set_tid_size 1) names the pid in the new process's own pid namespace, clone3
    /// returns it as the caller's namespace sees it, and the fork event message as the tracer's
    /// does. The three differ for the init of a new pid namespace, and the first two from the
    /// third for a process cloned inside one; keeper works on the task by the third.
    /// </remarks>
    public static Injector CloneProcess(TracerThread tracer, Injector parent, int pid, bool parentOutsideTree, CloneFlags namespaces = CloneFlags.None)
    {
        tracer.VerifyAccess();
        // With CLONE_PARENT the kernel takes the exit signal from the caller, so none is passed.
        long result = Clone3(parent, (parentOutsideTree ? CloneFlags.CLONE_PARENT : 0) | namespaces,
            parentOutsideTree ? 0UL : Signals.SIGCHLD, pid, $"pid {pid}");
        if ((namespaces & CloneFlags.CLONE_NEWPID) == 0 && result != pid)
        {
            throw new InvalidOperationException($"clone3 asked for pid {pid} but created {result}");
        }
        int hostPid = parent.LastChild;
        Tracee child = Tracee.FromNewTask(hostPid, hostPid);
        var injector = new Injector(tracer, child, ProcTasks.VdsoStart(hostPid));
        (ulong stub, int length) = parent.StubMapping;
        injector.AdoptStub(stub, length);
        return injector;
    }

    /// <summary>Flags of a thread clone: everything a pthread shares with its process.</summary>
    private const CloneFlags ThreadFlags = CloneFlags.CLONE_VM | CloneFlags.CLONE_FS | CloneFlags.CLONE_FILES
        | CloneFlags.CLONE_SIGHAND | CloneFlags.CLONE_THREAD | CloneFlags.CLONE_SYSVSEM;

    /// <summary>
    /// Clones a thread with id <paramref name="tid"/> into the process of
    /// <paramref name="process"/> and returns an injector for it. No stack is given: the new
    /// thread starts traced and stopped before it runs a single instruction, and gets its own
    /// registers (stack pointer included) before it is released.
    /// </summary>
    public static Injector CloneThread(TracerThread tracer, Injector process, int tid)
    {
        tracer.VerifyAccess();
        int created = Clone3(process, ThreadFlags, exitSignal: 0, tid, $"tid {tid} of pid {process.Thread.Pid}");
        if (created != tid)
        {
            throw new InvalidOperationException($"clone3 asked for tid {tid} but created {created}");
        }
        // The fork event names the thread as keeper sees it (the tree may have its own pid namespace).
        int hostTid = process.LastChild;
        Tracee thread = Tracee.FromNewTask(process.Thread.Pid, hostTid);
        var injector = new Injector(tracer, thread, ProcTasks.VdsoStart(process.Thread.Pid));
        (ulong stub, int length) = process.StubMapping;
        injector.AdoptStub(stub, length);
        return injector;
    }

    // clone3 with one set_tid entry, run in the task of `caller`; returns the new id as the
    // caller sees it.
    private static unsafe int Clone3(Injector caller, CloneFlags flags, ulong exitSignal, int id, string what)
    {
        var args = new CloneArgs
        {
            Flags = (ulong)flags,
            ExitSignal = exitSignal,
            SetTidSize = 1,
        };
        // set_tid follows the struct in the scratch area.
        args.SetTid = caller.Scratch + (ulong)sizeof(CloneArgs);
        Span<byte> buffer = stackalloc byte[sizeof(CloneArgs) + sizeof(int)];
        MemoryMarshal.Write(buffer, in args);
        MemoryMarshal.Write(buffer[sizeof(CloneArgs)..], in id);
        ulong address = caller.WriteScratch(buffer);
        long result = caller.Call(SyscallNumber.Clone3, address, (ulong)sizeof(CloneArgs));
        if (result < 0)
        {
            var errno = (Errno)(-result);
            string? hint = errno != Errno.EEXIST ? null
                : InOurPidNamespace(caller.Thread.Pid) ? $"id {id} is taken by {DescribeOwner(id)}; end it or wait until it is free"
                : $"id {id} is taken inside the tree's own pid namespace (the images name it twice?)";
            throw new ErrnoException(errno, "injected clone3(set_tid)", what, hint);
        }
        return (int)result;
    }

    // A process created inside a pid namespace of the tree's own takes its pid there, where
    // keeper's /proc cannot tell who holds it.
    private static bool InOurPidNamespace(int pid)
        => new FileInfo($"/proc/{pid}/ns/pid").LinkTarget == new FileInfo("/proc/self/ns/pid").LinkTarget;

    private static string DescribeOwner(int pid)
    {
        char? state = ProcTasks.State(pid);
        if (state is null)
        {
            return "a task that just exited (a zombie's PID stays taken until it is reaped)";
        }
        string what = state == 'Z' ? "a zombie" : "a running process";
        return $"{what}, {ProcTasks.Comm(pid)} (pid {pid})";
    }
}
