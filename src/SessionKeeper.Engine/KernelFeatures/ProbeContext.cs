using SessionKeeper.Native;
using SessionKeeper.ProcessControl;

namespace SessionKeeper.Engine;

/// <summary>Which throwaway a probe works on: read-only probes share one, each probe that changes its process gets its own.</summary>
internal enum ThrowawayRole
{
    /// <summary>Seized once and only looked at (ptrace, rseq, memory, fds, kcmp, map_files, pagemap).</summary>
    Observed,
    /// <summary>Hosts the injected clone3.</summary>
    Clone,
    /// <summary>Loses and regains its vDSO.</summary>
    Vdso,
    /// <summary>Gets PR_SET_MM_MAP.</summary>
    MmMap,
}

/// <summary>
/// What the probes share: the tracer thread (the whole run executes on it), the throwaway
/// processes, started together on first use, and everything that must be killed at the end.
/// Each probe asks for what it needs, so one that fails (say, a seize refused) makes the next
/// one fail with its own errno rather than with "skipped".
/// </summary>
internal sealed class ProbeContext : IDisposable
{
    private readonly List<Throwaway> _sleepers = [];
    private readonly Dictionary<ThrowawayRole, FrozenTree> _trees = [];
    private readonly HashSet<int> _tracedChildren = [];
    private readonly List<int> _pids = [];
    private readonly List<string> _cleanupProblems = [];
    private Exception? _startFailure;

    public ProbeContext(TracerThread tracer) => Tracer = tracer;

    public TracerThread Tracer { get; }

    /// <summary>Every process id a probe created (for the report: none may survive the run).</summary>
    public IReadOnlyList<int> Pids => _pids;

    /// <summary>What went wrong while killing the throwaways (empty when all is well).</summary>
    public IReadOnlyList<string> CleanupProblems => _cleanupProblems;

    /// <summary>The sleeper for <paramref name="role"/>; the first call starts all of them with one shell.</summary>
    public Throwaway Sleeper(ThrowawayRole role)
    {
        if (_startFailure is not null)
        {
            throw new InvalidOperationException($"the throwaway processes did not start: {_startFailure.Message}", _startFailure);
        }
        if (_sleepers.Count == 0)
        {
            try
            {
                _sleepers.AddRange(Throwaway.StartSleepers(Enum.GetValues<ThrowawayRole>().Length));
            }
            catch (Exception e)
            {
                _startFailure = e;
                throw;
            }
            _pids.AddRange(_sleepers.Select(s => s.Pid));
        }
        return _sleepers[(int)role];
    }

    /// <summary>
    /// The stopped thread of the sleeper for <paramref name="role"/>: seized and interrupted on
    /// first use, with PTRACE_O_EXITKILL added so that a keeper killed mid-probe takes it along.
    /// </summary>
    public Tracee Stopped(ThrowawayRole role, PtraceOptions options = PtraceOptions.TraceSysGood)
    {
        Tracer.VerifyAccess();
        int pid = Sleeper(role).Pid;
        if (!_trees.TryGetValue(role, out FrozenTree? tree))
        {
            tree = FrozenTree.Freeze(Tracer, pid);
            _trees.Add(role, tree);
            Interop.PtraceSetOptions(pid, options | PtraceOptions.ExitKill);
        }
        return tree[pid].Threads[0];
    }

    /// <summary>Records a task a probe created inside a traced throwaway, for <see cref="KillTracedChild"/> and the final sweep.</summary>
    public void TrackTracedChild(int pid)
    {
        _tracedChildren.Add(pid);
        _pids.Add(pid);
    }

    /// <summary>
    /// Kills a task that was auto-attached to us and consumes its exit notification; until the
    /// tracer does, its real parent cannot see it die. It stays traced (so its pid cannot be
    /// reused) until that wait, which is why it is killed by pid.
    /// </summary>
    public void KillTracedChild(int pid)
    {
        if (!_tracedChildren.Remove(pid))
        {
            return;
        }
        Interop.TryKill(pid, Signals.SIGKILL);
        while (Interop.TryWaitPid(pid, WaitOptions.All) is { } status && status.Stopped)
        {
            Interop.TryPtraceDetach(pid);
        }
    }

    /// <summary>Kills the sleeper of <paramref name="role"/> now (after a probe left it unusable).</summary>
    public void Kill(ThrowawayRole role)
    {
        if (_trees.Remove(role, out FrozenTree? tree))
        {
            tree.Kill();
        }
        if (_sleepers.Count > (int)role)
        {
            _sleepers[(int)role].Kill();
        }
    }

    /// <summary>
    /// Kills everything the run created, on every path, and waits until it is dead. Each step
    /// is attempted even when an earlier one failed; failures are recorded, not thrown, so
    /// they cannot hide the probe results.
    /// </summary>
    public void Dispose()
    {
        foreach (int child in _tracedChildren.ToList())
        {
            Attempt($"traced child {child}", () => KillTracedChild(child));
        }
        foreach (ThrowawayRole role in _trees.Keys.ToList())
        {
            Attempt($"{role} throwaway", () => Kill(role));
        }
        foreach (Throwaway sleeper in _sleepers)
        {
            Attempt($"throwaway pid {sleeper.Pid}", sleeper.Kill);
        }
        foreach (Throwaway sleeper in _sleepers)
        {
            if (!sleeper.WaitDead(TimeSpan.FromSeconds(2)))
            {
                _cleanupProblems.Add($"throwaway pid {sleeper.Pid} is still alive 2 s after SIGKILL");
            }
            sleeper.Dispose();
        }
    }

    private void Attempt(string what, Action action)
    {
        try
        {
            action();
        }
        catch (Exception e)
        {
            _cleanupProblems.Add($"killing the {what}: {e.Message}");
        }
    }
}
