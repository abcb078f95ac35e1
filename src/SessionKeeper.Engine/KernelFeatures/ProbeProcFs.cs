using SessionKeeper.Engine.ProcFs;
using System.Globalization;
using System.Runtime.InteropServices;
using SessionKeeper.Native;

namespace SessionKeeper.Engine;

/// <summary>The small /proc reads and byte helpers the probes share.</summary>
internal static class ProbeProcFs
{
    /// <summary>The mappings of <paramref name="pid"/> in address order; the throwaway must still exist.</summary>
    public static List<MapEntry> Maps(int pid)
        => ProcFsReader.TryReadMaps(pid, out List<MapEntry> maps) ? maps : throw new InvalidOperationException($"pid {pid} vanished");

    /// <summary>An integer sysctl or other one-number file.</summary>
    public static long ReadNumber(string path)
        => long.Parse(File.ReadAllText(path).Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);

    /// <summary>The bytes of a kernel ABI struct, for writing it into a tracee.</summary>
    public static ReadOnlySpan<byte> Bytes<T>(in T value)
        where T : unmanaged
        => MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in value));
}
