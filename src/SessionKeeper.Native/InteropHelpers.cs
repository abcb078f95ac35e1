using System.Text;

namespace SessionKeeper.Native;

/// <summary>Shared pieces of the wrappers: EINTR detection, descriptor adoption, C strings.</summary>
internal static class InteropHelpers
{
    /// <summary>
    /// True when a call that returns -1 on failure failed with EINTR and should simply be
    /// issued again; false on success and on every other error.
    /// </summary>
    public static bool Interrupted(long result) => result < 0 && ErrnoException.LastErrno == Errno.EINTR;

    /// <summary>
    /// Completes a descriptor-creating call whose <see cref="SafeFd"/> was allocated before
    /// it: attaches the new number, or disposes the empty handle and throws the call's errno.
    /// </summary>
    public static SafeFd Adopt(SafeFd handle, long result, string call, string? target)
    {
        if (result < 0)
        {
            Errno errno = ErrnoException.LastErrno;
            handle.Dispose();
            ErrnoException.Throw(errno, call, target);
        }
        handle.Attach(result);
        return handle;
    }

    /// <summary>Like <see cref="Adopt"/>, but returns null for the listed "already gone" errnos.</summary>
    public static SafeFd? TryAdopt(SafeFd handle, long result, string call, string? target, Errno gone1, Errno gone2 = Errno.None)
    {
        if (result >= 0)
        {
            handle.Attach(result);
            return handle;
        }
        Errno errno = ErrnoException.LastErrno;
        handle.Dispose();
        if (errno == gone1 || (gone2 != Errno.None && errno == gone2))
        {
            return null;
        }
        throw new ErrnoException(errno, call, target);
    }

    /// <summary>A NUL-terminated UTF-8 copy of a path; rejects embedded NULs, which C would silently cut at.</summary>
    public static byte[] CString(string value)
    {
        if (value.Contains('\0'))
        {
            throw new ArgumentException($"path contains a NUL character: {value.Replace("\0", "\\0")}", nameof(value));
        }
        var bytes = new byte[Encoding.UTF8.GetByteCount(value) + 1];
        Encoding.UTF8.GetBytes(value, bytes);
        return bytes;
    }

    /// <summary>The target text for a descriptor in messages: <c>fd 7</c>.</summary>
    public static string FdTarget(SafeFd fd) => $"fd {fd.Fd}";
}
