using System.CommandLine;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using SessionKeeper.Engine;

namespace SessionKeeper.Cli.Commands;

/// <summary><c>keeper check</c>: which kernel features and privileges work on this machine.</summary>
internal static class CheckCommand
{
    private static readonly UTF8Encoding s_utf8 = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var json = new Option<bool>("--json")
        {
            Description = "Print a JSON document (kernel, summary, and per probe: name, importance, state, errno, "
                + "detail, enables) instead of the table.",
        };
        var check = new Command(
            "check",
            "Probe every kernel feature and privilege that saving and restoring need, each by really using it "
            + "on a throwaway `sleep` process or socket (no guessing from the kernel version): ptrace seize and "
            + "interrupt, PTRACE_GET_RSEQ_CONFIGURATION, process_vm_readv, pidfd_getfd with kcmp, clone3 with "
            + "set_tid, ARCH_MAP_VDSO_64, PR_SET_MM_MAP, TCP_REPAIR, /proc/PID/map_files, nftables, the "
            + "capabilities CAP_CHECKPOINT_RESTORE, CAP_SYS_PTRACE, CAP_NET_ADMIN, CAP_SYS_ADMIN and "
            + "CAP_SYS_RESOURCE, writable ns_last_pid and shm_next_id, and soft-dirty page tracking. "
            + "The throwaway processes are killed before keeper exits. Prints a table with what each feature "
            + "enables; with --verbose also what every probe did. Exits with 3 when an essential feature is "
            + "missing, 0 otherwise.");
        check.Options.Add(json);
        CommandRunner.SetHandler(check, (parseResult, stdout) =>
        {
            KernelFeatureReport report = KernelFeatures.Probe();
            if (parseResult.GetValue(json))
            {
                WriteJson(report, stdout);
            }
            else
            {
                WriteTable(report, stdout, parseResult.GetValue(CommandRunner.Verbose));
            }
            foreach (string problem in report.CleanupProblems)
            {
                Console.Error.WriteLine($"warning: {problem}");
            }
            return report.EssentialAvailable ? ReturnCode.Success : ReturnCode.NotSupported;
        });
        return check;
    }

    private static void WriteJson(KernelFeatureReport report, TextWriter stdout)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions
        {
            Indented = true,
            // Read by people and scripts, never embedded in HTML: keep apostrophes and non-ASCII as they are.
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        }))
        {
            report.WriteJson(writer);
        }
        stdout.Write(s_utf8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
        stdout.Write('\n');
        stdout.Flush();
    }

    /// <summary>
    /// One row per probe in aligned columns; the probe's own account below every row that is
    /// not ok (below every row with --verbose), then the summary line.
    /// </summary>
    private static void WriteTable(KernelFeatureReport report, TextWriter stdout, bool verbose)
    {
        string[] header = ["FEATURE", "NEED", "STATE", "ENABLES"];
        List<string[]> rows = report.Results
            .Select(r => new[] { r.Name, Need(r.Importance), r.StateText, r.Enables })
            .ToList();
        int[] widths = Enumerable.Range(0, header.Length - 1)
            .Select(c => rows.Select(row => row[c].Length).Append(header[c].Length).Max())
            .ToArray();
        string indent = new(' ', widths[0] + 2);

        var text = new StringBuilder();
        AppendRow(text, header, widths);
        for (int i = 0; i < rows.Count; i++)
        {
            AppendRow(text, rows[i], widths);
            FeatureResult result = report.Results[i];
            if (verbose || !result.Available)
            {
                text.Append(indent).Append("-> ").Append(result.Detail).Append('\n');
            }
        }
        text.Append('\n');
        text.Append($"kernel {report.KernelRelease}: {report.Summary} ({report.Elapsed.TotalMilliseconds:F0} ms)\n");
        stdout.Write(text.ToString());
        stdout.Flush();
    }

    private static void AppendRow(StringBuilder text, string[] cells, int[] widths)
    {
        for (int c = 0; c < cells.Length - 1; c++)
        {
            text.Append(cells[c].PadRight(widths[c] + 2));
        }
        text.Append(cells[^1]).Append('\n');
    }

    private static string Need(FeatureImportance importance) => importance switch
    {
        FeatureImportance.Essential => "essential",
        FeatureImportance.Optional => "optional",
        _ => "info",
    };
}
