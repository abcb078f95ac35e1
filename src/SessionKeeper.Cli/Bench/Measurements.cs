using System.Globalization;

namespace SessionKeeper.Cli.Bench;

/// <summary>One benchmark figure over several runs, with the target it is held to (if any).</summary>
internal sealed class Metric(string name, string unit, double? target = null, bool higherIsBetter = false)
{
    private readonly List<double> _values = [];

    public string Name { get; } = name;
    public string Unit { get; } = unit;
    public double? Target { get; } = target;
    public bool HigherIsBetter { get; } = higherIsBetter;
    public IReadOnlyList<double> Values => _values;

    public void Add(double value) => _values.Add(value);

    public double Median
    {
        get
        {
            double[] sorted = [.. _values.Order()];
            int middle = sorted.Length / 2;
            return sorted.Length == 0 ? double.NaN : sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
        }
    }

    public double Min => _values.Count == 0 ? double.NaN : _values.Min();
    public double Max => _values.Count == 0 ? double.NaN : _values.Max();

    /// <summary>Whether the median meets the target; null without a target.</summary>
    public bool? Met => Target is not double target || _values.Count == 0 ? null : HigherIsBetter ? Median >= target : Median < target;

    public string TargetText => Target is not double target ? "" : $"{(HigherIsBetter ? ">=" : "<")} {Format(target)} {Unit}";

    public static string Format(double value) => double.IsNaN(value) ? "-" : value switch
    {
        >= 100 => value.ToString("F0", CultureInfo.InvariantCulture),
        >= 10 => value.ToString("F1", CultureInfo.InvariantCulture),
        _ => value.ToString("F2", CultureInfo.InvariantCulture),
    };
}
