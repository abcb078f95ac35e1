using System.Diagnostics;
using System.Reflection;

namespace SessionKeeper.Autosave;

/// <summary>The autosave units a user can have, and whether each one is on.</summary>
/// <param name="Name">Unit name, e.g. keeper-autosave.service.</param>
/// <param name="Installed">The unit file is in the user's unit directory.</param>
/// <param name="Enabled">default.target wants it, so it starts at every login.</param>
/// <param name="Active">What the user manager says (active, inactive, failed), or null when no manager runs.</param>
public sealed record UnitState(string Name, bool Installed, bool Enabled, string? Active);

/// <summary>systemctl failed; the message holds its own.</summary>
public sealed class SystemctlException(string message) : Exception(message);

/// <summary>
/// Installs, enables, disables and reports the systemd user units of systemd-user/ for the
/// calling user: files in <c>$XDG_CONFIG_HOME/systemd/user</c> (default ~/.config/systemd/user),
/// enabled through <c>systemctl --user</c> where a user manager runs, or by the same
/// default.target.wants links systemctl would make where none runs, so that the next login
/// starts them.
/// </summary>
public sealed class UserUnits
{
    /// <summary>Saves every session when the user manager stops (logout, shutdown).</summary>
    public const string Autosave = "keeper-autosave.service";

    /// <summary>Restores the autosaved sessions at login.</summary>
    public const string Restore = "keeper-restore.service";

    /// <summary>Runs <c>keeper watch</c>.</summary>
    public const string Watch = "keeper-watch.service";

    /// <summary>Every unit, in the order they are listed to the user.</summary>
    public static readonly IReadOnlyList<string> All = [Autosave, Restore, Watch];

    private const string WantsDirectory = "default.target.wants";

    private readonly string _runtimeDirectory;

    /// <summary>The units of the user whose environment this process has.</summary>
    public UserUnits()
    {
        string? config = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME");
        if (string.IsNullOrEmpty(config))
        {
            string home = Environment.GetEnvironmentVariable("HOME") is { Length: > 0 } h
                ? h
                : throw new InvalidOperationException("neither XDG_CONFIG_HOME nor HOME is set: cannot tell where the user's unit files go");
            config = Path.Combine(home, ".config");
        }
        UnitDirectory = Path.Combine(config, "systemd", "user");
        string? runtime = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR");
        _runtimeDirectory = string.IsNullOrEmpty(runtime) ? $"/run/user/{CurrentUid()}" : runtime;
    }

    /// <summary>Where the unit files go.</summary>
    public string UnitDirectory { get; }

    /// <summary>The user manager's private socket, present while it runs.</summary>
    public string ManagerSocket => Path.Combine(_runtimeDirectory, "systemd", "private");

    /// <summary>Whether a systemd user manager runs for this user (its private socket exists).</summary>
    public bool ManagerRuns => File.Exists(ManagerSocket) && !Directory.Exists(ManagerSocket);

    /// <summary>
    /// The text of unit <paramref name="name"/> as shipped in systemd-user/, running
    /// <paramref name="keeper"/> instead of <see cref="KeeperSelf.InstalledPath"/>.
    /// </summary>
    public static string UnitText(string name, string keeper)
    {
        using Stream stream = typeof(UserUnits).Assembly.GetManifestResourceStream($"systemd-user/{name}")
            ?? throw new InvalidOperationException($"unit {name} is not built into keeper");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().Replace(KeeperSelf.InstalledPath, keeper, StringComparison.Ordinal);
    }

