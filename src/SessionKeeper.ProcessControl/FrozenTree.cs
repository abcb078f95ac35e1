using SessionKeeper.Native;

namespace SessionKeeper.ProcessControl;

/// <summary>A process of a frozen tree: its threads (all stopped), or a zombie.</summary>
public sealed class FrozenProcess
{
    internal FrozenProcess(int pid, int ppid, bool zombie)
    {
        Pid = pid;
        Ppid = ppid;
        IsZombie = zombie;
    }

    /// <summary>The process id.</summary>
    public int Pid { get; }

    /// <summary>The parent's pid at freeze time.</summary>
    public int Ppid { get; }

    /// <summary>A zombie: dead, not reaped, not traceable; only its pid and exit state matter.</summary>
    public bool IsZombie { get; }

    /// <summary>Stopped threads, the thread-group leader first (empty for a zombie).</summary>
    public List<Tracee> Threads { get; } = [];

    /// <summary>The thread-group leader (null for a zombie or a leader that already exited).</summary>
    public Tracee? Leader => Threads.Count > 0 && Threads[0].Tid == Pid ? Threads[0] : null;

    /// <inheritdoc/>
    public override string ToString() => $"pid {Pid} ({ProcTasks.Comm(Pid)})";
}

/// <summary>
/// A process tree stopped with PTRACE_SEIZE + PTRACE_INTERRUPT on every thread (never SIGSTOP:
/// screen and tmux send SIGCONT to stopped children within ~1.5 s). Built by
/// <see cref="Freeze"/> on the tracer thread; <see cref="Release"/> or <see cref="Kill"/> end it.
/// Disposing without either releases the tree, so a failed dump leaves it running untouched.
/// </summary>
public sealed class FrozenTree : IDisposable
{
    private readonly TracerThread _tracer;
    private readonly Dictionary<int, FrozenProcess> _byPid = [];
    private bool _ended;

    private FrozenTree(TracerThread tracer, int rootPid)
    {
        _tracer = tracer;
        RootPid = rootPid;
    }

    /// <summary>The root of the tree.</summary>
    public int RootPid { get; }

    /// <summary>Every process, parents before children.</summary>
    public List<FrozenProcess> Processes { get; } = [];

    /// <summary>Looks up a process by pid.</summary>
    public FrozenProcess this[int pid] => _byPid[pid];

    /// <summary>
    /// Freezes the tree rooted at <paramref name="rootPid"/>. Threads and children are listed
    /// again after each round of stops until nothing new appears: a task may clone or fork while
    /// the others are being stopped, but a stopped one cannot. Must run on the tracer thread.
    /// </summary>
    public static FrozenTree Freeze(TracerThread tracer, int rootPid)
    {
        tracer.VerifyAccess();
        var tree = new FrozenTree(tracer, rootPid);
        try
        {
            if (ProcTasks.State(rootPid) is null)
            {
                throw new ErrnoException(Errno.ESRCH, "freeze", $"pid {rootPid}", "no such process");
            }
            if (ProcTasks.State(rootPid) == 'Z')
            {
                throw new InvalidOperationException($"pid {rootPid} is a zombie: there is nothing to save");
            }
            var pending = new Queue<(int Pid, int Ppid)>();
            pending.Enqueue((rootPid, 0));
            while (pending.Count > 0)
            {
                (int pid, int ppid) = pending.Dequeue();
                if (tree._byPid.ContainsKey(pid))
                {
                    continue;
                }
                FrozenProcess? process = tree.FreezeProcess(pid, ppid);
                if (process is null)
                {
                    if (pid == rootPid)
                    {
                        throw new ErrnoException(Errno.ESRCH, "freeze", $"pid {rootPid}", "the process exited while being frozen");
                    }
                    continue;
                }
                foreach (Tracee thread in process.Threads)
                {
                    foreach (int child in ProcTasks.Children(pid, thread.Tid))
                    {
                        pending.Enqueue((child, pid));
                    }
                }
            }
            return tree;
        }
        catch
        {
            tree.Release();
            throw;
        }
    }

