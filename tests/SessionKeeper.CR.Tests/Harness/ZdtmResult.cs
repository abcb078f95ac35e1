namespace SessionKeeper.CR.Tests.Harness;

/// <summary>How a run ended.</summary>
public enum ZdtmVerdict
{
    /// <summary>The program checked its state after the signal and wrote PASS.</summary>
    Pass,

    /// <summary>The program wrote <c>FAIL: reason</c>.</summary>
    Fail,

    /// <summary>No pidfile: the program exited or timed out before it was ready.</summary>
    NotReady,

    /// <summary>The program was ready, but no verdict came after SIGTERM in time.</summary>
    NoVerdict,

    /// <summary>The step threw, or the outfile did not follow the protocol.</summary>
    HarnessError,
}

/// <summary>Options of one run.</summary>
public sealed record ZdtmRunOptions
{
    /// <summary>Where the tree runs.</summary>
    public NamespaceMode Mode { get; init; } = NamespaceMode.Host;

    /// <summary>What happens between "ready" and SIGTERM.</summary>
    public ICheckpointRestoreStep Step { get; init; } = new NoOpStep();

    /// <summary>Passed to the step: keep the original tree running, or end and restore it.</summary>
    public bool KeepRunning { get; init; } = true;

    /// <summary>How long the program may take to write its pidfile.</summary>
    public TimeSpan ReadyTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long the step may take.</summary>
    public TimeSpan StepTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long the program may take, after SIGTERM, to write its verdict.</summary>
    public TimeSpan VerdictTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long the tree runs before the step, so streaming tests are mid-stream.</summary>
    public TimeSpan RunBeforeStep { get; init; } = TimeSpan.FromMilliseconds(100);
}

/// <summary>The outcome of one run of one program.</summary>
/// <param name="Program">The program.</param>
/// <param name="Mode">Where it ran.</param>
/// <param name="Verdict">How it ended.</param>
/// <param name="Reason">The program's reason after <c>FAIL:</c>, or the harness's account of what went wrong.</param>
/// <param name="Log">The harness's log, the program's log and anything it printed before it detached.</param>
/// <param name="WorkDirectory">Pidfile, outfile, log and images of this run.</param>
/// <param name="KilledAfterVerdict">Processes of the tree still running after the verdict, which the harness killed.</param>
/// <param name="Survivors">Processes of the tree that were still alive when the harness gave up killing them.</param>
public sealed record ZdtmResult(
    ZdtmProgram Program,
    NamespaceMode Mode,
    ZdtmVerdict Verdict,
    string Reason,
    string Log,
    string WorkDirectory,
    IReadOnlyList<int> KilledAfterVerdict,
    IReadOnlyList<int> Survivors)
{
    /// <summary>A failure message: verdict, reason and the whole log.</summary>
    public string Describe() =>
        $"{Program.Id} ({Mode}): {Verdict}{(Reason.Length > 0 ? ": " + Reason : "")}\n" +
        $"work directory: {WorkDirectory}\n" +
        (KilledAfterVerdict.Count > 0 ? $"killed after the verdict: {string.Join(' ', KilledAfterVerdict)}\n" : "") +
        (Survivors.Count > 0 ? $"still alive: {string.Join(' ', Survivors)}\n" : "") +
        $"--- log ---\n{Log}";
}
