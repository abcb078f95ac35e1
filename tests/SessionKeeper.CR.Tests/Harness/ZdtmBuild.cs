using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace SessionKeeper.CR.Tests.Harness;

/// <summary>A C program did not compile; the message holds the compiler's output.</summary>
public sealed class ZdtmBuildException(string message) : Exception(message);

/// <summary>
/// Compiles the zdtm programs with the system <c>cc</c>, once per test run, into
/// <c>&lt;test output&gt;/zdtm/build</c>. Binaries are named by a hash of their sources and the
/// flags, so an unchanged program is not compiled again in the next run either.
/// </summary>
public static class ZdtmBuild
{
    private static readonly string[] s_flags = ["-O1", "-g", "-Wall", "-Werror", "-D_GNU_SOURCE"];
    private static readonly string[] s_libraries = ["-lpthread", "-lrt"];
    private static readonly TimeSpan s_compileTimeout = TimeSpan.FromSeconds(60);
    private static readonly ConcurrentDictionary<string, Lazy<string>> s_built = new();

    /// <summary>The directory compiled programs go to.</summary>
    public static string OutputDirectory { get; } = Path.Combine(AppContext.BaseDirectory, "zdtm", "build");

    private static string Lib => Path.Combine(ZdtmProgram.SourceRoot, "lib");

    /// <summary>The executable of a test program, compiled with the support library.</summary>
    /// <exception cref="ZdtmBuildException">It did not compile (every later call says so again).</exception>
    public static string Executable(ZdtmProgram program) =>
        Build(program.Group + "-" + program.Name, [Path.Combine(Lib, "zdtm.c"), program.SourcePath],
            [Path.Combine(Lib, "zdtm.h")]);

    /// <summary>The executable of ns_init, pid 1 in namespaces mode.</summary>
    public static string NsInit => Build("ns_init", [Path.Combine(Lib, "ns_init.c")], []);

    private static string Build(string name, string[] sources, string[] headers)
    {
        // Lazy keeps a failure too, so a broken program is compiled once and then reported by
        // each of its test cases.
        return s_built.GetOrAdd(name, _ => new Lazy<string>(() => Compile(name, sources, headers))).Value;
    }

    private static string Compile(string name, string[] sources, string[] headers)
    {
        string output = Path.Combine(OutputDirectory, $"{name}-{Hash(sources.Concat(headers))}");
        if (File.Exists(output))
        {
            return output;
        }
        Directory.CreateDirectory(OutputDirectory);
        // Compile to a temporary name and rename, so a binary under the final name is always
        // complete, even if a run was killed while cc wrote it.
        string temporary = $"{output}.{Environment.ProcessId}.tmp";
        var start = new ProcessStartInfo("cc")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string argument in s_flags.Concat(sources).Concat(s_libraries).Concat(["-o", temporary]))
        {
            start.ArgumentList.Add(argument);
        }
        using Process cc = Process.Start(start) ?? throw new ZdtmBuildException("cc did not start");
        Task<string> stdout = cc.StandardOutput.ReadToEndAsync();
        Task<string> stderr = cc.StandardError.ReadToEndAsync();
        if (!cc.WaitForExit(s_compileTimeout))
        {
            cc.Kill();
            throw new ZdtmBuildException($"cc did not finish {name} within {s_compileTimeout.TotalSeconds} s");
        }
        if (cc.ExitCode != 0)
        {
            File.Delete(temporary);
            throw new ZdtmBuildException(
                $"cc {string.Join(' ', start.ArgumentList)} exited with {cc.ExitCode}:\n{stderr.Result}{stdout.Result}");
        }
        File.Move(temporary, output, overwrite: true);
        return output;
    }

    private static string Hash(IEnumerable<string> files)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(Encoding.UTF8.GetBytes(string.Join(' ', s_flags.Concat(s_libraries))));
        foreach (string file in files)
        {
            sha.AppendData(Encoding.UTF8.GetBytes(Path.GetFileName(file)));
            sha.AppendData(File.ReadAllBytes(file));
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset())[..16];
    }
}
