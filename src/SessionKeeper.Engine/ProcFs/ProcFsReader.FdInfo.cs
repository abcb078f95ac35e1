namespace SessionKeeper.Engine.ProcFs;

public static partial class ProcFsReader
{
    /// <summary>Reads /proc/PID/fdinfo/FD; false when the process is gone or the fd is closed.</summary>
    public static bool TryReadFdInfo(int pid, int fd, out FdInfo info)
        => TryParseFile($"/proc/{pid}/fdinfo/{fd}", static text => ParseFdInfo(text), out info!);

    /// <summary>Parses the text of an fdinfo file.</summary>
    public static FdInfo ParseFdInfo(ReadOnlySpan<char> text)
    {
        var info = new FdInfo();
        ulong eventfdCount = 0;
        int eventfdId = -1;
        bool? eventfdSemaphore = null;
        bool isEventfd = false;
        TimerfdBuilder timerfd = default;
        while (ProcText.NextLine(ref text, out ReadOnlySpan<char> line))
        {
            if (line.StartsWith("tfd:", StringComparison.Ordinal))
            {
                (info.EpollTargets ??= []).Add(ParseEpollTarget(line));
                continue;
            }
            if (line.StartsWith("inotify ", StringComparison.Ordinal))
            {
                (info.InotifyWatches ??= []).Add(ParseInotifyWatch(line["inotify ".Length..]));
                continue;
            }
            if (!ProcText.SplitKeyValue(line, out ReadOnlySpan<char> key, out ReadOnlySpan<char> value))
            {
                continue;
            }
            switch (key)
            {
                case "pos": info.Pos = ProcText.SignedDec(value, "fdinfo pos"); break;
                case "flags": info.Flags = (uint)ProcText.Octal(value, "fdinfo flags"); break;
                case "mnt_id": info.MntId = ProcText.Int(value, "fdinfo mnt_id"); break;
                case "ino": info.Ino = ProcText.Dec(value, "fdinfo ino"); break;
                case "eventfd-count": isEventfd = true; eventfdCount = ProcText.Hex(value, "fdinfo eventfd-count"); break;
                case "eventfd-id": eventfdId = ProcText.Int(value, "fdinfo eventfd-id"); break;
                case "eventfd-semaphore": eventfdSemaphore = value is "1"; break;
                case "sigmask": info.Signalfd = new SignalfdInfo(ProcText.Hex(value, "fdinfo sigmask")); break;
                case "clockid": timerfd.Seen = true; timerfd.ClockId = ProcText.Int(value, "fdinfo clockid"); break;
                case "ticks": timerfd.Ticks = ProcText.Dec(value, "fdinfo ticks"); break;
                case "settime flags": timerfd.SettimeFlags = (uint)ProcText.Octal(value, "fdinfo settime flags"); break;
                case "it_value": (timerfd.ValueSec, timerfd.ValueNsec) = ParseTimespecPair(value, "fdinfo it_value"); break;
                case "it_interval": (timerfd.IntervalSec, timerfd.IntervalNsec) = ParseTimespecPair(value, "fdinfo it_interval"); break;
                case "tty-index": info.TtyIndex = ProcText.Int(value, "fdinfo tty-index"); break;
                case "lock": (info.Locks ??= []).Add(value.ToString()); break;
                default: break;
            }
        }
        if (isEventfd)
        {
            info.Eventfd = new EventfdInfo(eventfdCount, eventfdId, eventfdSemaphore);
        }
        if (timerfd.Seen)
        {
            info.Timerfd = new TimerfdInfo(timerfd.ClockId, timerfd.Ticks, timerfd.SettimeFlags,
                timerfd.ValueSec, timerfd.ValueNsec, timerfd.IntervalSec, timerfd.IntervalNsec);
        }
        return info;
    }

