using SessionKeeper.Autosave.Tests.Fixtures;

namespace SessionKeeper.Autosave.Tests;

/// <summary>
/// keeper watch against a real dbus-daemon and a fake logind: the delay lock is taken, a
/// shutdown or suspend announcement runs the save command while the lock is held, the lock is
/// closed afterwards, and failures (no bus, a lost bus, a refused lock, a failing or hanging
/// save) are logged without leaving the lock held.
/// </summary>
[TestFixture]
public sealed class WatchTests
{
    private TestBus _bus = null!;
    private FakeLogind _logind = null!;
    private SaveRecorder _save = null!;

    [SetUp]
    public void SetUp()
    {
        _bus = TestBus.Start();
        _logind = FakeLogind.Start(_bus.Address);
        _save = new SaveRecorder();
    }

    [TearDown]
    public void TearDown()
    {
        _logind.Dispose();
        _bus.Dispose();
        _save.Dispose();
    }

    [Test]
    public void PrepareForShutdown_SavesWhileHoldingTheDelayLockThenClosesIt()
    {
        _save.CloseGate();
        using KeeperChild watch = StartWatch();

        Inhibitor inhibitor = _logind.NextInhibitor();
        Assert.Multiple(() =>
        {
            Assert.That(inhibitor.What, Is.EqualTo("shutdown"));
            Assert.That(inhibitor.Mode, Is.EqualTo("delay"));
            Assert.That(inhibitor.Who, Is.EqualTo("keeper"));
            Assert.That(inhibitor.Why, Is.Not.Empty);
        });
        watch.WaitForLine("holding a delay inhibitor lock for shutdown");
        Assert.That(inhibitor.IsReleased, Is.False, "keeper holds the lock while it waits");

        _logind.Emit("PrepareForShutdown", true);
        _save.WaitForCalls(1);
        Assert.That(inhibitor.IsReleased, Is.False, "the lock is held while the save runs");
        Assert.That(_save.InheritedDescriptors, Has.None.EqualTo(inhibitor.Pipe), "the save command does not inherit the lock");

        _save.OpenGate();
        Assert.That(() => inhibitor.IsReleased, Is.True.After(30_000, 20), "the lock is closed once the save is done");
        watch.WaitForLine("save succeeded");
        watch.WaitForLine("released the inhibitor lock");
        Assert.That(_save.Calls, Is.EqualTo(1));
        Assert.That(watch.HasExited, Is.False, "keeper watch runs on until it is stopped");
    }

    [Test]
    public void PrepareForShutdown_RunsThisKeeperWithSaveAllAuto()
    {
        _save.RunTheRealCommand();
        using KeeperChild watch = StartWatch();
        Inhibitor inhibitor = _logind.NextInhibitor();

        _logind.Emit("PrepareForShutdown", true);

        Assert.That(() => inhibitor.IsReleased, Is.True.After(60_000, 20));
        IReadOnlyList<string> argv = _save.Argv;
        Assert.That(argv.TakeLast(3), Is.EqualTo(new[] { "save", "--all", "--auto" }), string.Join(' ', argv));
        Assert.That(argv.Last(a => a != "save" && !a.StartsWith("--", StringComparison.Ordinal)), Is.EqualTo(KeeperChild.Command[^1]),
            "the keeper that runs the save is the keeper that watches");
        // Whatever the real `keeper save --all --auto` did, its outcome is in the log.
        Assert.That(watch.WaitForLine("keeper watch: save "), Does.Match("save (succeeded|failed with exit code \\d+)"));
    }

    [Test]
    public void PrepareForShutdown_SavesTheRunningScreenSessionAsItsAutosave()
    {
        string name = $"keeper-watch-{Guid.NewGuid():N}"[..24];
        string store = Directory.CreateTempSubdirectory("keeper-watch-store-").FullName;
        Assert.That(Shell.Run("/bin/sh", $"screen -dmS {name} bash --norc --noprofile").ExitCode, Is.Zero, "screen -dmS");
        try
        {
            _save.RunTheRealCommand();
            using KeeperChild watch = KeeperChild.Start(
                new Dictionary<string, string?> { ["DBUS_SYSTEM_BUS_ADDRESS"] = _bus.Address, ["KEEPER_STORE"] = store },
                ["watch", "--save-wrapper", _save.Script]);
            Inhibitor inhibitor = _logind.NextInhibitor();

            _logind.Emit("PrepareForShutdown", true);

            Assert.That(() => inhibitor.IsReleased, Is.True.After(60_000, 20), "the lock is closed once the save is done");
            (int code, string names, string stderr) = KeeperChild.Run(new Dictionary<string, string?>(), "snapshots", "--names", "--store", store);
            Assert.That(code, Is.Zero, stderr);
            Assert.That(names.Split('\n'), Does.Contain(name), $"the session's autosave is in the store\n{watch.Log}");
            (code, string shown, stderr) = KeeperChild.Run(new Dictionary<string, string?>(), "snapshots", "--store", store);
            Assert.That(shown, Does.Contain($"{name}@auto"), shown + stderr);
            Assert.That(Shell.Run("/bin/sh", $"screen -ls {name}").Stdout, Does.Contain(name).And.Not.Contain("Dead"), "an autosave leaves the session running");
        }
        finally
        {
            Shell.Run("/bin/sh", $"screen -S {name} -X quit");
            Directory.Delete(store, recursive: true);
        }
    }

