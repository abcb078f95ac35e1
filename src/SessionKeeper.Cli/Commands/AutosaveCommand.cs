using System.CommandLine;
using SessionKeeper.Autosave;

namespace SessionKeeper.Cli.Commands;

/// <summary><c>keeper autosave enable|disable|status</c>: the systemd user units of systemd-user/.</summary>
internal static class AutosaveCommand
{
    private const string Policy =
        "Autosaves go to NAME@auto, one per session name, replaced atomically by the next autosave; "
        + "snapshots saved by hand are never touched";

    /// <summary>Builds the command and its three subcommands.</summary>
    public static Command Create()
    {
        var command = new Command(
            "autosave",
            "Save every session automatically when the user's service manager stops (logout of the last session, "
            + "shutdown), through systemd user units. " + Policy + ".");
        command.Subcommands.Add(CreateEnable());
        command.Subcommands.Add(CreateDisable());
        command.Subcommands.Add(CreateStatus());
        return command;
    }

    private static Command CreateEnable()
    {
        var restore = new Option<bool>("--restore") { Description = $"Also restore the autosaved sessions at login ({UserUnits.Restore})." };
        var watch = new Option<bool>("--watch") { Description = $"Also run `keeper watch` ({UserUnits.Watch}): save before shutdown and suspend, holding a logind delay lock." };
        var keeper = new Option<string>("--keeper")
        {
            Description = $"The keeper binary the units run (default: this one when it is the installed executable, else {KeeperSelf.InstalledPath}).",
        };
        var command = new Command(
            "enable",
            $"Install {string.Join(", ", UserUnits.All)} into $XDG_CONFIG_HOME/systemd/user (default ~/.config/systemd/user) "
            + $"and enable {UserUnits.Autosave}, plus the ones asked for. With a running user manager this runs "
            + "`systemctl --user daemon-reload` and `systemctl --user enable --now`; without one the units are enabled "
            + "for the next login and keeper says so.")
        {
            restore, watch, keeper,
        };
        CommandRunner.SetHandler(command, (parse, stdout) =>
        {
            string binary = parse.GetValue(keeper) ?? KeeperSelf.Executable;
            if (!Path.IsPathFullyQualified(binary))
            {
                throw new KeeperException($"--keeper {binary}: the units need an absolute path", ReturnCode.UsageError);
            }
            var units = new List<string> { UserUnits.Autosave };
            if (parse.GetValue(restore))
            {
                units.Add(UserUnits.Restore);
            }
            if (parse.GetValue(watch))
            {
                units.Add(UserUnits.Watch);
            }
            UserUnits user = Open();
            IReadOnlyList<string> done = Run(() => user.Enable(units, binary));
            Print(stdout, done);
            if (!File.Exists(binary))
            {
                Console.Error.WriteLine($"warning: the units run {binary}, which does not exist: install keeper there (sudo ./install.sh) or give --keeper");
            }
            if (!user.ManagerRuns)
            {
                stdout.WriteLine(NoManager(user));
            }
            stdout.WriteLine(Policy + ".");
            return ReturnCode.Success;
        });
        return command;
    }

    private static Command CreateDisable()
    {
        var command = new Command(
            "disable",
            "Disable and stop the keeper units, and remove their files. Stopping keeper-autosave.service saves "
            + "every session one last time. Autosaves already made are kept.");
        CommandRunner.SetHandler(command, (_, stdout) =>
        {
            UserUnits user = Open();
            IReadOnlyList<string> done = Run(user.Disable);
            Print(stdout, done.Count > 0 ? done : [$"no keeper units were installed in {user.UnitDirectory}"]);
            if (!user.ManagerRuns)
            {
                stdout.WriteLine(NoManager(user));
            }
            return ReturnCode.Success;
        });
        return command;
    }

    private static Command CreateStatus()
    {
        var command = new Command("status", "Show, for each keeper unit, whether it is installed, enabled and running.");
        CommandRunner.SetHandler(command, (_, stdout) =>
        {
            UserUnits user = Open();
            IReadOnlyList<UnitState> states = Run(user.Status);
            int width = states.Max(s => s.Name.Length) + 2;
            foreach (UnitState state in states)
            {
                string active = state.Active is null ? "" : $", {state.Active}";
                stdout.WriteLine($"{state.Name.PadRight(width)}{(state.Installed ? "installed" : "not installed")}, "
                    + $"{(state.Enabled ? "enabled" : "disabled")}{active}");
            }
            stdout.WriteLine($"unit directory: {user.UnitDirectory}");
            stdout.WriteLine(user.ManagerRuns ? "user manager: running" : NoManager(user));
            stdout.WriteLine(Policy + ".");
            return ReturnCode.Success;
        });
        return command;
    }

    private static string NoManager(UserUnits user) =>
        $"note: no systemd user manager runs for this user ({user.ManagerSocket} is missing), so nothing was started now; "
        + "the enabled units start at the next login that starts user@UID.service (a PAM login on a systemd machine, "
        + "or `loginctl enable-linger` for one that outlives logins); then run `keeper autosave status`";

    private static UserUnits Open()
    {
        try
        {
            return new UserUnits();
        }
        catch (InvalidOperationException e)
        {
            throw new KeeperException(e.Message);
        }
    }

    private static T Run<T>(Func<T> action)
    {
        try
        {
            return action();
        }
        catch (SystemctlException e)
        {
            throw new KeeperException(e.Message, ReturnCode.Error, e);
        }
    }

    private static void Print(TextWriter stdout, IReadOnlyList<string> lines)
    {
        foreach (string line in lines)
        {
            stdout.WriteLine(line);
        }
    }
}
