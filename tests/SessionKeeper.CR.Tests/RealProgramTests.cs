using System.Globalization;
using NUnit.Framework.Interfaces;
using SessionKeeper.CR.Tests.Harness;
using SessionKeeper.Engine.Dump;
using SessionKeeper.Native;
using SessionKeeper.ProcessControl;

namespace SessionKeeper.CR.Tests;

/// <summary>
/// Ordinary programs through a real checkpoint: sleep, a bash loop, a python3 program holding
/// state and one holding a zombie child. With <see cref="DumpMode.Kill"/> the originals end and the tree comes back
/// from the images with its pids; with <see cref="DumpMode.LeaveRunning"/> the originals go
/// on. Either way the program's own view of its state is checked afterwards, and nothing of
/// the tree is left running at the end.
/// </summary>
[TestFixture]
public sealed class RealProgramTests
{
    private static readonly TimeSpan s_ready = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan s_answer = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan s_exit = TimeSpan.FromSeconds(30);
    private static readonly DumpMode[] s_modes = [DumpMode.Kill, DumpMode.LeaveRunning];

    // What every python program starts with: its directory, and how it writes a file there.
    private const string PythonPrelude = """
        import os, signal, sys, time

        directory = sys.argv[1]


        def publish(name, line):
            # Aside and renamed: the reader never sees half a file.
            path = os.path.join(directory, name)
            with open(path + ".tmp", "w") as f:
                f.write(line + "\n")
            os.rename(path + ".tmp", path)


        """;

    private RealProgram? _program;

    [TearDown]
    public void KillWhatIsLeft()
    {
        if (_program is null)
        {
            return;
        }
        if (TestContext.CurrentContext.Result.Outcome.Status != TestStatus.Passed)
        {
            TestContext.Out.WriteLine(_program.Describe());
        }
        List<int> survivors = _program.KillTree();
        _program = null;
        Assert.That(survivors, Is.Empty, "processes of the tree survived SIGKILL");
    }

    /// <summary>
    /// sh waits for sleep and writes sleep's exit status: after the checkpoint the same sleep
    /// sleeps on, under the same sh, and ends by itself with status 0.
    /// </summary>
    [TestCaseSource(nameof(s_modes))]
    public void Sleep_Checkpoint_SamePidSleepsOnAndExitsWithStatusZero(DumpMode mode)
    {
        RealProgram program = _program = RealProgram.Create("sleep");
        string status = program.PathOf("status");
        program.Start($"sh -c 'sleep 5; echo \"$?\" > {status}.tmp && mv {status}.tmp {status}'", "sh");
        int sleep = WaitForChild(program, "sleep");
        DetachedProcess.WaitSleeping(sleep, "sleep", s_ready);

        Checkpoint(program, mode);

        Assert.Multiple(() =>
        {
            Assert.That(ProcTasks.Comm(sleep), Is.EqualTo("sleep"), program.Describe);
            Assert.That(ProcFs.TryReadStat(sleep)?.ParentPid, Is.EqualTo(program.Pid), program.Describe);
            // Right after the restore it runs for a moment, back from the interrupted nanosleep.
            Assert.That(() => DetachedProcess.WaitSleeping(sleep, "sleep", s_ready), Throws.Nothing, program.Describe);
        });
        Assert.That(RealProgram.Poll(() => program.ReadLines("status") is not null, s_exit), Is.True,
            $"sleep did not end within {s_exit.TotalSeconds} s\n{program.Describe()}");
        Assert.That(program.ReadLines("status"), Is.EqualTo("0\n"), "sleep's exit status, as sh saw it");
        AssertTreeEnds(program);
    }