    /// <summary>"tfd:        5 events: 80000019 data:                5  pos:0 ino:2b362 sdev:f" (fs/eventpoll.c).</summary>
    private static EpollTarget ParseEpollTarget(ReadOnlySpan<char> line)
    {
        int fd = -1;
        uint events = 0;
        ulong data = 0;
        long pos = 0;
        ulong ino = 0;
        uint sdev = 0;
        while (NextLabelledField(ref line, out ReadOnlySpan<char> key, out ReadOnlySpan<char> value))
        {
            switch (key)
            {
                case "tfd": fd = ProcText.Int(value, "epoll tfd"); break;
                case "events": events = (uint)ProcText.Hex(value, "epoll events"); break;
                case "data": data = ProcText.Hex(value, "epoll data"); break;
                case "pos": pos = ProcText.SignedDec(value, "epoll pos"); break;
                case "ino": ino = ProcText.Hex(value, "epoll ino"); break;
                case "sdev": sdev = (uint)ProcText.Hex(value, "epoll sdev"); break;
                default: break;
            }
        }
        return new EpollTarget(fd, events, data, pos, ino, sdev);
    }

    /// <summary>"wd:1 ino:2b362 sdev:f mask:fce ignored_mask:0 fhandle-bytes:8 fhandle-type:1 f_handle:62b3…" (fs/notify/fdinfo.c); all hex.</summary>
    private static InotifyWatch ParseInotifyWatch(ReadOnlySpan<char> line)
    {
        int wd = 0;
        ulong ino = 0;
        uint sdev = 0;
        uint mask = 0;
        uint ignored = 0;
        int handleType = -1;
        byte[] handle = [];
        while (NextLabelledField(ref line, out ReadOnlySpan<char> key, out ReadOnlySpan<char> value))
        {
            switch (key)
            {
                case "wd": wd = (int)ProcText.Hex(value, "inotify wd"); break;
                case "ino": ino = ProcText.Hex(value, "inotify ino"); break;
                case "sdev": sdev = (uint)ProcText.Hex(value, "inotify sdev"); break;
                case "mask": mask = (uint)ProcText.Hex(value, "inotify mask"); break;
                case "ignored_mask": ignored = (uint)ProcText.Hex(value, "inotify ignored_mask"); break;
                case "fhandle-type": handleType = (int)ProcText.Hex(value, "inotify fhandle-type"); break;
                case "f_handle": handle = Convert.FromHexString(value); break;
                default: break;
            }
        }
        return new InotifyWatch(wd, ino, sdev, mask, ignored, handleType, handle);
    }

    /// <summary>
    /// Cuts the next "label:value" or "label: value" off a line. The epoll line pads values
    /// after "label: " with spaces, and writes other values straight after the colon.
    /// </summary>
    private static bool NextLabelledField(ref ReadOnlySpan<char> line, out ReadOnlySpan<char> key, out ReadOnlySpan<char> value)
    {
        ReadOnlySpan<char> token = ProcText.NextToken(ref line);
        int colon = token.IndexOf(':');
        if (token.IsEmpty || colon < 0)
        {
            key = default;
            value = default;
            return !token.IsEmpty && NextLabelledField(ref line, out key, out value);
        }
        key = token[..colon];
        value = token[(colon + 1)..];
        if (value.IsEmpty)
        {
            value = ProcText.NextToken(ref line);
        }
        return true;
    }

    /// <summary>"(12, 345)" of the timerfd it_value and it_interval lines.</summary>
    private static (ulong Seconds, ulong Nanoseconds) ParseTimespecPair(ReadOnlySpan<char> value, string what)
    {
        value = value.Trim("() ");
        int comma = value.IndexOf(',');
        if (comma < 0)
        {
            throw ProcText.Bad(what, value);
        }
        return (ProcText.Dec(value[..comma].Trim(' '), what), ProcText.Dec(value[(comma + 1)..].Trim(' '), what));
    }

    private struct TimerfdBuilder
    {
        public bool Seen;
        public int ClockId;
        public ulong Ticks;
        public uint SettimeFlags;
        public ulong ValueSec;
        public ulong ValueNsec;
        public ulong IntervalSec;
        public ulong IntervalNsec;
    }
}
