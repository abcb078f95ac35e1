using SessionKeeper.Native;

namespace SessionKeeper.Engine;

/// <summary>What a probe found.</summary>
public enum FeatureState
{
    /// <summary>The real operation worked the way the engine uses it.</summary>
    Ok,

    /// <summary>
    /// The kernel or our privileges refused it (ENOSYS, EPERM, EINVAL, …) or the feature is
    /// not there (no binary, not built into the kernel).
    /// </summary>
    Missing,

    /// <summary>The probe failed in an unexpected way, so whether the feature works is unknown.</summary>
    Error,
}

/// <summary>How much the engine depends on a feature.</summary>
public enum FeatureImportance
{
    /// <summary>No dump or restore can work without it.</summary>
    Essential,

    /// <summary>Needed only by sessions that use it (TCP connections, SysV shm, …).</summary>
    Optional,

    /// <summary>Reported for the user; its absence only costs speed or a corner case.</summary>
    Informational,
}

/// <summary>The outcome of one kernel-feature probe.</summary>
public sealed class FeatureResult
{
    /// <summary>Creates a result.</summary>
    public FeatureResult(string name, FeatureImportance importance, FeatureState state, string detail, string enables, Errno? errno, TimeSpan elapsed)
    {
        Name = name;
        Importance = importance;
        State = state;
        Detail = detail;
        Enables = enables;
        Errno = errno;
        Elapsed = elapsed;
    }

    /// <summary>Stable identifier of the feature (<c>clone3-set-tid</c>); see <see cref="KernelFeatures"/>'s constants.</summary>
    public string Name { get; }

    /// <summary>How much the engine depends on it.</summary>
    public FeatureImportance Importance { get; }

    /// <summary>True when nothing can be saved or restored without the feature.</summary>
    public bool Essential => Importance == FeatureImportance.Essential;

    /// <summary>What the probe found.</summary>
    public FeatureState State { get; }

    /// <summary>True when the feature works here.</summary>
    public bool Available => State == FeatureState.Ok;

    /// <summary>What was done and seen, or why it failed (the failing call and its errno).</summary>
    public string Detail { get; }

    /// <summary>What the feature is used for, in the user's terms.</summary>
    public string Enables { get; }

    /// <summary>The errno of the call that failed, when a system call decided the outcome.</summary>
    public Errno? Errno { get; }

    /// <summary>How long the probe took.</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>The state as printed: <c>ok</c>, <c>missing (EPERM)</c>, <c>error</c>.</summary>
    public string StateText
    {
        get
        {
            string state = State switch
            {
                FeatureState.Ok => "ok",
                FeatureState.Missing => "missing",
                _ => "error",
            };
            return Errno is { } errno ? $"{state} ({errno})" : state;
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Name}: {StateText} — {Detail}";
}
