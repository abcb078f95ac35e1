using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using SessionKeeper.Engine.ProcFs;
using SessionKeeper.Native;

namespace SessionKeeper.Engine.Kinds.Tcp;

/// <summary>One locked connection: the tree's end and the peer's end.</summary>
/// <param name="Local">The address and port of the socket in the tree.</param>
/// <param name="Remote">The peer's address and port.</param>
public sealed record LockedConnection(InetEndpoint Local, InetEndpoint Remote);

/// <summary>
/// The network lock of TCP checkpoints (DESIGN.md §6): nftables rules that drop every packet of
/// the locked connections in both directions, so that a peer's segments are lost (and sent
/// again later) instead of being answered with a reset while the socket is in repair mode,
/// closed, or not restored yet.
/// </summary>
/// <remarks>
/// Each lock is a table of its own in the <c>inet</c> family, with an input and an output
/// chain at raw priority (before connection tracking), removed as a whole. A state file per
/// lock under <see cref="StateDirectory"/>, written before the rules and removed after them,
/// says who owns it: a running keeper (pid and start time), or, after a dump that ended its
/// tree, the image directory, whose restore releases it. Every dump, restore and check first
/// removes locks whose keeper died (SIGKILL) and held locks whose images are gone
/// (<see cref="RemoveStale"/>).
/// </remarks>
public sealed class NetworkLock : IDisposable
{
    private const string TablePrefix = "keeper_";
    private const string HeldPrefix = "keeper_held_";

    private readonly int? _namespacePid;
    private string? _table;

    private NetworkLock(string table, int? namespacePid, IReadOnlyList<LockedConnection> connections)
    {
        _table = table;
        _namespacePid = namespacePid;
        Connections = connections;
    }

    /// <summary>Where the state files of the locks live.</summary>
    public static string StateDirectory { get; } = "/run/keeper/netlock";

    /// <summary>A process in the network namespace the rules are in, or null for keeper's own.</summary>
    public int? NamespacePid => _namespacePid;

    /// <summary>The connections this lock holds.</summary>
    public IReadOnlyList<LockedConnection> Connections { get; }

    /// <summary>The nftables table of this lock, or null once released or handed over.</summary>
    public string? Table => _table;

    /// <summary>
    /// Drops the packets of <paramref name="connections"/> from now on, in the network namespace
    /// of <paramref name="namespacePid"/> (null: keeper's own).
    /// </summary>
    /// <exception cref="NetworkLockException">nft failed; nothing stays locked.</exception>
    public static NetworkLock Lock(IReadOnlyList<LockedConnection> connections, int? namespacePid = null)
    {
        ulong start = ProcFsReader.TryReadStat(Environment.ProcessId, out ProcStat self) ? self.StartTime : 0;
        string table = string.Create(CultureInfo.InvariantCulture, $"{TablePrefix}{Environment.ProcessId}_{start}_{Interlocked.Increment(ref s_count)}");
        string owner = string.Create(CultureInfo.InvariantCulture, $"pid {Environment.ProcessId} {start}") + (namespacePid is int pid ? $"\nnetns {pid}" : "");
        WriteState(table, owner);
        try
        {
            RunNft(Script(table, connections), namespacePid);
        }
        catch
        {
            File.Delete(StatePath(table));
            throw;
        }
        return new NetworkLock(table, namespacePid, connections);
    }

    private static int s_count;

    /// <summary>
    /// Keeps the connections locked after keeper exits, owned by the images in
    /// <paramref name="imageDirectory"/>: their restore releases the lock. Replaces this lock's
    /// rules in one nft transaction, so no packet slips through in between.
    /// </summary>
    public void HandOver(string imageDirectory)
    {
        if (_table is null)
        {
            return;
        }
        string path = Path.GetFullPath(imageDirectory);
        string held = HeldTable(path);
        WriteState(held, $"images {path}");
        // A lock left by an earlier dump into the same directory is replaced.
        string script = (ListTables(null).Contains(held) ? $"delete table inet {held}\n" : "")
            + Script(held, Connections) + $"delete table inet {_table}\n";
        RunNft(script, _namespacePid);
        File.Delete(StatePath(_table));
        _table = null;
    }

    /// <summary>Removes the rules; the connections' packets flow again.</summary>
    public void Release()
    {
        if (_table is null)
        {
            return;
        }
        string table = _table;
        _table = null;
        Delete(table, _namespacePid);
    }

    /// <inheritdoc/>
    public void Dispose() => Release();

    /// <summary>Whether a lock handed over by a dump into <paramref name="imageDirectory"/> is in place.</summary>
    public static bool IsHeld(string imageDirectory) => FindHeld(imageDirectory) is not null;

