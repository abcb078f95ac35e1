namespace SessionKeeper.Autosave.Tests.Fixtures;

/// <summary>
/// A script given to keeper watch as its save wrapper: it records the command keeper runs
/// (its arguments), then, as the test set it up, exits with a code, waits at a gate (a FIFO)
/// until the test opens it, or runs the real command.
/// </summary>
internal sealed class SaveRecorder : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("keeper-save-").FullName;

    public SaveRecorder()
    {
        File.WriteAllText(Script, $$"""
            #!/bin/sh
            dir='{{_directory}}'
            printf '%s\n' "$@" > "$dir/argv"
            for fd in /proc/$$/fd/*; do [ "${fd##*/}" -gt 2 ] && readlink "$fd"; done > "$dir/inherited"
            echo started >> "$dir/calls"
            if [ -p "$dir/gate" ]; then read _ < "$dir/gate"; fi
            if [ -e "$dir/exec" ]; then exec "$@"; fi
            exit "$(cat "$dir/exit-code" 2>/dev/null || echo 0)"

            """);
        File.SetUnixFileMode(Script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    public string Script => Path.Combine(_directory, "record-save");

    /// <summary>How many times the save command was started.</summary>
    public int Calls => File.Exists(Path.Combine(_directory, "calls")) ? File.ReadAllLines(Path.Combine(_directory, "calls")).Length : 0;

    /// <summary>The arguments of the last call: the command keeper ran.</summary>
    public IReadOnlyList<string> Argv => File.ReadAllLines(Path.Combine(_directory, "argv"));

    /// <summary>What the descriptors above 2 of the last call were (pipe:[…], a path, …).</summary>
    public IReadOnlyList<string> InheritedDescriptors => File.ReadAllLines(Path.Combine(_directory, "inherited"));

    /// <summary>Makes every following save exit with <paramref name="code"/>.</summary>
    public void ExitWith(int code) => File.WriteAllText(Path.Combine(_directory, "exit-code"), $"{code}\n");

    /// <summary>Makes every following save run the real command after recording it.</summary>
    public void RunTheRealCommand() => File.WriteAllText(Path.Combine(_directory, "exec"), "");

    /// <summary>Makes the following saves wait until <see cref="OpenGate"/>.</summary>
    public void CloseGate() => SessionKeeper.Native.Interop.MakeFifo(Gate, 0x180);

    /// <summary>Lets one waiting save go on.</summary>
    public void OpenGate() => File.WriteAllText(Gate, "go\n");

    /// <summary>Waits until the save command was started <paramref name="count"/> times.</summary>
    public void WaitForCalls(int count) =>
        Assert.That(() => Calls, Is.GreaterThanOrEqualTo(count).After(30_000, 20), $"the save command was not started {count} time(s)");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Gate => Path.Combine(_directory, "gate");
}