    private FrozenProcess? FreezeProcess(int pid, int ppid)
    {
        if (ProcTasks.State(pid) == 'Z')
        {
            return AddZombie(pid, ppid);
        }
        var process = new FrozenProcess(pid, ppid, zombie: false);
        var seized = new HashSet<int>();
        Add(process);
        while (true)
        {
            List<int> fresh = ProcTasks.Threads(pid).Where(t => !seized.Contains(t)).ToList();
            if (fresh.Count == 0)
            {
                break;
            }
            // Seize and interrupt all first, then collect the stops: the threads stop in parallel.
            var interrupted = new List<int>();
            foreach (int tid in fresh)
            {
                seized.Add(tid);
                if (TrySeize(tid))
                {
                    Interop.PtraceInterrupt(tid);
                    interrupted.Add(tid);
                }
            }
            foreach (int tid in interrupted)
            {
                Tracee? thread = Tracee.TryWaitEventStop(pid, tid);
                if (thread is not null)
                {
                    process.Threads.Add(thread);
                }
            }
        }
        if (process.Threads.Count == 0)
        {
            Processes.Remove(process);
            _byPid.Remove(pid);
            // It exited while being frozen. Its parent, stopped before it, cannot reap it: it is
            // a zombie of the tree now, and the parent will wait for it after the restore.
            return ppid != 0 && ProcTasks.State(pid) == 'Z' ? AddZombie(pid, ppid) : null;
        }
        process.Threads.Sort((a, b) => a.Tid == pid ? -1 : b.Tid == pid ? 1 : a.Tid.CompareTo(b.Tid));
        return process;
    }

    // PTRACE_SEIZE fails with EPERM, not ESRCH, on a task that has already exited but not
    // been reaped (exit_state set): like a vanished task, it is not seized.
    private static bool TrySeize(int tid)
    {
        try
        {
            return Interop.TryPtraceSeize(tid, PtraceOptions.TraceSysGood);
        }
        catch (ErrnoException e) when (e.Errno == Errno.EPERM && ProcTasks.State(tid) is null or 'Z' or 'X')
        {
            return false;
        }
    }

    private FrozenProcess AddZombie(int pid, int ppid)
    {
        var zombie = new FrozenProcess(pid, ppid, zombie: true);
        Add(zombie);
        return zombie;
    }

    private void Add(FrozenProcess process)
    {
        Processes.Add(process);
        _byPid[process.Pid] = process;
    }

    /// <summary>
    /// Puts back what injected calls changed and detaches every thread; the tree runs on as if
    /// nothing happened. Threads that vanished meanwhile are skipped.
    /// </summary>
    public void Release()
    {
        if (_ended)
        {
            return;
        }
        _ended = true;
        _tracer.VerifyAccess();
        foreach (Tracee thread in Processes.SelectMany(p => p.Threads))
        {
            try
            {
                if (thread.Modified)
                {
                    Interop.PtraceSetRegs(thread.Tid, thread.RegsToRestore());
                    Interop.PtraceSetSigMask(thread.Tid, thread.InitialSigMask);
                }
            }
            catch (ErrnoException e) when (e.Errno == Errno.ESRCH)
            {
            }
            Interop.TryPtraceDetach(thread.Tid);
        }
    }

    /// <summary>
    /// Ends the tree after a dump that stops the session: SIGKILL to every process, then reap
    /// the tracer's notifications so the real parents can collect the zombies.
    /// </summary>
    public void Kill()
    {
        if (_ended)
        {
            return;
        }
        _ended = true;
        _tracer.VerifyAccess();
        foreach (FrozenProcess process in Processes.Where(p => !p.IsZombie))
        {
            Interop.TryKill(process.Pid, Signals.SIGKILL);
        }
        // Children before parents: the init of a pid namespace, once dead, waits until the rest
        // of the namespace is reaped, and a traced child can be reaped only after our wait.
        // Other threads before their leaders: a leader's exit is reported only once every
        // other thread of its group has been reaped.
        foreach (Tracee thread in Enumerable.Reverse(Processes).SelectMany(p => p.Threads.OrderBy(t => t.Tid == t.Pid)))
        {
            // The tracer must consume each tracee's exit notification, or the zombie is never
            // handed back to its real parent for reaping.
            while (Interop.TryWaitPid(thread.Tid, WaitOptions.All) is { } status && status.Stopped)
            {
                Interop.TryPtraceDetach(thread.Tid);
            }
        }
    }

    /// <summary>Releases the tree unless it was already released or killed.</summary>
    public void Dispose() => Release();
}
