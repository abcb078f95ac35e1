using System.Diagnostics;
using System.Net.Sockets;
using SessionKeeper.Autosave.Tests.Fixtures;

namespace SessionKeeper.Autosave.Tests;

/// <summary>
/// keeper autosave enable|disable|status for a user whose HOME is a temporary directory: the
/// unit files it writes, systemd-analyze's verdict on them, and what it does with and without a
/// user manager (a recording systemctl stands in for the real one).
/// </summary>
[TestFixture]
public sealed class AutosaveCommandTests
{
    private string _root = null!;

    private string Home => Path.Combine(_root, "home");

    private string RuntimeDirectory => Path.Combine(_root, "run");

    private string UnitDirectory => Path.Combine(Home, ".config", "systemd", "user");

    private string Wants => Path.Combine(UnitDirectory, "default.target.wants");

    private string FakeBin => Path.Combine(_root, "bin");

    private string SystemctlLog => Path.Combine(_root, "systemctl.log");

    [SetUp]
    public void SetUp()
    {
        _root = Directory.CreateTempSubdirectory("keeper-autosave-").FullName;
        Directory.CreateDirectory(Home);
        Directory.CreateDirectory(RuntimeDirectory);
        Directory.CreateDirectory(FakeBin);
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_root, recursive: true);

    [Test]
    public void Enable_WithoutUserManager_InstallsTheUnitsLinksAutosaveForTheNextLoginAndSaysNoManagerRuns()
    {
        (int code, string stdout, string stderr) = Keeper("autosave", "enable", "--keeper", "/opt/keeper/bin/keeper");

        Assert.That(code, Is.Zero, stderr);
        foreach (string unit in UserUnits.All)
        {
            Assert.That(File.Exists(Path.Combine(UnitDirectory, unit)), Is.True, unit);
        }
        Assert.That(new FileInfo(Path.Combine(Wants, UserUnits.Autosave)).LinkTarget, Is.EqualTo("../keeper-autosave.service"));
        Assert.That(new FileInfo(Path.Combine(Wants, UserUnits.Restore)).LinkTarget, Is.Null, "restore only with --restore");
        Assert.That(new FileInfo(Path.Combine(Wants, UserUnits.Watch)).LinkTarget, Is.Null, "watch only with --watch");
        Assert.That(stdout, Does.Contain("no systemd user manager runs").And.Contain(Path.Combine(RuntimeDirectory, "systemd", "private")));
        Assert.That(stdout, Does.Contain("NAME@auto"));
        Assert.That(stderr, Does.Contain("warning: the units run /opt/keeper/bin/keeper, which does not exist"));
        string autosave = File.ReadAllText(Path.Combine(UnitDirectory, UserUnits.Autosave));
        Assert.That(autosave, Does.Contain("\nExecStop=/opt/keeper/bin/keeper save --all --auto\n"));
        Assert.That(autosave, Does.Not.Contain("/usr/local/bin/keeper"));
        Assert.That(File.Exists(SystemctlLog), Is.False, "no systemctl without a manager");
    }

    [Test]
    public void Enable_TheInstalledUnitsAreTheShippedOnesAndPassSystemdAnalyzeVerify()
    {
        string keeper = Path.Combine(FakeBin, "keeper");
        Shell.WriteScript(keeper, "exit 0");

        (int code, _, string stderr) = Keeper("autosave", "enable", "--restore", "--watch", "--keeper", keeper);
        Assert.That(code, Is.Zero, stderr);

        string shipped = Path.Combine(RepositoryRoot(), "systemd-user");
        foreach (string unit in UserUnits.All)
        {
            string expected = File.ReadAllText(Path.Combine(shipped, unit)).Replace("/usr/local/bin/keeper", keeper, StringComparison.Ordinal);
            Assert.That(File.ReadAllText(Path.Combine(UnitDirectory, unit)), Is.EqualTo(expected), unit);
        }
        (int verifyCode, string output) = Run("systemd-analyze", ["verify", "--user", .. UserUnits.All.Select(u => Path.Combine(UnitDirectory, u))],
            new Dictionary<string, string?> { ["XDG_RUNTIME_DIR"] = RuntimeDirectory, ["HOME"] = Home });
        Assert.That(verifyCode, Is.Zero, output);
        Assert.That(output, Is.Empty, "systemd-analyze verify has no complaint");
    }

