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
    public static Injector StartHost(TracerThread tracer, ulong stubAddress, int scratchPages)
    {
        tracer.VerifyAccess();
        int pid = DetachedProcess.Start(["exec sleep infinity"])[0];
        try
        {
            // Seizing the shell mid-exec would trace the shell, not sleep.
            DetachedProcess.WaitSleeping(pid, "sleep", TimeSpan.FromSeconds(5));
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
    public static unsafe Injector CloneProcess(TracerThread tracer, Injector parent, int pid, bool parentOutsideTree, CloneFlags namespaces = CloneFlags.None)
    {
        tracer.VerifyAccess();
        var args = new CloneArgs
        {
            Flags = (parentOutsideTree ? (ulong)CloneFlags.CLONE_PARENT : 0) | (ulong)namespaces,
            // With CLONE_PARENT the kernel takes the exit signal from the caller, so none is passed.
            ExitSignal = parentOutsideTree ? 0UL : Signals.SIGCHLD,
            SetTidSize = 1,
        };
        // set_tid follows the struct in the scratch area.
        args.SetTid = parent.Scratch + (ulong)sizeof(CloneArgs);
        Span<byte> buffer = stackalloc byte[sizeof(CloneArgs) + sizeof(int)];
        MemoryMarshal.Write(buffer, in args);
        MemoryMarshal.Write(buffer[sizeof(CloneArgs)..], in pid);
        ulong address = parent.WriteScratch(buffer);
        long result = parent.Call(SyscallNumber.Clone3, address, (ulong)sizeof(CloneArgs));
        if (result < 0)
        {
            var errno = (Errno)(-result);
            string? hint = errno != Errno.EEXIST ? null
                : InOurPidNamespace(parent.Thread.Pid) ? $"PID {pid} is taken by {DescribeOwner(pid)}; end it or wait until it is free"
                : $"PID {pid} is taken inside the tree's own pid namespace (the images name it twice?)";
            throw new ErrnoException(errno, "injected clone3(set_tid)", $"pid {pid}", hint);
        }
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
