using System.Globalization;
using System.Text;
using SessionKeeper.Native;

namespace SessionKeeper.Engine;

/// <summary>
/// Probes of keeper's own privileges and of machine-wide facilities: capabilities, TCP repair
/// mode, nftables, the pid and SysV shm id sysctls.
/// </summary>
internal static class HostProbes
{
    /// <summary>Capability numbers (linux/capability.h).</summary>
    public const int CapNetAdmin = 12;

    /// <summary>CAP_SYS_PTRACE</summary>
    public const int CapSysPtrace = 19;

    /// <summary>CAP_SYS_ADMIN</summary>
    public const int CapSysAdmin = 21;

    /// <summary>CAP_SYS_RESOURCE</summary>
    public const int CapSysResource = 24;

    /// <summary>CAP_CHECKPOINT_RESTORE (kernel 5.9+)</summary>
    public const int CapCheckpointRestore = 40;

    /// <summary>
    /// One capability in keeper's effective set (/proc/self/status CapEff). When it is missing
    /// the bounding set tells whether running as root would help.
    /// </summary>
    public static Func<ProbeContext, ProbeOutcome> Capability(int number, string name, string missingMeans) => _ =>
    {
        (ulong effective, ulong bounding) = CapabilitySets();
        ulong bit = 1UL << number;
        if ((effective & bit) != 0)
        {
            return ProbeOutcome.Ok($"{name} ({number}) is in keeper's effective set");
        }
        string why = (bounding & bit) == 0
            ? "it is not even in the bounding set, so no process here can have it (dropped by the container or VM)"
            : "run keeper as root or give it the capability";
        return ProbeOutcome.Missing($"{name} ({number}) is not in keeper's effective set: {why}; {missingMeans}");
    };

    private static (ulong Effective, ulong Bounding) CapabilitySets()
    {
        ulong effective = 0;
        ulong bounding = 0;
        foreach (string line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("CapEff:", StringComparison.Ordinal))
            {
                effective = ulong.Parse(line.AsSpan(7).Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            }
            else if (line.StartsWith("CapBnd:", StringComparison.Ordinal))
            {
                bounding = ulong.Parse(line.AsSpan(7).Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            }
        }
        return (effective, bounding);
    }

    /// <summary>setsockopt(TCP_REPAIR, 1) on a fresh TCP socket (needs CAP_NET_ADMIN in its network namespace).</summary>
    public static ProbeOutcome TcpRepair(ProbeContext context)
    {
        using SafeFd socket = Interop.Socket(SocketFamily.AF_INET, SocketKind.SOCK_STREAM);
        Interop.SetSockOpt(socket, TcpOption.TCP_REPAIR, (int)TcpRepairMode.TCP_REPAIR_ON);
        int mode = Interop.GetSockOpt(socket, TcpOption.TCP_REPAIR);
        return mode == (int)TcpRepairMode.TCP_REPAIR_ON
            ? ProbeOutcome.Ok("a TCP socket accepted TCP_REPAIR on")
            : ProbeOutcome.Error($"TCP_REPAIR was set, but getsockopt reads {mode}");
    }

    /// <summary>
    /// The network lock of TCP dumps, for real: stale locks of keepers that were killed are
    /// removed first, then a lock on a connection no one uses (127.0.0.1 port 9, discard, to
    /// itself) is set, seen among nft's tables, and released.
    /// </summary>
    public static ProbeOutcome Nftables(ProbeContext context)
    {
        if (FindExecutable("nft") is null)
        {
            return ProbeOutcome.Missing("no nft binary in PATH, /usr/sbin or /sbin (Debian: apt install nftables)");
        }
        IReadOnlyList<string> stale;
        string table;
        try
        {
            stale = Kinds.Tcp.NetworkLock.RemoveStale(orphanTables: true);
            var discard = new Kinds.Tcp.InetEndpoint(SocketFamily.AF_INET, [127, 0, 0, 1], 9);
            using Kinds.Tcp.NetworkLock probe = Kinds.Tcp.NetworkLock.Lock([new Kinds.Tcp.LockedConnection(discard, discard)]);
            table = probe.Table!;
            if (!Kinds.Tcp.NetworkLock.ListTables(null).Contains(table))
            {
                return ProbeOutcome.Error($"nft accepted the lock table inet {table} but does not list it");
            }
        }
        catch (Kinds.Tcp.NetworkLockException e)
        {
            return ProbeOutcome.Missing(e.Message);
        }
        if (Kinds.Tcp.NetworkLock.ListTables(null).Contains(table))
        {
            return ProbeOutcome.Error($"the lock table inet {table} is still there after its release; remove it by hand");
        }
        string cleaned = stale.Count == 0 ? "" : $"; {string.Join("; ", stale)}";
        return ProbeOutcome.Ok($"network lock usable: set and released table inet {table}{cleaned}");
    }

    private static string? FindExecutable(string name)
    {
        // keeper may run with a user's PATH that lacks the sbin directories where nft lives.
        IEnumerable<string> directories = (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/sbin", "/sbin"]);
        return directories.Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);
    }

    /// <summary>
    /// /proc/sys/kernel/ns_last_pid: written back with the value just read. The kernel checks
    /// CAP_CHECKPOINT_RESTORE at write time, not at open, so only a write proves anything. The
    /// write is harmless: should a fork slip in between, the next pid search merely starts a
    /// little lower and skips pids in use.
    /// </summary>
    public static ProbeOutcome NsLastPid(ProbeContext context)
    {
        const string path = "/proc/sys/kernel/ns_last_pid";
        long value = ProbeProcFs.ReadNumber(path);
        WriteSysctl(path, value);
        return ProbeOutcome.Ok($"{path} accepted its own value {value} back");
    }

    /// <summary>
    /// /proc/sys/kernel/shm_next_id. Since kernel 5.19 the capability is checked when the file
    /// is opened for writing (its mode reads 0444 to whoever lacks CAP_CHECKPOINT_RESTORE);
    /// before, at write time. So the probe opens it for writing and writes -1, the "no request"
    /// value it holds normally: the kernel checks the capability first and then refuses -1 with
    /// EINVAL (the range is 0..INT_MAX), so the value never changes. Any other value belongs to
    /// a restore running right now and is left alone: then only the open is tried.
    /// </summary>
    public static ProbeOutcome ShmNextId(ProbeContext context)
    {
        const string path = "/proc/sys/kernel/shm_next_id";
        long value = ProbeProcFs.ReadNumber(path);
        using SafeFd file = Interop.Open(path, OpenFlags.O_WRONLY);
        if (value != -1)
        {
            return ProbeOutcome.Ok($"{path} holds {value} (a restore in progress?): opened for writing, not written");
        }
        try
        {
            Interop.WriteAll(file, "-1"u8);
        }
        catch (ErrnoException e) when (e.Errno == Errno.EINVAL)
        {
            return ProbeOutcome.Ok($"{path} opens for writing and passes the permission check (-1 is then refused as out of range, as intended)");
        }
        return ProbeOutcome.Ok($"{path} accepted -1 back");
    }

    private static void WriteSysctl(string path, long value)
    {
        using SafeFd file = Interop.Open(path, OpenFlags.O_WRONLY);
        Interop.WriteAll(file, Encoding.ASCII.GetBytes(value.ToString(CultureInfo.InvariantCulture)));
    }
}