    [Test]
    public void SaveFails_TheExitCodeIsLoggedTheLockClosedAndTakenAgainWhenTheShutdownIsCancelled()
    {
        _save.ExitWith(3);
        using KeeperChild watch = StartWatch();
        Inhibitor first = _logind.NextInhibitor();

        _logind.Emit("PrepareForShutdown", true);

        Assert.That(() => first.IsReleased, Is.True.After(30_000, 20));
        watch.WaitForLine("save failed with exit code 3");

        _logind.Emit("PrepareForShutdown", false);
        Inhibitor second = _logind.NextInhibitor();
        watch.WaitForLine("shutdown cancelled");
        Assert.That(second.IsReleased, Is.False, "the lock is held again after the cancelled shutdown");
        Assert.That(second.What, Is.EqualTo("shutdown"));
        Assert.That(watch.HasExited, Is.False, "a failed save does not end keeper watch");
    }

    [Test]
    public void SaveHangs_IsKilledAfterTheTimeoutAndTheLockClosed()
    {
        _save.CloseGate();
        using KeeperChild watch = StartWatch("--save-timeout", "1");
        Inhibitor inhibitor = _logind.NextInhibitor();

        _logind.Emit("PrepareForShutdown", true);

        Assert.That(() => inhibitor.IsReleased, Is.True.After(30_000, 20));
        watch.WaitForLine("did not finish within 1 s and was killed");
    }

    [Test]
    public void Sleep_SavesBeforeSuspendAndTakesTheLockAgainAfterResume()
    {
        using KeeperChild watch = StartWatch("--sleep");
        Inhibitor first = _logind.NextInhibitor();
        Assert.That(first.What, Is.EqualTo("shutdown:sleep"));

        _logind.Emit("PrepareForSleep", true);
        Assert.That(() => first.IsReleased, Is.True.After(30_000, 20));
        watch.WaitForLine("suspend announced");
        Assert.That(_save.Calls, Is.EqualTo(1));

        _logind.Emit("PrepareForSleep", false);
        Inhibitor second = _logind.NextInhibitor();
        watch.WaitForLine("resumed");
        Assert.That(second.What, Is.EqualTo("shutdown:sleep"));
        Assert.That(second.IsReleased, Is.False);
    }

    [Test]
    public void WithoutSleep_SuspendIsNeitherLockedNorSaved()
    {
        using KeeperChild watch = StartWatch();
        Inhibitor inhibitor = _logind.NextInhibitor();

        _logind.Emit("PrepareForSleep", true);
        // A shutdown announcement sent after the suspend one is handled after it: once its save
        // ran, keeper has seen (and ignored) the suspend.
        _logind.Emit("PrepareForShutdown", true);
        watch.WaitForLine("released the inhibitor lock");

        Assert.That(_save.Calls, Is.EqualTo(1));
        Assert.That(watch.Log, Does.Not.Contain("suspend"));
        Assert.That(inhibitor.IsReleased, Is.True);
    }

    [Test]
    public void SigTerm_ClosesTheLockAndExitsZero()
    {
        using KeeperChild watch = StartWatch();
        Inhibitor inhibitor = _logind.NextInhibitor();
        watch.WaitForLine("holding a delay inhibitor lock");

        watch.Terminate();

        Assert.That(watch.WaitForExit(), Is.Zero, watch.Log);
        Assert.That(inhibitor.IsReleased, Is.True);
        Assert.That(_save.Calls, Is.Zero, "stopping keeper watch is not a shutdown");
    }

    [Test]
    public void BusLost_ClosesTheLockAndExitsOneNamingTheBus()
    {
        using KeeperChild watch = StartWatch();
        Inhibitor inhibitor = _logind.NextInhibitor();
        watch.WaitForLine("holding a delay inhibitor lock");

        _bus.Kill();

        Assert.That(watch.WaitForExit(), Is.EqualTo(1), watch.Log);
        Assert.That(inhibitor.IsReleased, Is.True);
        Assert.That(watch.Log, Does.Contain($"error: lost the system bus connection at {_bus.Address}"));
    }

    [Test]
    public void LockRefused_ExitsOneWithLogindsError()
    {
        _logind.RefuseWith = "org.freedesktop.DBus.Error.AccessDenied";
        using KeeperChild watch = StartWatch();

        Assert.That(watch.WaitForExit(), Is.EqualTo(1), watch.Log);
        Assert.That(watch.Log, Does.Contain("refused a delay inhibitor lock for shutdown: org.freedesktop.DBus.Error.AccessDenied"));
        Assert.That(_logind.HasPendingInhibitor, Is.False);
    }

    [Test]
    public void NoBus_ExitsOneNamingTheAddressFromDbusSystemBusAddress()
    {
        string missing = $"unix:path={Path.Combine(Path.GetTempPath(), $"keeper-no-bus-{Guid.NewGuid():N}")}";

        (int code, _, string stderr) = KeeperChild.Run(
            new Dictionary<string, string?> { ["DBUS_SYSTEM_BUS_ADDRESS"] = missing }, "watch", "--save-wrapper", _save.Script);

        Assert.That(code, Is.EqualTo(1), stderr);
        Assert.That(stderr, Does.Contain($"error: cannot connect to the system bus at {missing}"));
        Assert.That(_save.Calls, Is.Zero);
    }

    private KeeperChild StartWatch(params string[] arguments) => KeeperChild.Start(
        new Dictionary<string, string?> { ["DBUS_SYSTEM_BUS_ADDRESS"] = _bus.Address },
        ["watch", "--save-wrapper", _save.Script, .. arguments]);
}
