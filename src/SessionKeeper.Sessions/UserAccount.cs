using System.Globalization;
using SessionKeeper.Engine.ProcFs;

namespace SessionKeeper.Sessions;

/// <summary>The user whose sessions are looked for: uid, login name and home directory.</summary>
/// <param name="Uid">The numeric user id.</param>
/// <param name="Name">The login name from /etc/passwd, or the uid as text when it has no entry.</param>
/// <param name="Home">The home directory from /etc/passwd; null when unknown.</param>
internal sealed record UserAccount(uint Uid, string Name, string? Home)
{
    /// <summary>The real uid of the keeper process itself.</summary>
    public static uint CallerUid { get; } = ReadCallerUid();

    /// <summary>True when this is the user keeper runs as (then its environment, e.g. SCREENDIR, applies).</summary>
    public bool IsCaller => Uid == CallerUid;

    /// <summary>Looks <paramref name="uid"/> up in /etc/passwd (the caller when null).</summary>
    public static UserAccount Find(int? uid)
    {
        uint id = uid is int given ? (uint)given : CallerUid;
        if (File.Exists("/etc/passwd"))
        {
            foreach (string line in File.ReadLines("/etc/passwd"))
            {
                // name:password:uid:gid:gecos:home:shell
                string[] fields = line.Split(':');
                if (fields.Length >= 7
                    && uint.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out uint entryUid)
                    && entryUid == id)
                {
                    return new UserAccount(id, fields[0], fields[5].Length > 0 ? fields[5] : null);
                }
            }
        }
        string? home = id == CallerUid ? Environment.GetEnvironmentVariable("HOME") : null;
        return new UserAccount(id, id.ToString(CultureInfo.InvariantCulture), home);
    }

    private static uint ReadCallerUid() =>
        ProcFsReader.TryReadStatus(Environment.ProcessId, out ProcStatus status)
            ? status.Uid.Real
            : throw new InvalidOperationException("cannot read /proc/self/status for keeper's own uid");
}