    /// <summary>
    /// bash counts in a loop, appending each value to a file, with a sleep child per round and
    /// one long-lived background child; SIGUSR1 makes it report its counter, its pid and
    /// whether its background child is alive. After the checkpoint the file goes on from where
    /// it was, one by one, and the report names the same pid and child.
    /// </summary>
    [TestCaseSource(nameof(s_modes))]
    public void BashLoop_Checkpoint_CounterContinuesAndTrapReportsSamePid(DumpMode mode)
    {
        RealProgram program = _program = RealProgram.Create("bash");
        string script = program.WriteFile("loop.sh", """
            i=0
            reports=0
            sleep 1000 &
            child=$!
            echo "$child" > child.tmp && mv child.tmp child
            trap 'reports=$((reports + 1)); kill -0 "$child" && alive=alive || alive=gone; echo "$i $$ $BASHPID $child $alive" > "report-$reports"' USR1
            while :; do
                i=$((i + 1))
                echo "$i" >> counts
                sleep 0.05
            done
            """);
        program.Start($"bash {script}", "bash");
        Assert.That(RealProgram.Poll(() => Counts(program).Count >= 5, s_ready), Is.True, program.Describe);
        int child = int.Parse(program.ReadLines("child")!, CultureInfo.InvariantCulture);
        int before = Counts(program).Count;

        Checkpoint(program, mode);

        int atCheckpoint = Counts(program).Count;
        Assert.That(atCheckpoint, Is.GreaterThanOrEqualTo(before));
        Assert.That(RealProgram.Poll(() => Counts(program).Count >= atCheckpoint + 10, s_answer), Is.True,
            $"the counter stopped at {Counts(program).Count}\n{program.Describe()}");
        List<int> counts = Counts(program);
        Assert.That(counts, Is.EqualTo(Enumerable.Range(1, counts.Count)), "the counter went on by one from where it was, never back");
        Assert.That(ProcFs.TryReadStat(child)?.ParentPid, Is.EqualTo(program.Pid), "the background child is bash's child");

        int counted = Counts(program).Count;
        string[] report = Report(program, 1);
        Assert.Multiple(() =>
        {
            int i = int.Parse(report[0], CultureInfo.InvariantCulture);
            Assert.That(i, Is.InRange(counted, Counts(program).Count + 1), "bash's counter when it reported");
            Assert.That(report[1..], Is.EqualTo(Words(program.Pid, program.Pid, child, "alive")), "$$, $BASHPID, $! and kill -0 $!");
        });

        Interop.TryKill(program.Pid, Signals.SIGTERM);
        Interop.TryKill(child, Signals.SIGTERM);
        AssertTreeEnds(program);
    }

    /// <summary>
    /// python3 builds a dict of lists and strings, draws a random token, and on SIGUSR1 reports
    /// a digest of the dict computed afresh, the token, os.getpid() and its tick counter.
    /// After the checkpoint two reports give the same digest, token and pid as before, with
    /// the ticks going on.
    /// </summary>
    [TestCaseSource(nameof(s_modes))]
    public void Python_Checkpoint_ReportsSameStateTokenAndPid(DumpMode mode)
    {
        RealProgram program = _program = RealProgram.Create("python");
        string script = program.WriteFile("state.py", PythonPrelude + """
            import hashlib, json, secrets

            token = secrets.token_hex(16)
            state = {
                "squares": [i * i for i in range(200_000)],
                "names": {f"name-{i}": [i, str(i), i / 7] for i in range(20_000)},
                "text": "the quick brown fox " * 5_000,
            }
            ticks = 0
            reports = 0


            def digest():
                return hashlib.sha256(json.dumps(state, sort_keys=True).encode()).hexdigest()


            def report(signo, frame):
                global reports
                reports += 1
                publish(f"report-{reports}", f"{digest()} {token} {os.getpid()} {ticks}")


            signal.signal(signal.SIGUSR1, report)
            publish("ready", f"{digest()} {token} {os.getpid()}")
            while True:
                ticks += 1
                publish("ticks", str(ticks))
                time.sleep(0.05)
            """);
        string[] ready = StartPython(program, script);
        Assert.That(ready[2], Is.EqualTo(Words(program.Pid)[0]), "os.getpid() at start");
        string[] first = Report(program, 1);
        Assert.That(first[..3], Is.EqualTo(ready), "digest, token and pid before the checkpoint");

        Checkpoint(program, mode);

        string[] second = Report(program, 2);
        long secondTicks = long.Parse(second[3], CultureInfo.InvariantCulture);
        Assert.Multiple(() =>
        {
            Assert.That(second[..3], Is.EqualTo(ready), "digest, token and pid after the checkpoint");
            Assert.That(secondTicks, Is.GreaterThanOrEqualTo(long.Parse(first[3], CultureInfo.InvariantCulture)), "ticks");
        });
        // It goes on: the ticks advance, and a second signal is handled like the first.
        Assert.That(RealProgram.Poll(() => Ticks(program) > secondTicks + 2, s_answer), Is.True,
            $"the ticks stopped at {Ticks(program)}\n{program.Describe()}");
        string[] third = Report(program, 3);
        Assert.Multiple(() =>
        {
            Assert.That(third[..3], Is.EqualTo(ready), "digest, token and pid at the next report");
            Assert.That(long.Parse(third[3], CultureInfo.InvariantCulture), Is.GreaterThan(secondTicks), "ticks");
        });

        Interop.TryKill(program.Pid, Signals.SIGTERM);
        AssertTreeEnds(program);
    }

