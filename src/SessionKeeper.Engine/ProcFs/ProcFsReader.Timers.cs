namespace SessionKeeper.Engine.ProcFs;

/// <summary>How a POSIX timer notifies (struct sigevent sigev_notify, without SIGEV_THREAD_ID).</summary>
public enum TimerNotify
{
    /// <summary>SIGEV_SIGNAL: a signal to the process (or to one thread, see <see cref="PosixTimer.NotifiesThread"/>).</summary>
    Signal,
    /// <summary>SIGEV_NONE: no notification; the timer is only polled.</summary>
    None,
    /// <summary>SIGEV_THREAD: glibc turns this into SIGEV_THREAD_ID to its helper thread.</summary>
    Thread,
    /// <summary>A word this reader does not know.</summary>
    Unknown,
}

/// <summary>One POSIX timer of /proc/PID/timers (kernel/time/posix-timers.c show_timer).</summary>
/// <param name="Id">ID: the timer id timer_create returned; the restore must get the same one.</param>
/// <param name="Signal">signal: the signal number sent on expiry.</param>
/// <param name="SigevValue">the sigev_value pointer printed after the signal, handed back in siginfo.</param>
/// <param name="Notify">notify: the notification kind.</param>
/// <param name="NotifiesThread">The notification goes to one thread ("tid"), not the process ("pid") — SIGEV_THREAD_ID.</param>
/// <param name="NotifyPid">The pid or tid notified.</param>
/// <param name="ClockId">ClockID: CLOCK_* of the timer.</param>
public sealed record PosixTimer(int Id, int Signal, ulong SigevValue, TimerNotify Notify, bool NotifiesThread, int NotifyPid, int ClockId);

public static partial class ProcFsReader
{
    /// <summary>Reads /proc/PID/timers; false when the process is gone. The timers' times come from an injected timer_gettime.</summary>
    public static bool TryReadTimers(int pid, out List<PosixTimer> timers)
        => TryParseFile(ProcPath(pid, "timers"), static text => ParseTimers(text), out timers!);

    /// <summary>Parses /proc/PID/timers: blocks of ID, signal, notify and ClockID lines.</summary>
    public static List<PosixTimer> ParseTimers(ReadOnlySpan<char> text)
    {
        var timers = new List<PosixTimer>();
        int id = 0, signal = 0, notifyPid = 0, clockId = 0;
        ulong value = 0;
        TimerNotify notify = TimerNotify.Unknown;
        bool toThread = false;
        bool open = false;
        while (ProcText.NextLine(ref text, out ReadOnlySpan<char> line))
        {
            if (!ProcText.SplitKeyValue(line, out ReadOnlySpan<char> key, out ReadOnlySpan<char> rest))
            {
                continue;
            }
            switch (key)
            {
                case "ID":
                    if (open)
                    {
                        timers.Add(new PosixTimer(id, signal, value, notify, toThread, notifyPid, clockId));
                    }
                    open = true;
                    id = ProcText.Int(rest, "timers ID");
                    (signal, value, notify, toThread, notifyPid, clockId) = (0, 0, TimerNotify.Unknown, false, 0, 0);
                    break;
                case "signal":
                    // "32/00007f3c5a7fe6c0": the number, then sigev_value as %px (hex, no 0x).
                    int slash = rest.IndexOf('/');
                    signal = ProcText.Int(slash < 0 ? rest : rest[..slash], "timers signal");
                    value = slash < 0 ? 0 : ProcText.Hex(rest[(slash + 1)..], "timers signal value");
                    break;
                case "notify":
                    // "thread/tid.11827", "signal/pid.4242", "none/pid.4242".
                    int sep = rest.IndexOf('/');
                    int dot = rest.LastIndexOf('.');
                    if (sep < 0 || dot < sep)
                    {
                        throw ProcText.Bad("timers notify", rest);
                    }
                    notify = rest[..sep] switch
                    {
                        "signal" => TimerNotify.Signal,
                        "none" => TimerNotify.None,
                        "thread" => TimerNotify.Thread,
                        _ => TimerNotify.Unknown,
                    };
                    toThread = rest[(sep + 1)..dot] is "tid";
                    notifyPid = ProcText.Int(rest[(dot + 1)..], "timers notify pid");
                    break;
                case "ClockID":
                    clockId = ProcText.Int(rest, "timers ClockID");
                    break;
                default:
                    break;
            }
        }
        if (open)
        {
            timers.Add(new PosixTimer(id, signal, value, notify, toThread, notifyPid, clockId));
        }
        return timers;
    }
}
