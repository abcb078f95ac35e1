using System.Reflection;

namespace SessionKeeper.CR.Tests.Harness;

/// <summary>One C test program under <c>tests/zdtm/&lt;group&gt;/&lt;name&gt;.c</c>.</summary>
public sealed record ZdtmProgram(string Group, string Name, string SourcePath)
{
    /// <summary>The groups of real C/R tests; <c>selftest</c> holds the harness's own fixtures.</summary>
    public static readonly IReadOnlyList<string> TestGroups = ["static", "streaming"];

    /// <summary>The <c>tests/zdtm</c> directory of the checkout this assembly was built from.</summary>
    public static string SourceRoot { get; } = FindSourceRoot();

    /// <summary><c>group/name</c>.</summary>
    public string Id => $"{Group}/{Name}";

    /// <summary>Every program of the given groups, in a stable order.</summary>
    public static IReadOnlyList<ZdtmProgram> Discover(IEnumerable<string> groups) =>
        groups
            .SelectMany(group => Directory.EnumerateFiles(Path.Combine(SourceRoot, group), "*.c")
                .Select(path => new ZdtmProgram(group, Path.GetFileNameWithoutExtension(path), path)))
            .OrderBy(program => program.Id, StringComparer.Ordinal)
            .ToArray();

    /// <summary>One program by group and name.</summary>
    public static ZdtmProgram Get(string group, string name)
    {
        string path = Path.Combine(SourceRoot, group, name + ".c");
        return File.Exists(path)
            ? new ZdtmProgram(group, name, path)
            : throw new FileNotFoundException($"no zdtm program {group}/{name}", path);
    }

    /// <inheritdoc/>
    public override string ToString() => Id;

    // The sources are compiled at test time, so the tests need the checkout, not a copy in the
    // output directory: the project file records where it is.
    private static string FindSourceRoot()
    {
        string? path = typeof(ZdtmProgram).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "ZdtmSourceDirectory")?.Value;
        return path is not null && Directory.Exists(path)
            ? Path.GetFullPath(path)
            : throw new DirectoryNotFoundException($"tests/zdtm not found (recorded at build: '{path}')");
    }
}