    /// <summary>
    /// Writes every unit file, then enables <paramref name="units"/> (and starts those that act
    /// at stop or run all the time). Returns one line per thing done, for the user.
    /// </summary>
    public IReadOnlyList<string> Enable(IReadOnlyList<string> units, string keeper)
    {
        var done = new List<string>();
        Directory.CreateDirectory(UnitDirectory);
        foreach (string name in All)
        {
            string path = Path.Combine(UnitDirectory, name);
            string temporary = path + ".tmp";
            File.WriteAllText(temporary, UnitText(name, keeper));
            File.Move(temporary, path, overwrite: true);
            done.Add($"installed {path}");
        }
        if (ManagerRuns)
        {
            Systemctl("daemon-reload");
            // keeper-autosave saves when it stops, so it must be running for this session already;
            // keeper-restore only at the next login (now it would restore beside the running sessions).
            string[] startNow = units.Where(u => u != Restore).ToArray();
            if (startNow.Length > 0)
            {
                Systemctl(["enable", "--now", .. startNow]);
                done.Add($"enabled and started {string.Join(", ", startNow)}");
            }
            if (units.Contains(Restore))
            {
                Systemctl("enable", Restore);
                done.Add($"enabled {Restore} (restores at the next login)");
            }
        }
        else
        {
            string wants = Path.Combine(UnitDirectory, WantsDirectory);
            Directory.CreateDirectory(wants);
            foreach (string name in units)
            {
                string link = Path.Combine(wants, name);
                File.Delete(link);
                File.CreateSymbolicLink(link, Path.Combine("..", name));
            }
            done.Add($"enabled {string.Join(", ", units)} for the next login ({wants})");
        }
        return done;
    }

    /// <summary>Disables and stops every unit, then removes the unit files.</summary>
    public IReadOnlyList<string> Disable()
    {
        var done = new List<string>();
        string[] present = All.Where(u => File.Exists(Path.Combine(UnitDirectory, u))).ToArray();
        if (ManagerRuns && present.Length > 0)
        {
            Systemctl(["disable", "--now", .. present]);
            done.Add($"disabled and stopped {string.Join(", ", present)}");
        }
        foreach (string name in All)
        {
            string link = Path.Combine(UnitDirectory, WantsDirectory, name);
            if (File.Exists(link) || Directory.Exists(link) || new FileInfo(link).LinkTarget is not null)
            {
                File.Delete(link);
                done.Add($"removed {link}");
            }
        }
        foreach (string name in present)
        {
            string path = Path.Combine(UnitDirectory, name);
            File.Delete(path);
            done.Add($"removed {path}");
        }
        if (ManagerRuns && present.Length > 0)
        {
            Systemctl("daemon-reload");
        }
        return done;
    }

    /// <summary>Each unit's state.</summary>
    public IReadOnlyList<UnitState> Status()
    {
        bool manager = ManagerRuns;
        return All.Select(name => new UnitState(
            name,
            File.Exists(Path.Combine(UnitDirectory, name)),
            new FileInfo(Path.Combine(UnitDirectory, WantsDirectory, name)).LinkTarget is not null,
            manager ? Systemctl(check: false, "is-active", name) : null)).ToList();
    }

    private string Systemctl(params string[] arguments) => Systemctl(check: true, arguments);

    private string Systemctl(bool check, params string[] arguments)
    {
        var start = new ProcessStartInfo("systemctl")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("--user");
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        string command = $"systemctl --user {string.Join(' ', arguments)}";
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new SystemctlException($"{command} could not be started");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new SystemctlException($"{command} could not be started: {e.Message}");
        }
        using (process)
        {
            process.StandardInput.Close();
            Task<string> stderr = process.StandardError.ReadToEndAsync();
            string stdout = process.StandardOutput.ReadToEnd().Trim();
            process.WaitForExit();
            if (check && process.ExitCode != 0)
            {
                throw new SystemctlException($"{command} failed with exit code {process.ExitCode}: {stderr.Result.Trim()}");
            }
            return stdout;
        }
    }

    /// <summary>The real uid, from /proc/self/status (the default runtime directory is /run/user/UID).</summary>
    private static string CurrentUid()
    {
        foreach (string line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("Uid:", StringComparison.Ordinal))
            {
                return line.Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries)[1];
            }
        }
        return "0";
    }
}
