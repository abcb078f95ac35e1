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
    /// of the caller, i.e. a child of the caller's parent.
    /// </summary>
    public static unsafe Injector CloneProcess(TracerThread tracer, Injector parent, int pid, bool parentOutsideTree)
    {
        tracer.VerifyAccess();
        var args = new CloneArgs
        {
            Flags = parentOutsideTree ? (ulong)CloneFlags.CLONE_PARENT : 0,
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
            string? hint = errno == Errno.EEXIST
                ? $"PID {pid} is taken by {DescribeOwner(pid)}; end it or wait until it is free"
                : null;
            throw new ErrnoException(errno, "injected clone3(set_tid)", $"pid {pid}", hint);
        }
        if (result != pid)
        {
            throw new InvalidOperationException($"clone3 asked for pid {pid} but created {result}");
        }
        Tracee child = Tracee.FromNewTask(pid, pid);
        var injector = new Injector(tracer, child, ProcTasks.VdsoStart(pid));
        (ulong stub, int length) = parent.StubMapping;
        injector.AdoptStub(stub, length);
        return injector;
    }

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
