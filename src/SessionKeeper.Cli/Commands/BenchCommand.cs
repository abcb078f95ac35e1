using System.CommandLine;
using System.Text;
using System.Text.Json;
using SessionKeeper.Cli.Bench;

namespace SessionKeeper.Cli.Commands;

/// <summary><c>keeper bench</c>: speed and size figures, measured on sessions the benchmark creates.</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var runs = new Option<int>("--runs") { Description = "Save/restore cycles of the demo screen session.", DefaultValueFactory = _ => 7 };
        var memory = new Option<int>("--memory-mib") { Description = "MiB of touched anonymous memory for the throughput process (0 skips it).", DefaultValueFactory = _ => 1024 };
        var memoryRuns = new Option<int>("--memory-runs") { Description = "Save/restore cycles of the memory process.", DefaultValueFactory = _ => 3 };
        var json = new Option<bool>("--json") { Description = "Print the figures as JSON (every run's value, median, min, max, target)." };
        var command = new Command("bench",
            "Measure save and restore: starts a throwaway screen session (bash, top, vim) and saves it with the tree "
            + "stopped and restores it, --runs times; then a python3 process with --memory-mib MiB of random bytes, "
            + "--memory-runs times. Prints the median and spread of save time, freeze time, restore time (to running "
            + "processes, pids kept), snapshot size against resident memory and memory throughput, each with its "
            + "target. Needs root, screen and python3; takes about a minute.")
        {
            runs, memory, memoryRuns, json,
        };
        CommandRunner.SetHandler(command, (parse, stdout) =>
        {
            if (parse.GetValue(runs) < 1 || parse.GetValue(memory) < 0 || parse.GetValue(memoryRuns) < 1)
            {
                throw new KeeperException("--runs and --memory-runs must be at least 1, --memory-mib at least 0", ReturnCode.UsageError);
            }
            bool quiet = parse.GetValue(json) || Console.IsErrorRedirected;
            IReadOnlyList<Metric> metrics = Benchmark.Run(new BenchOptions
            {
                SessionRuns = parse.GetValue(runs),
                MemoryMiB = parse.GetValue(memory),
                MemoryRuns = parse.GetValue(memoryRuns),
                Progress = quiet && !parse.GetValue(CommandRunner.Verbose) ? null : line => Console.Error.WriteLine(line),
            });
            if (parse.GetValue(json))
            {
                WriteJson(metrics, stdout);
            }
            else
            {
                WriteTable(metrics, stdout);
            }
            return ReturnCode.Success;
        });
        return command;
    }

    private static void WriteTable(IReadOnlyList<Metric> metrics, TextWriter stdout)
    {
        int width = metrics.Max(m => m.Name.Length);
        stdout.WriteLine($"{"figure".PadRight(width)}  {"median",9}  {"min",9}  {"max",9}  {"unit",-10} target");
        foreach (Metric m in metrics)
        {
            string verdict = m.Met switch { true => "  met", false => "  MISSED", null => "" };
            stdout.WriteLine($"{m.Name.PadRight(width)}  {Metric.Format(m.Median),9}  {Metric.Format(m.Min),9}  {Metric.Format(m.Max),9}  {m.Unit,-10} {m.TargetText}{verdict}");
        }
    }

    private static void WriteJson(IReadOnlyList<Metric> metrics, TextWriter stdout)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartArray();
            foreach (Metric m in metrics)
            {
                writer.WriteStartObject();
                writer.WriteString("name", m.Name);
                writer.WriteString("unit", m.Unit);
                // A figure without runs (e.g. repeated saves with --runs 1) has no median.
                foreach ((string key, double value) in new[] { ("median", m.Median), ("min", m.Min), ("max", m.Max) })
                {
                    if (double.IsNaN(value))
                    {
                        writer.WriteNull(key);
                    }
                    else
                    {
                        writer.WriteNumber(key, value);
                    }
                }
                writer.WriteStartArray("runs");
                foreach (double value in m.Values)
                {
                    writer.WriteNumberValue(value);
                }
                writer.WriteEndArray();
                if (m.Target is double target)
                {
                    writer.WriteNumber("target", target);
                    writer.WriteBoolean("higher_is_better", m.HigherIsBetter);
                    writer.WriteBoolean("met", m.Met == true);
                }
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
        }
        stdout.WriteLine(Encoding.UTF8.GetString(buffer.ToArray()));
    }
}
