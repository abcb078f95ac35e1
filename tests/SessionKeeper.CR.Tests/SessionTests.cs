using System.Globalization;
using System.Text.RegularExpressions;
using NUnit.Framework.Interfaces;
using SessionKeeper.CR.Tests.Harness;
using SessionKeeper.Engine.Dump;
using SessionKeeper.ProcessControl;
using SessionKeeper.Tests.Shared;

namespace SessionKeeper.CR.Tests;

/// <summary>
/// Real screen and tmux sessions with bash, top and vim, checkpointed and restored by the
/// engine, then attached from a terminal as a user would: bash still has its variable and
/// history and runs commands under job control, top refreshes, vim shows the unsaved text and
/// still edits, and every window has the size of the attached terminal. With
/// <see cref="DumpMode.Kill"/> the tree is stopped by the dump; with
/// <see cref="DumpMode.LeaveRunning"/> it runs on and is ended before the restore.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class SessionTests
{
    private static readonly DumpMode[] s_modes = [DumpMode.Kill, DumpMode.LeaveRunning];
    private static readonly TimeSpan s_gone = TimeSpan.FromSeconds(5);
    private static int s_sizeChecks;

    private RealProgram? _program;
    private TerminalSession? _session;

    [TearDown]
    public void EndEverything()
    {
        if (_program is null)
        {
            return;
        }
        if (TestContext.CurrentContext.Result.Outcome.Status != TestStatus.Passed)
        {
            TestContext.Out.WriteLine(_program.Describe());
        }
        _session?.Dispose();
        List<int> survivors = _program.KillTree();
        _program = null;
        _session = null;
        Assert.That(survivors, Is.Empty, "processes of the session survived SIGKILL");
    }

    [TestCaseSource(nameof(s_modes))]
    public void Screen_Checkpoint_AttachedClientFindsBashTopAndVimAsTheyWere(DumpMode mode)
    {
        _program = RealProgram.Create("screen");
        var session = new ScreenSession(_program);
        _session = session;
        session.Start();

        Checkpoint(_program, mode);
        session.Attach();

        session.SelectWindow("0");
        CheckBash(session, $"{TerminalSession.Rows} {TerminalSession.Columns}");
        CheckTop(session, "1");
        CheckVim(session, "2");
    }

    [TestCaseSource(nameof(s_modes))]
    public void Tmux_Checkpoint_AttachedClientFindsPanesTopAndVimAsTheyWere(DumpMode mode)
    {
        _program = RealProgram.Create("tmux");
        var session = new TmuxSession(_program);
        _session = session;
        session.Start();

        Checkpoint(_program, mode);
        session.Attach();

        Assert.That(session.SessionNames(), Is.EquivalentTo(new[] { "work", "spare" }), "the server's sessions");
        session.SelectWindow("0");
        session.SelectPane("0");
        CheckBash(session, session.PaneSize("0"));
        session.SelectPane("1");
        CheckSize(session, session.PaneSize("1"));
        CheckTop(session, "1");
        CheckVim(session, "2");
    }

    [Test]
    public void Screen_KeeperSaveStopAndRestoreByName_AttachedClientFindsBashTopAndVimAsTheyWere()
    {
        _program = RealProgram.Create("screen-by-name");
        var session = new ScreenSession(_program);
        _session = session;
        session.Start();

        SaveAndRestoreByName(_program, session.Name);
        session.Attach();

        session.SelectWindow("0");
        CheckBash(session, $"{TerminalSession.Rows} {TerminalSession.Columns}");
        CheckTop(session, "1");
        CheckVim(session, "2");
    }

    [Test]
    public void Tmux_KeeperSaveStopAndRestoreByName_AttachedClientFindsPanesTopAndVimAsTheyWere()
    {
        _program = RealProgram.Create("tmux-by-name");
        var session = new TmuxSession(_program);
        _session = session;
        session.Start();

        SaveAndRestoreByName(_program, session.Name);
        session.Attach();

        Assert.That(session.SessionNames(), Is.EquivalentTo(new[] { "work", "spare" }), "the server's sessions");
        session.SelectWindow("0");
        session.SelectPane("0");
        CheckBash(session, session.PaneSize("0"));
        CheckTop(session, "1");
        CheckVim(session, "2");
    }

    /// <summary>
    /// <c>keeper save NAME --stop</c> finds the session by its name and ends it once saved;
    /// <c>keeper restore NAME</c> brings it back with its pid. Both run as a user runs them,
    /// with a store of the test's own.
    /// </summary>
    private static void SaveAndRestoreByName(RealProgram program, string name)
    {
        string store = program.PathOf("store");
        List<int> before = program.LiveTree();
        (int saveCode, string saveOut, string saveErr) = KeeperProcess.Run(null, "save", name, "--stop", "--store", store);
        program.Log($"keeper save: {saveOut}{saveErr}");
        Assert.That(saveCode, Is.Zero, $"keeper save {name}: {saveErr}\n{program.Describe()}");
        Assert.That(saveOut, Does.Contain($"saved {name}@1").And.Contain("ended"));
        Assert.That(RealProgram.Poll(() => !before.Any(ProcFs.IsAlive), s_gone), Is.True, $"the saved session still runs\n{program.Describe()}");

        (int restoreCode, string restoreOut, string restoreErr) = KeeperProcess.Run(null, "restore", name, "--store", store);
        program.Log($"keeper restore: {restoreOut}{restoreErr}");
        Assert.That(restoreCode, Is.Zero, $"keeper restore {name}: {restoreErr}\n{program.Describe()}");
        Assert.That(ProcFs.IsAlive(program.Pid), Is.True, $"the root did not come back\n{program.Describe()}");
    }

    /// <summary>Dumps the tree; restores it once the original is gone (ended by the dump or by the test).</summary>
    private static void Checkpoint(RealProgram program, DumpMode mode)
    {
        DumpResult dump = program.Dump(mode);
        if (mode == DumpMode.LeaveRunning)
        {
            Assert.That(dump.Pids.All(ProcFs.IsAlive), Is.True, $"the session did not run on after the dump\n{program.Describe()}");
            Assert.That(program.KillTree(), Is.Empty, "the original session would not end");
        }
        Assert.That(RealProgram.Poll(() => !dump.Pids.Any(ProcFs.IsAlive), s_gone), Is.True, $"the dumped processes still run\n{program.Describe()}");
        Assert.That(program.Restore(dump), Is.EqualTo(program.Pid), program.Describe);
    }

    /// <summary>
    /// The shell kept its variable and history, runs commands, and has job control: ^C
    /// interrupts its foreground job, ^Z stops it, bg and fg move it (the terminal is its
    /// controlling terminal and the job its foreground group).
    /// </summary>
    private void CheckBash(TerminalSession session, string size)
    {
        session.TypeLine("clear");
        // The typed line shows the words as typed; only the output has the values.
        session.TypeLine("echo \"KVAR=[$KVAR] H=[$(history | grep -c 'marker-[1]')]\"");
        session.WaitForScreen(@"^KVAR=\[kept-4242\] H=\[1\]");
        CheckSize(session, size);

        session.TypeLine("sleep 1000");
        Assert.That(RealProgram.Poll(() => _program!.LiveTree().Any(pid => ProcTasks.Comm(pid) == "sleep"), s_gone), Is.True,
            "the shell did not start sleep");
        session.Type("C-c");
        session.TypeLine("echo \"INT=[$?]\"");
        session.WaitForScreen(@"^INT=\[130\]");

        // ^Z stops the job, bg and fg move it, ^C still reaches it in the foreground.
        session.TypeLine("sleep 1001");
        Assert.That(RealProgram.Poll(() => _program!.LiveTree().Any(pid => ProcTasks.Comm(pid) == "sleep"), s_gone), Is.True,
            "the shell did not start sleep");
        session.Type("C-z");
        session.WaitForScreen(@"Stopped\s+sleep 1001");
        session.TypeLine("bg");
        session.WaitForScreen(@"sleep 1001 &$");
        session.TypeLine("fg");
        session.WaitForScreen(@"^sleep 1001$");
        session.Type("C-c");
        session.TypeLine("echo \"FG=[$?]\"");
        session.WaitForScreen(@"^FG=\[130\]");
    }

    /// <summary>The shell of the active pane sees the size the client's terminal gives it.</summary>
    private static void CheckSize(TerminalSession session, string size)
    {
        // Numbered: the output of an earlier check may still be on the screen (another pane).
        int check = Interlocked.Increment(ref s_sizeChecks);
        session.TypeLine($"echo \"SIZE{check}=[$(stty size)]\"");
        Match match = session.WaitForScreen($@"^SIZE{check}=\[(\d+ \d+)\]");
        Assert.That(match.Groups[1].Value, Is.EqualTo(size), "rows and columns of the shell's terminal");
    }

    /// <summary>top draws a new frame with a later time.</summary>
    private static void CheckTop(TerminalSession session, string window)
    {
        session.SelectWindow(window);
        string first = session.WaitForScreen(@"^top - (\d\d:\d\d:\d\d)").Groups[1].Value;
        string next = first;
        bool refreshed = RealProgram.Poll(() => (next = session.WaitForScreen(@"^top - (\d\d:\d\d:\d\d)").Groups[1].Value) != first,
            TimeSpan.FromSeconds(10));
        Assert.That(refreshed, Is.True, $"top stayed at {first}:\n{session.Screen()}");
    }

    /// <summary>vim shows the text typed before the checkpoint, takes more, and writes it all.</summary>
    private static void CheckVim(TerminalSession session, string window)
    {
        session.SelectWindow(window);
        session.WaitForScreen("^hello unsaved text$");
        Assert.That(File.Exists(session.NotesFile), Is.False, "vim wrote the file before it was asked to");
        session.Type("A");
        session.Type("-l", " and more");
        session.Type("Escape");
        session.TypeLine(":w");
        string expected = "hello unsaved text and more\n";
        string written = "";
        bool saved = RealProgram.Poll(() => (written = File.Exists(session.NotesFile) ? File.ReadAllText(session.NotesFile) : "") == expected,
            TimeSpan.FromSeconds(10));
        Assert.That(saved, Is.True, $"vim wrote {written.Length.ToString(CultureInfo.InvariantCulture)} bytes: '{written}'\n{session.Screen()}");
    }
}
