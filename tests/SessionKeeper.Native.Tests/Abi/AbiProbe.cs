using System.Diagnostics;

namespace SessionKeeper.Native.Tests.Abi;

/// <summary>
/// Compiles the C probe under Abi/ (real kernel and libc headers) with the system cc into a
/// temporary directory, runs it once per test run and parses its facts.
/// </summary>
internal sealed class AbiProbe
{
    private static readonly Lazy<AbiProbe> s_instance = new(Build);

    private AbiProbe(IReadOnlyDictionary<string, long> sizes, IReadOnlyDictionary<(string, string), long> offsets, IReadOnlyDictionary<(string, string), long> constants)
    {
        Sizes = sizes;
        Offsets = offsets;
        Constants = constants;
    }

    public static AbiProbe Instance => s_instance.Value;

    /// <summary>sizeof per managed struct name.</summary>
    public IReadOnlyDictionary<string, long> Sizes { get; }

    /// <summary>offsetof per (managed struct, managed field).</summary>
    public IReadOnlyDictionary<(string Struct, string Field), long> Offsets { get; }

    /// <summary>Constant values per (managed enum, member).</summary>
    public IReadOnlyDictionary<(string Enum, string Member), long> Constants { get; }

    private static AbiProbe Build()
    {
        string source = Path.Combine(TestContext.CurrentContext.TestDirectory, "Abi");
        string[] units = Directory.GetFiles(source, "*.c");
        string directory = Directory.CreateTempSubdirectory("keeper-abi-").FullName;
        try
        {
            string binary = Path.Combine(directory, "abi");
            Run("cc", ["-Wall", "-Werror", "-o", binary, .. units]);
            string output = Run(binary, []);
            return Parse(output);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static AbiProbe Parse(string output)
    {
        var sizes = new Dictionary<string, long>();
        var offsets = new Dictionary<(string, string), long>();
        var constants = new Dictionary<(string, string), long>();
        foreach (string line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] parts = line.Split(' ');
            switch (parts[0])
            {
                case "S":
                    sizes.Add(parts[1], long.Parse(parts[2]));
                    break;
                case "F":
                    offsets.Add((parts[1], parts[2]), long.Parse(parts[3]));
                    break;
                case "C":
                    constants.Add((parts[1], parts[2]), long.Parse(parts[3]));
                    break;
                default:
                    throw new FormatException($"unexpected probe output line: {line}");
            }
        }
        return new AbiProbe(sizes, offsets, constants);
    }

    private static string Run(string program, string[] arguments)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {program}");
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited {process.ExitCode}:\n{stderr.Result}");
        }
        return stdout;
    }
}
