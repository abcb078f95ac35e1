namespace SessionKeeper.Autosave.Tests.Fixtures;

/// <summary>
/// A stand-in `keeper` on a PATH folder of its own: records its arguments and the pids of its
/// ancestors, prints a line and exits with a code the test chose.
/// </summary>
internal sealed class FakeKeeper : IDisposable
{
    public FakeKeeper()
    {
        Directory.CreateDirectory(Bin);
        Shell.WriteScript(Path.Combine(Bin, "keeper"), $"""
            dir={Shell.Quote(Root)}
            p=$$
            : > "$dir/ancestors.tmp"
            while [ "$p" -gt 1 ]; do p=$(cut -d' ' -f4 "/proc/$p/stat"); echo "$p" >> "$dir/ancestors.tmp"; done
            mv "$dir/ancestors.tmp" "$dir/ancestors"
            printf '%s\n' "$@" > "$dir/argv.tmp"
            mv "$dir/argv.tmp" "$dir/argv"
            cat "$dir/output" 2>/dev/null
            exit "$(cat "$dir/exit-code" 2>/dev/null || echo 0)"
            """);
    }

    public string Root { get; } = Directory.CreateTempSubdirectory("keeper-fake-").FullName;

    /// <summary>The folder to put first on PATH.</summary>
    public string Bin => Path.Combine(Root, "bin");

    /// <summary>Makes the next runs print <paramref name="output"/> and exit with <paramref name="code"/>.</summary>
    public void Answer(int code, string output)
    {
        File.WriteAllText(Path.Combine(Root, "output"), output + "\n");
        File.WriteAllText(Path.Combine(Root, "exit-code"), $"{code}\n");
    }

    /// <summary>Waits up to 30 s for a run; returns its arguments.</summary>
    public IReadOnlyList<string> WaitForRun()
    {
        string argv = Path.Combine(Root, "argv");
        Assert.That(() => File.Exists(argv), Is.True.After(30_000, 20), "keeper was not run");
        return File.ReadAllLines(argv);
    }

    /// <summary>The pids above the last run, from its parent up to pid 1.</summary>
    public IReadOnlyList<int> Ancestors => File.ReadAllLines(Path.Combine(Root, "ancestors")).Select(int.Parse).ToList();

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
