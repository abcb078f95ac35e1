namespace SessionKeeper.Engine.ProcFs;

/// <summary>One line of /proc/PID/limits.</summary>
/// <param name="Resource">The RLIMIT_* number (0 = RLIMIT_CPU … 15 = RLIMIT_RTTIME).</param>
/// <param name="Name">The kernel's text name ("Max open files").</param>
/// <param name="Soft">The soft limit; "unlimited" (RLIM_INFINITY) is <see cref="ulong.MaxValue"/>.</param>
/// <param name="Hard">The hard limit; "unlimited" is <see cref="ulong.MaxValue"/>.</param>
/// <param name="Units">The unit column ("seconds", "bytes", …), empty for the two priority limits.</param>
public sealed record ResourceLimit(int Resource, string Name, ulong Soft, ulong Hard, string Units)
{
    /// <summary>RLIM_INFINITY as the kernel stores it.</summary>
    public const ulong Unlimited = ulong.MaxValue;
}