    /// <summary>
    /// The images of a held lock moved from <paramref name="from"/> to <paramref name="to"/>
    /// (the snapshot store commits a dump by renaming its directory): the lock now belongs to
    /// <paramref name="to"/>. False when <paramref name="from"/> had none.
    /// </summary>
    public static bool MoveHeld(string from, string to)
    {
        if (FindHeld(from) is not string table)
        {
            return false;
        }
        WriteState(table, $"images {Path.GetFullPath(to)}");
        return true;
    }

    /// <summary>The table of the lock held for <paramref name="imageDirectory"/>: named after the directory it was handed to, or moved there since.</summary>
    private static string? FindHeld(string imageDirectory)
    {
        string path = Path.GetFullPath(imageDirectory);
        string named = HeldTable(path);
        if (File.Exists(StatePath(named)) && File.ReadLines(StatePath(named)).FirstOrDefault() == $"images {path}")
        {
            return named;
        }
        if (!Directory.Exists(StateDirectory))
        {
            return null;
        }
        return Directory.EnumerateFiles(StateDirectory, HeldPrefix + "*")
            .Where(file => !file.EndsWith(".tmp", StringComparison.Ordinal))
            .FirstOrDefault(file => File.ReadLines(file).FirstOrDefault() == $"images {path}") is string found ? Path.GetFileName(found) : null;
    }

    /// <summary>Releases the lock a dump into <paramref name="imageDirectory"/> handed over; false when there was none.</summary>
    public static bool ReleaseHeld(string imageDirectory)
    {
        if (FindHeld(imageDirectory) is not string table)
        {
            return false;
        }
        Delete(table, null);
        return true;
    }

    /// <summary>
    /// Removes the locks of keeper processes that are gone (killed in the middle of a dump or
    /// restore) and held locks whose image directory no longer has an inventory; with
    /// <paramref name="orphanTables"/> also keeper tables that no state file explains (asking
    /// nft, which dumps and restores skip: a reboot empties /run and the rules alike). Returns a
    /// line per lock removed.
    /// </summary>
    public static IReadOnlyList<string> RemoveStale(bool orphanTables = false)
    {
        var removed = new List<string>();
        var known = new HashSet<string>();
        foreach (string file in Directory.Exists(StateDirectory) ? Directory.EnumerateFiles(StateDirectory) : [])
        {
            string table = Path.GetFileName(file);
            string[] lines;
            try
            {
                lines = File.ReadAllLines(file);
            }
            catch (FileNotFoundException)
            {
                continue; // released meanwhile by its owner
            }
            known.Add(table);
            string? why = Stale(lines);
            if (why is null)
            {
                continue;
            }
            int? netns = lines.Select(l => l.Split(' ', 2)).Where(p => p is ["netns", _]).Select(p => (int?)int.Parse(p[1], CultureInfo.InvariantCulture)).FirstOrDefault();
            // A lock in another network namespace goes with it when that namespace is gone.
            Delete(table, netns is int pid && Directory.Exists($"/proc/{pid}") ? pid : null, tolerateMissing: true);
            removed.Add($"removed the network lock {table}: {why}");
        }
        foreach (string orphan in orphanTables ? ListTables(null).Where(t => !known.Contains(t)) : [])
        {
            // The state file comes before the rules, so only a removed state directory leaves
            // tables without one.
            if (!OwnedByLiveKeeper(orphan))
            {
                Delete(orphan, null, tolerateMissing: true);
                removed.Add($"removed the network lock {orphan}: no state file");
            }
        }
        return removed;
    }