    [Test]
    public void Verify_SeesAMistakeInAUnit()
    {
        // The check above means something only if systemd-analyze reports a broken unit here.
        string unit = Path.Combine(_root, "keeper-broken.service");
        File.WriteAllText(unit, "[Service]\nExecStop=/bin/true\nTimeoutStoopSec=5\n");

        (_, string output) = Run("systemd-analyze", ["verify", "--user", unit], new Dictionary<string, string?> { ["XDG_RUNTIME_DIR"] = RuntimeDirectory });

        Assert.That(output, Does.Contain("TimeoutStoopSec"));
    }

    [Test]
    public void Enable_WithUserManager_ReloadsEnablesAndStartsThroughSystemctl()
    {
        using Socket manager = ListenAsUserManager();
        WriteFakeSystemctl(exitCode: 0);

        (int code, string stdout, string stderr) = Keeper("autosave", "enable", "--restore", "--watch", "--keeper", "/usr/local/bin/keeper");

        Assert.That(code, Is.Zero, stderr);
        Assert.That(File.ReadAllLines(SystemctlLog), Is.EqualTo(new[]
        {
            "--user daemon-reload",
            "--user enable --now keeper-autosave.service keeper-watch.service",
            "--user enable keeper-restore.service",
        }));
        Assert.That(Directory.Exists(Wants), Is.False, "systemctl makes the links, not keeper");
        Assert.That(stdout, Does.Contain("enabled and started keeper-autosave.service, keeper-watch.service"));
        Assert.That(stdout, Does.Not.Contain("no systemd user manager"));
    }

    [Test]
    public void Enable_SystemctlFails_ErrorNamesTheCommandAndItsMessage()
    {
        using Socket manager = ListenAsUserManager();
        WriteFakeSystemctl(exitCode: 1, stderr: "Failed to connect to bus: No medium found");

        (int code, _, string stderr) = Keeper("autosave", "enable");

        Assert.That(code, Is.EqualTo(1));
        Assert.That(stderr, Does.StartWith("error: systemctl --user daemon-reload failed with exit code 1: Failed to connect to bus: No medium found"));
    }

    [Test]
    public void Disable_WithoutUserManager_RemovesTheUnitsAndLinks()
    {
        Assert.That(Keeper("autosave", "enable", "--watch").ExitCode, Is.Zero);

        (int code, string stdout, string stderr) = Keeper("autosave", "disable");

        Assert.That(code, Is.Zero, stderr);
        Assert.That(Directory.GetFileSystemEntries(UnitDirectory, "keeper-*", SearchOption.AllDirectories), Is.Empty);
        Assert.That(stdout, Does.Contain($"removed {Path.Combine(Wants, UserUnits.Watch)}"));
    }

    [Test]
    public void Disable_WithUserManager_DisablesAndStopsThenReloads()
    {
        Assert.That(Keeper("autosave", "enable").ExitCode, Is.Zero);
        using Socket manager = ListenAsUserManager();
        WriteFakeSystemctl(exitCode: 0);

        (int code, _, string stderr) = Keeper("autosave", "disable");

        Assert.That(code, Is.Zero, stderr);
        Assert.That(File.ReadAllLines(SystemctlLog), Is.EqualTo(new[]
        {
            "--user disable --now keeper-autosave.service keeper-restore.service keeper-watch.service",
            "--user daemon-reload",
        }));
        Assert.That(Directory.GetFileSystemEntries(UnitDirectory, "keeper-*", SearchOption.AllDirectories), Is.Empty);
    }

