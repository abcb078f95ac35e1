using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using SessionKeeper.Native;

namespace SessionKeeper.Engine.ProcFs;

public static partial class ProcFsReader
{
    /// <summary>
    /// Lists /proc/PID/fd with each link's target, sorted by fd; false when the process is gone.
    /// A descriptor closed between the listing and its readlink is left out.
    /// </summary>
    public static bool TryReadFds(int pid, out List<FdEntry> fds)
    {
        fds = [];
        if (!TryListNumericEntries(ProcPath(pid, "fd"), out List<int>? numbers))
        {
            return false;
        }
        foreach (int fd in numbers)
        {
            string? target = TryReadLink($"/proc/{pid}/fd/{fd}");
            if (target is not null)
            {
                fds.Add(ClassifyFdTarget(fd, target));
            }
        }
        return true;
    }

    /// <summary>Lists the thread ids of /proc/PID/task, sorted; false when the process is gone.</summary>
    public static bool TryReadTaskIds(int pid, out List<int> tids)
    {
        bool found = TryListNumericEntries(ProcPath(pid, "task"), out List<int>? list);
        tids = list ?? [];
        return found;
    }

    /// <summary>Classifies a /proc/PID/fd/N link text.</summary>
    public static FdEntry ClassifyFdTarget(int fd, string target)
    {
        ReadOnlySpan<char> text = target;
        if (text.StartsWith('/'))
        {
            bool deleted = text.EndsWith(DeletedSuffix, StringComparison.Ordinal);
            ReadOnlySpan<char> path = deleted ? text[..^DeletedSuffix.Length] : text;
            FdTargetKind kind = path switch
            {
                "/dev/ptmx" or "/dev/pts/ptmx" => FdTargetKind.PtyMaster,
                _ when path.StartsWith("/dev/pts/", StringComparison.Ordinal) && IsDigits(path["/dev/pts/".Length..]) => FdTargetKind.PtySlave,
                _ when deleted && path.StartsWith("/memfd:", StringComparison.Ordinal) => FdTargetKind.Memfd,
                _ => FdTargetKind.Path,
            };
            return new FdEntry(fd, target, kind, 0, deleted ? path.ToString() : target, deleted);
        }
        if (text.StartsWith("anon_inode:", StringComparison.Ordinal))
        {
            FdTargetKind kind = text["anon_inode:".Length..] switch
            {
                "[eventpoll]" => FdTargetKind.Epoll,
                "[eventfd]" => FdTargetKind.Eventfd,
                "[signalfd]" => FdTargetKind.Signalfd,
                "[timerfd]" => FdTargetKind.Timerfd,
                "inotify" => FdTargetKind.Inotify,
                "[fanotify]" => FdTargetKind.Fanotify,
                "[pidfd]" => FdTargetKind.Pidfd,
                "[io_uring]" => FdTargetKind.IoUring,
                "[userfaultfd]" => FdTargetKind.Userfaultfd,
                _ => FdTargetKind.OtherAnonInode,
            };
            return new FdEntry(fd, target, kind, 0, null, false);
        }
        // "type:[inode]": sockets, pipes and namespace files (nsfs d_dname).
        int open = text.IndexOf(":[", StringComparison.Ordinal);
        if (open > 0 && text.EndsWith(']')
            && ulong.TryParse(text[(open + 2)..^1], NumberStyles.None, CultureInfo.InvariantCulture, out ulong inode))
        {
            FdTargetKind kind = text[..open] switch
            {
                "socket" => FdTargetKind.Socket,
                "pipe" => FdTargetKind.Pipe,
                "net" or "mnt" or "pid" or "uts" or "ipc" or "user" or "cgroup" or "time" or "pid_for_children" or "time_for_children" => FdTargetKind.Namespace,
                _ => FdTargetKind.Unknown,
            };
            return new FdEntry(fd, target, kind, inode, null, false);
        }
        return new FdEntry(fd, target, FdTargetKind.Unknown, 0, null, false);
    }

    private static bool IsDigits(ReadOnlySpan<char> text) => !text.IsEmpty && !text.ContainsAnyExceptInRange('0', '9');

    /// <summary>The numeric names in a /proc directory (fd numbers, thread ids), sorted; false when the directory is gone.</summary>
    private static bool TryListNumericEntries(string directory, [NotNullWhen(true)] out List<int>? numbers)
    {
        var list = new List<int>();
        if (!Interop.TryListNumericEntries(directory, list))
        {
            numbers = null;
            return false;
        }
        list.Sort();
        numbers = list;
        return true;
    }
}
