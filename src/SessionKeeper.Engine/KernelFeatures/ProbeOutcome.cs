using SessionKeeper.Native;

namespace SessionKeeper.Engine;

/// <summary>What a probe method returns; the runner adds name, importance and timing.</summary>
internal readonly record struct ProbeOutcome(FeatureState State, string Detail, Errno? Errno = null)
{
    public static ProbeOutcome Ok(string detail) => new(FeatureState.Ok, detail);

    public static ProbeOutcome Missing(string detail, Errno? errno = null) => new(FeatureState.Missing, detail, errno);

    public static ProbeOutcome Error(string detail, Errno? errno = null) => new(FeatureState.Error, detail, errno);

    /// <summary>
    /// Classifies an exception a probe threw. Errnos by which the kernel says "not supported"
    /// or "not allowed" mean the feature is missing; ptrace answers an unknown request with
    /// EIO, prctl and arch_prctl an unknown option with EINVAL. Anything else is a failure of
    /// the probe, and the feature's state stays unknown.
    /// </summary>
    public static ProbeOutcome FromException(Exception e) => e switch
    {
        ErrnoException { Errno: Native.Errno.ENOSYS or Native.Errno.EPERM or Native.Errno.EACCES or Native.Errno.EINVAL
            or Native.Errno.EIO or Native.Errno.EOPNOTSUPP or Native.Errno.ENOPROTOOPT } x => Missing(x.Message, x.Errno),
        ErrnoException x => Error(x.Message, x.Errno),
        _ => Error($"{e.Message} [{e.GetType().Name}]"),
    };
}

/// <summary>One probe: its identity and the method that runs it.</summary>
internal sealed record ProbeDefinition(string Name, FeatureImportance Importance, string Enables, Func<ProbeContext, ProbeOutcome> Run);