    /// <summary>The keeper tables in the network namespace of <paramref name="namespacePid"/> (null: keeper's own).</summary>
    public static IReadOnlyList<string> ListTables(int? namespacePid)
    {
        string output = RunNft(null, namespacePid, "list", "tables", "inet");
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split(' '))
            .Where(parts => parts is ["table", "inet", var name] && name.StartsWith(TablePrefix, StringComparison.Ordinal))
            .Select(parts => parts[2])
            .ToList();
    }

    private static string? Stale(string[] lines)
    {
        string[] owner = lines.FirstOrDefault()?.Split(' ') ?? [];
        switch (owner)
        {
            case ["pid", var pidText, var startText]:
                int pid = int.Parse(pidText, CultureInfo.InvariantCulture);
                ulong start = ulong.Parse(startText, CultureInfo.InvariantCulture);
                return ProcFsReader.TryReadStat(pid, out ProcStat stat) && stat.StartTime == start ? null : $"keeper pid {pid} is gone";
            case ["images", ..]:
                string directory = lines[0]["images ".Length..];
                return File.Exists(Path.Combine(directory, "inventory.img")) ? null : $"the images in {directory} are gone";
            default:
                return "its state file is unreadable";
        }
    }

    private static bool OwnedByLiveKeeper(string table)
    {
        string[] parts = table.Split('_');
        return parts is ["keeper", var pid, var start, _]
            && ProcFsReader.TryReadStat(int.Parse(pid, CultureInfo.InvariantCulture), out ProcStat stat)
            && stat.StartTime.ToString(CultureInfo.InvariantCulture) == start;
    }

    private static string HeldTable(string imageDirectory)
        => HeldPrefix + Convert.ToHexStringLower(Sha256.HashData(Encoding.UTF8.GetBytes(imageDirectory)).AsSpan(0, 8));

    private static string StatePath(string table) => Path.Combine(StateDirectory, table);

    private static void WriteState(string table, string owner)
    {
        Directory.CreateDirectory(StateDirectory);
        string temporary = StatePath(table) + ".tmp";
        File.WriteAllText(temporary, owner + "\n");
        File.Move(temporary, StatePath(table), overwrite: true);
    }

    private static void Delete(string table, int? namespacePid, bool tolerateMissing = false)
    {
        try
        {
            // Rules in the network namespace of a tree that was ended went away with it.
            if (namespacePid is not int pid || File.Exists($"/proc/{pid}/ns/net"))
            {
                RunNft($"delete table inet {table}\n", namespacePid);
            }
        }
        catch (NetworkLockException) when (tolerateMissing || !ListTables(namespacePid).Contains(table))
        {
            // Already gone (its namespace ended, or a concurrent cleanup removed it).
        }
        File.Delete(StatePath(table));
    }

    /// <summary>The nft script of one lock: a table, two base chains, and per connection a rule per direction in each.</summary>
    private static string Script(string table, IReadOnlyList<LockedConnection> connections)
    {
        var script = new StringBuilder();
        script.Append(CultureInfo.InvariantCulture, $"add table inet {table}\n");
        foreach (string chain in (string[])["input", "output"])
        {
            script.Append(CultureInfo.InvariantCulture, $"add chain inet {table} {chain} {{ type filter hook {chain} priority raw; policy accept; }}\n");
            foreach (LockedConnection connection in connections)
            {
                script.Append(CultureInfo.InvariantCulture, $"add rule inet {table} {chain} {Match(connection.Local, connection.Remote)} drop\n");
                script.Append(CultureInfo.InvariantCulture, $"add rule inet {table} {chain} {Match(connection.Remote, connection.Local)} drop\n");
            }
        }
        return script.ToString();
    }

    private static string Match(InetEndpoint source, InetEndpoint destination)
    {
        // A dual-stack socket shows an IPv4 peer as ::ffff:a.b.c.d; its packets are IPv4.
        (string family, IPAddress from, IPAddress to) = source.IsV4Mapped || destination.IsV4Mapped
            ? ("ip", new IPAddress(source.Address).MapToIPv4(), new IPAddress(destination.Address).MapToIPv4())
            : (source.Address.Length == 4 ? "ip" : "ip6", new IPAddress(source.Address), new IPAddress(destination.Address));
        return $"{family} saddr {from} tcp sport {source.Port} {family} daddr {to} tcp dport {destination.Port}";
    }

    /// <summary>Runs nft with a script on stdin (<c>nft -f -</c>) or with arguments; returns its output.</summary>
    private static string RunNft(string? script, int? namespacePid, params string[] arguments)
    {
        string nft = FindNft();
        var start = new ProcessStartInfo
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (namespacePid is int pid)
        {
            // nft works in its own network namespace: enter the tree's.
            start.FileName = "nsenter";
            start.ArgumentList.Add($"--net=/proc/{pid}/ns/net");
            start.ArgumentList.Add(nft);
        }
        else
        {
            start.FileName = nft;
        }
        foreach (string argument in script is null ? arguments : ["-f", "-"])
        {
            start.ArgumentList.Add(argument);
        }
        using Process process = Process.Start(start) ?? throw new NetworkLockException($"{nft} did not start");
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        process.StandardInput.Write(script ?? "");
        process.StandardInput.Close();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            string what = script is null ? string.Join(' ', arguments) : script.Split('\n')[0] + " …";
            throw new NetworkLockException($"nft ({what}) failed with status {process.ExitCode}: {error.Result.Trim().Split('\n')[0]}");
        }
        return output.Result;
    }

    private static string FindNft()
        => (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/sbin", "/sbin"])
            .Select(d => Path.Combine(d, "nft"))
            .FirstOrDefault(File.Exists)
           ?? throw new NetworkLockException("no nft binary in PATH, /usr/sbin or /sbin (Debian: apt install nftables); TCP connections cannot be locked");
}

/// <summary>The network lock could not be set or removed; the message has nft's own words.</summary>
public sealed class NetworkLockException(string message) : Exception(message);
