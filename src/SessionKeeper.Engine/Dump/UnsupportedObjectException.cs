namespace SessionKeeper.Engine.Dump;

/// <summary>
/// The tree holds a kernel object the engine cannot save yet (a socket, a pipe, a pty, an
/// epoll instance, a SysV shm mapping …). Thrown before anything is written, so the tree is
/// released untouched and no partial snapshot exists.
/// </summary>
public sealed class UnsupportedObjectException : Exception
{
    /// <summary>Creates the exception for an object of <paramref name="pid"/>.</summary>
    /// <param name="pid">The process holding the object.</param>
    /// <param name="fd">The descriptor it is open as, or null for objects that are not fds (mappings, seccomp filters).</param>
    /// <param name="kind">What the object is, e.g. <c>socket</c>, <c>pipe</c>, <c>anon_inode:[eventfd]</c>.</param>
    /// <param name="detail">What names it, e.g. the /proc/PID/fd link text or the mapping's address range.</param>
    public UnsupportedObjectException(int pid, int? fd, string kind, string? detail = null)
        : base(Format(pid, fd, kind, detail))
    {
        Pid = pid;
        Fd = fd;
        Kind = kind;
        Detail = detail;
    }

    /// <summary>The process holding the object.</summary>
    public int Pid { get; }

    /// <summary>The descriptor number, or null when the object is not an fd.</summary>
    public int? Fd { get; }

    /// <summary>The kind of object.</summary>
    public string Kind { get; }

    /// <summary>The link text or address range that names the object, if any.</summary>
    public string? Detail { get; }

    private static string Format(int pid, int? fd, string kind, string? detail)
    {
        string where = fd is int n ? $"pid {pid} fd {n}" : $"pid {pid}";
        string what = detail is null ? kind : $"{kind} ({detail})";
        return $"{where}: {what} cannot be saved yet";
    }
}
