using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;

namespace SessionKeeper.Native;

/// <summary>
/// A system call failed. Carries the errno, the call and the object it concerned (pid, path,
/// fd), so that a message reads "ptrace(PTRACE_SEIZE) on pid 4242 (vim): EPERM — is another
/// tracer attached?".
/// </summary>
public sealed class ErrnoException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="errno">The errno the call returned.</param>
    /// <param name="call">The system call, with its request where that matters: <c>ptrace(PTRACE_SEIZE)</c>.</param>
    /// <param name="target">What it concerned: <c>pid 4242 (vim)</c>, <c>/dev/ptmx</c>; may be null.</param>
    /// <param name="hint">A short suggestion for the user; may be null.</param>
    public ErrnoException(Errno errno, string call, string? target = null, string? hint = null)
        : base(Format(errno, call, target, hint))
    {
        Errno = errno;
        Call = call;
        Target = target;
        Hint = hint;
    }

    /// <summary>The errno value.</summary>
    public Errno Errno { get; }

    /// <summary>The failing call, e.g. <c>ptrace(PTRACE_SEIZE)</c>.</summary>
    public string Call { get; }

    /// <summary>What the call concerned, if known.</summary>
    public string? Target { get; }

    /// <summary>A hint for the user, if any.</summary>
    public string? Hint { get; }

    /// <summary>Reads errno of the last P/Invoke declared with SetLastError and throws.</summary>
    [DoesNotReturn]
    public static void ThrowLast(string call, string? target = null, string? hint = null)
        => throw new ErrnoException(LastErrno, call, target, hint);

    /// <summary>Throws for an explicit errno (e.g. from a raw syscall's negative return).</summary>
    [DoesNotReturn]
    public static void Throw(Errno errno, string call, string? target = null, string? hint = null)
        => throw new ErrnoException(errno, call, target, hint);

    /// <summary>The errno of the last P/Invoke declared with SetLastError.</summary>
    public static Errno LastErrno => (Errno)Marshal.GetLastPInvokeError();

    private static string Format(Errno errno, string call, string? target, string? hint)
    {
        var text = target is null ? $"{call}: {errno}" : $"{call} on {target}: {errno}";
        string description = Marshal.GetPInvokeErrorMessage((int)errno);
        if (!string.IsNullOrEmpty(description) && errno > 0 && (int)errno < 512)
        {
            text += $" ({description})";
        }
        return hint is null ? text : $"{text} — {hint}";
    }
}
