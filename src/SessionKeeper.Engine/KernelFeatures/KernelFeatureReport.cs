using System.Text.Json;

namespace SessionKeeper.Engine;

/// <summary>The results of one <see cref="KernelFeatures.Probe()"/> run.</summary>
public sealed class KernelFeatureReport
{
    private readonly Dictionary<string, FeatureResult> _byName;

    /// <summary>Creates a report.</summary>
    public KernelFeatureReport(IReadOnlyList<FeatureResult> results, TimeSpan elapsed, string kernelRelease,
        IReadOnlyList<int> throwawayPids, IReadOnlyList<string> cleanupProblems)
    {
        Results = results;
        Elapsed = elapsed;
        KernelRelease = kernelRelease;
        ThrowawayPids = throwawayPids;
        CleanupProblems = cleanupProblems;
        _byName = results.ToDictionary(r => r.Name, StringComparer.Ordinal);
    }

    /// <summary>One result per probe, in the order they ran.</summary>
    public IReadOnlyList<FeatureResult> Results { get; }

    /// <summary>Wall time of the whole run, throwaway start-up and clean-up included.</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>The running kernel's release (/proc/sys/kernel/osrelease).</summary>
    public string KernelRelease { get; }

    /// <summary>Every process the probes created; all of them were killed before the report was made.</summary>
    public IReadOnlyList<int> ThrowawayPids { get; }

    /// <summary>Anything that went wrong while killing the throwaways (normally empty).</summary>
    public IReadOnlyList<string> CleanupProblems { get; }

    /// <summary>The result of the probe named <paramref name="name"/> (one of <see cref="KernelFeatures.Names"/>).</summary>
    public FeatureResult this[string name] => _byName[name];

    /// <summary>Essential features that are missing or could not be probed.</summary>
    public IReadOnlyList<FeatureResult> MissingEssential => Results.Where(r => r.Essential && !r.Available).ToList();

    /// <summary>True when every essential feature works.</summary>
    public bool EssentialAvailable => MissingEssential.Count == 0;

    /// <summary>
    /// Throws <see cref="KernelFeatureMissingException"/> naming every feature of
    /// <paramref name="names"/> that is not available, so an operation fails before it touches
    /// a process rather than halfway through.
    /// </summary>
    public void Require(string operation, params string[] names)
    {
        List<FeatureResult> missing = names.Select(n => this[n]).Where(r => !r.Available).ToList();
        if (missing.Count > 0)
        {
            throw new KernelFeatureMissingException(operation, missing);
        }
    }

    /// <summary>
    /// One line: <c>all 19 probes passed</c>, <c>2 essential features missing: a, b</c>, or,
    /// when only optional or informational ones are missing, which those are.
    /// </summary>
    public string Summary
    {
        get
        {
            List<FeatureResult> missingEssential = Results.Where(r => r.Essential && !r.Available).ToList();
            List<FeatureResult> missingOther = Results.Where(r => !r.Essential && !r.Available).ToList();
            if (missingEssential.Count > 0)
            {
                string features = missingEssential.Count == 1 ? "feature" : "features";
                string text = $"{missingEssential.Count} essential {features} missing: {string.Join(", ", missingEssential.Select(r => r.Name))}";
                return missingOther.Count == 0 ? text : $"{text}; also not available: {Describe(missingOther)}";
            }
            if (missingOther.Count == 0)
            {
                return $"all {Results.Count} probes passed";
            }
            return $"all essential features present; {Results.Count - missingOther.Count} of {Results.Count} probes passed; "
                + $"not available: {Describe(missingOther)}";
        }
    }

    private static string Describe(IEnumerable<FeatureResult> results)
        => string.Join(", ", results.Select(r => $"{r.Name} ({r.Importance.ToString().ToLowerInvariant()})"));

    /// <summary>
    /// Writes the report as one JSON object: kernel, elapsedMs, essentialAvailable, summary,
    /// probes (name, importance, essential, state, errno, detail, enables, elapsedMs) and
    /// cleanupProblems. Written by hand, without reflection, so it works under NativeAOT.
    /// </summary>
    public void WriteJson(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("kernel", KernelRelease);
        writer.WriteNumber("elapsedMs", Milliseconds(Elapsed));
        writer.WriteBoolean("essentialAvailable", EssentialAvailable);
        writer.WriteString("summary", Summary);
        writer.WriteStartArray("probes");
        foreach (FeatureResult result in Results)
        {
            writer.WriteStartObject();
            writer.WriteString("name", result.Name);
            writer.WriteString("importance", result.Importance.ToString().ToLowerInvariant());
            writer.WriteBoolean("essential", result.Essential);
            writer.WriteString("state", result.State.ToString().ToLowerInvariant());
            if (result.Errno is { } errno)
            {
                writer.WriteString("errno", errno.ToString());
            }
            else
            {
                writer.WriteNull("errno");
            }
            writer.WriteString("detail", result.Detail);
            writer.WriteString("enables", result.Enables);
            writer.WriteNumber("elapsedMs", Milliseconds(result.Elapsed));
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        writer.WriteStartArray("cleanupProblems");
        foreach (string problem in CleanupProblems)
        {
            writer.WriteStringValue(problem);
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.Flush();
    }

    private static double Milliseconds(TimeSpan time) => Math.Round(time.TotalMilliseconds, 2);
}

/// <summary>An operation needs a kernel feature or privilege this machine lacks.</summary>
public sealed class KernelFeatureMissingException(string operation, IReadOnlyList<FeatureResult> missing)
    : Exception($"{operation} needs {string.Join(", ", missing.Select(r => r.Name))}, missing here: "
        + string.Join("; ", missing.Select(r => r.Detail)) + " (see `keeper check`)")
{
    /// <summary>The features that are not available.</summary>
    public IReadOnlyList<FeatureResult> Missing { get; } = missing;
}