    /// <summary>
    /// python3 forks a child that exits at once and leaves it unwaited for, a zombie; on
    /// SIGUSR1 it reaps it with waitpid(WNOHANG) and reports what it got. After the checkpoint
    /// the child is still its zombie, and waitpid still gets the child's exit status, 7.
    /// </summary>
    [TestCaseSource(nameof(s_modes))]
    public void PythonWithZombieChild_Checkpoint_WaitpidStillGetsTheExitStatus(DumpMode mode)
    {
        RealProgram program = _program = RealProgram.Create("python-zombie");
        string script = program.WriteFile("zombie.py", PythonPrelude + """
            child = os.fork()
            if child == 0:
                os._exit(7)


            def report(signo, frame):
                pid, status = os.waitpid(child, os.WNOHANG)
                publish("report-1", f"{pid} {os.waitstatus_to_exitcode(status) if pid else 'none'}")


            signal.signal(signal.SIGUSR1, report)
            publish("ready", f"{child}")
            while True:
                time.sleep(0.05)
            """);
        int child = int.Parse(StartPython(program, script)[0], CultureInfo.InvariantCulture);
        Assert.That(RealProgram.Poll(() => ProcTasks.State(child) == 'Z', s_ready), Is.True, "the child became a zombie");

        Checkpoint(program, mode);

        Assert.Multiple(() =>
        {
            Assert.That(ProcTasks.State(child), Is.EqualTo('Z'), "the child is a zombie still");
            Assert.That(ProcFs.TryReadStat(child)?.ParentPid, Is.EqualTo(program.Pid), "of the same parent");
        });
        Assert.That(Report(program, 1), Is.EqualTo(Words(child, 7)), "waitpid's pid and exit status");
        Assert.That(RealProgram.Poll(() => ProcTasks.State(child) is null, s_answer), Is.True, "waitpid reaped the child");

        Interop.TryKill(program.Pid, Signals.SIGTERM);
        AssertTreeEnds(program);
    }

    /// <summary>
    /// Starts a python script with its directory as argument; waits for the line it publishes
    /// as "ready" and returns its words.
    /// </summary>
    private static string[] StartPython(RealProgram program, string script)
    {
        program.Start($"/usr/bin/python3 {script} {program.Directory}", "python3");
        Assert.That(RealProgram.Poll(() => program.ReadLines("ready") is not null, s_ready), Is.True, program.Describe);
        return program.ReadLines("ready")!.Split(' ', StringSplitOptions.TrimEntries);
    }

    /// <summary>
    /// Kill: dumps, checks that the originals ended, restores and checks that the root runs
    /// again with its pid. LeaveRunning: dumps and checks that the original root runs on.
    /// </summary>
    private static void Checkpoint(RealProgram program, DumpMode mode)
    {
        DumpResult dump = program.Dump(mode);
        if (mode == DumpMode.Kill)
        {
            Assert.That(RealProgram.Poll(() => !dump.Pids.Any(ProcFs.IsAlive), TimeSpan.FromSeconds(5)), Is.True,
                $"the dumped processes still run\n{program.Describe()}");
            Assert.That(program.Restore(dump), Is.EqualTo(program.Pid), program.Describe);
        }
        // Only the root is sure to run on: a child of the dump may end right after it by itself.
        Assert.That(ProcFs.IsAlive(program.Pid), Is.True, $"the root does not run\n{program.Describe()}");
    }

    /// <summary>Waits for the root's first child that runs <paramref name="comm"/>.</summary>
    private static int WaitForChild(RealProgram program, string comm)
    {
        int child = 0;
        bool found = RealProgram.Poll(() => (child = ProcFs.Children(program.Pid).FirstOrDefault(pid => ProcTasks.Comm(pid) == comm)) != 0, s_ready);
        return found ? child : throw new TimeoutException($"pid {program.Pid} has no child {comm}\n{program.Describe()}");
    }

    /// <summary>The numbers the bash loop has appended so far.</summary>
    private static List<int> Counts(RealProgram program) =>
        (program.ReadLines("counts") ?? "")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => int.Parse(line, CultureInfo.InvariantCulture))
            .ToList();

    /// <summary>The python program's tick counter as it last published it.</summary>
    private static long Ticks(RealProgram program) =>
        program.ReadLines("ticks") is { } text ? long.Parse(text, CultureInfo.InvariantCulture) : 0;

    /// <summary>Sends SIGUSR1 and returns the words of the <paramref name="number"/>th report it brings.</summary>
    private static string[] Report(RealProgram program, int number)
    {
        string name = $"report-{number}";
        Assert.That(program.ReadLines(name), Is.Null, $"{name} before SIGUSR1");
        Interop.TryKill(program.Pid, Signals.SIGUSR1);
        Assert.That(RealProgram.Poll(() => program.ReadLines(name) is not null, s_answer), Is.True,
            $"no {name} within {s_answer.TotalSeconds} s of SIGUSR1\n{program.Describe()}");
        program.Log($"{name}: {program.ReadLines(name)!.TrimEnd()}");
        return program.ReadLines(name)!.Split(' ', StringSplitOptions.TrimEntries);
    }

    private static string[] Words(params object[] values) =>
        values.Select(v => Convert.ToString(v, CultureInfo.InvariantCulture)!).ToArray();

    /// <summary>Nothing of the tree may run a little after it was told to end.</summary>
    private static void AssertTreeEnds(RealProgram program) =>
        Assert.That(RealProgram.Poll(() => program.LiveTree().Count == 0, TimeSpan.FromSeconds(5)), Is.True,
            $"still running: {string.Join(' ', program.LiveTree())}\n{program.Describe()}");
}