    [Test]
    public void Status_ShowsEachUnitBeforeAndAfterEnable()
    {
        (int before, string beforeOut, _) = Keeper("autosave", "status");
        Assert.That(before, Is.Zero);
        Assert.That(beforeOut, Does.Match(@"keeper-autosave\.service +not installed, disabled"));

        Keeper("autosave", "enable", "--restore");
        (_, string afterOut, _) = Keeper("autosave", "status");

        Assert.That(afterOut, Does.Match(@"keeper-autosave\.service +installed, enabled\n"));
        Assert.That(afterOut, Does.Match(@"keeper-restore\.service +installed, enabled\n"));
        Assert.That(afterOut, Does.Match(@"keeper-watch\.service +installed, disabled\n"));
        Assert.That(afterOut, Does.Contain($"unit directory: {UnitDirectory}"));
    }

    [Test]
    public void Status_WithUserManager_AsksSystemctlWhetherEachUnitIsActive()
    {
        using Socket manager = ListenAsUserManager();
        WriteFakeSystemctl(exitCode: 0, stdout: "active");

        (int code, string stdout, string stderr) = Keeper("autosave", "status");

        Assert.That(code, Is.Zero, stderr);
        Assert.That(stdout, Does.Match(@"keeper-watch\.service +not installed, disabled, active\n"));
        Assert.That(File.ReadAllLines(SystemctlLog), Does.Contain("--user is-active keeper-autosave.service"));
        Assert.That(stdout, Does.Contain("user manager: running"));
    }

    [Test]
    public void Enable_XdgConfigHome_IsWhereTheUnitsGo()
    {
        string config = Path.Combine(_root, "config");

        (int code, _, string stderr) = Keeper(new Dictionary<string, string?> { ["XDG_CONFIG_HOME"] = config }, "autosave", "enable");

        Assert.That(code, Is.Zero, stderr);
        Assert.That(File.Exists(Path.Combine(config, "systemd", "user", UserUnits.Autosave)), Is.True);
        Assert.That(Directory.Exists(UnitDirectory), Is.False);
    }

    private (int ExitCode, string Stdout, string Stderr) Keeper(params string[] arguments) =>
        Keeper(new Dictionary<string, string?>(), arguments);

    private (int ExitCode, string Stdout, string Stderr) Keeper(Dictionary<string, string?> extra, params string[] arguments)
    {
        var environment = new Dictionary<string, string?>
        {
            ["HOME"] = Home,
            ["XDG_CONFIG_HOME"] = null,
            ["XDG_RUNTIME_DIR"] = RuntimeDirectory,
            ["PATH"] = $"{FakeBin}:{Environment.GetEnvironmentVariable("PATH")}",
        };
        foreach ((string name, string? value) in extra)
        {
            environment[name] = value;
        }
        return KeeperChild.Run(environment, arguments);
    }

    /// <summary>A listening socket where a user manager keeps its private one.</summary>
    private Socket ListenAsUserManager()
    {
        string path = Path.Combine(RuntimeDirectory, "systemd", "private");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(path));
        socket.Listen();
        return socket;
    }

    private void WriteFakeSystemctl(int exitCode, string stdout = "", string stderr = "") =>
        Shell.WriteScript(Path.Combine(FakeBin, "systemctl"),
            $"echo \"$*\" >> '{SystemctlLog}'\n[ -z '{stdout}' ] || echo '{stdout}'\n[ -z '{stderr}' ] || echo '{stderr}' >&2\nexit {exitCode}");

    private static (int ExitCode, string Output) Run(string program, IEnumerable<string> arguments, IReadOnlyDictionary<string, string?> environment)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        foreach ((string name, string? value) in environment)
        {
            start.Environment[name] = value;
        }
        using Process process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        string stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, (stdout.Result + stderr).Trim());
    }

    internal static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "SessionKeeper.sln")))
            {
                return directory.FullName;
            }
        }
        throw new DirectoryNotFoundException($"no SessionKeeper.sln above {TestContext.CurrentContext.TestDirectory}");
    }
}
