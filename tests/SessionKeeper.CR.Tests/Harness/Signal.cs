using SessionKeeper.Native;

namespace SessionKeeper.CR.Tests.Harness;

/// <summary>The two signals the harness sends.</summary>
internal static class Signal
{
    // signal(7), x86-64.
    private const int SigKill = 9;
    private const int SigTerm = 15;

    /// <summary>SIGKILL; false if the process was gone.</summary>
    public static bool Kill(int pid) => Interop.TryKill(pid, SigKill);

    /// <summary>SIGTERM, the protocol's "check now"; false if the process was gone.</summary>
    public static bool Terminate(int pid) => Interop.TryKill(pid, SigTerm);
}
