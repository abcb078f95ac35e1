using System.Globalization;
using System.Runtime.InteropServices;
using SessionKeeper.Native;

namespace SessionKeeper.Engine;

/// <summary>One line of /proc/PID/maps, as far as the probes need it.</summary>
internal readonly record struct ProbeMapping(ulong Start, ulong End, string Name)
{
    public ulong Length => End - Start;
}

/// <summary>The /proc reads and remote-memory helpers the probes share.</summary>
internal static class ProbeProcFs
{
    /// <summary>The mappings of <paramref name="pid"/> in address order.</summary>
    public static List<ProbeMapping> Maps(int pid)
    {
        var entries = new List<ProbeMapping>();
        foreach (string line in File.ReadAllLines($"/proc/{pid}/maps"))
        {
            // start-end perms offset dev inode [name]; the name may contain spaces.
            string[] parts = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
            int dash = parts[0].IndexOf('-');
            entries.Add(new ProbeMapping(
                ulong.Parse(parts[0].AsSpan(0, dash), NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                ulong.Parse(parts[0].AsSpan(dash + 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                parts.Length > 5 ? parts[5].Trim() : ""));
        }
        return entries;
    }

    /// <summary>
    /// The numeric fields of /proc/PID/stat, indexed by their proc(5) number (1 = pid); the
    /// name (field 2) is skipped because it may contain spaces and parentheses.
    /// </summary>
    public static ulong[] StatFields(int pid)
    {
        string stat = File.ReadAllText($"/proc/{pid}/stat").TrimEnd();
        string[] rest = stat[(stat.LastIndexOf(')') + 2)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var fields = new ulong[rest.Length + 3];
        // Field 3 is the state letter; numbers start at field 4. Most are unsigned (rsslim may
        // be 2^64-1), a few signed (priority, nice): those keep their two's complement bits.
        for (int i = 1; i < rest.Length; i++)
        {
            fields[i + 3] = rest[i].StartsWith('-')
                ? (ulong)long.Parse(rest[i], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture)
                : ulong.Parse(rest[i], NumberStyles.None, CultureInfo.InvariantCulture);
        }
        return fields;
    }

    /// <summary>An integer sysctl or other one-number file.</summary>
    public static long ReadNumber(string path)
        => long.Parse(File.ReadAllText(path).Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);

    /// <summary>Writes <paramref name="data"/> into another process with process_vm_writev; all of it or an exception.</summary>
    public static unsafe void WriteRemote(int pid, ulong address, ReadOnlySpan<byte> data)
    {
        fixed (byte* p = data)
        {
            var local = new IoVec(p, (nuint)data.Length);
            var remote = new IoVec((void*)address, (nuint)data.Length);
            long written = Interop.ProcessVmWritev(pid, new ReadOnlySpan<IoVec>(in local), new ReadOnlySpan<IoVec>(in remote));
            if (written != data.Length)
            {
                throw new InvalidOperationException($"process_vm_writev on pid {pid} at 0x{address:x} wrote {written} of {data.Length} bytes");
            }
        }
    }

    /// <summary>Reads from another process with process_vm_readv; returns how many bytes came (short at an unmapped page).</summary>
    public static unsafe long ReadRemote(int pid, ulong address, Span<byte> buffer)
    {
        fixed (byte* p = buffer)
        {
            var local = new IoVec(p, (nuint)buffer.Length);
            var remote = new IoVec((void*)address, (nuint)buffer.Length);
            return Interop.ProcessVmReadv(pid, new ReadOnlySpan<IoVec>(in local), new ReadOnlySpan<IoVec>(in remote));
        }
    }

    /// <summary>The bytes of a kernel ABI struct, for writing it into a tracee.</summary>
    public static ReadOnlySpan<byte> Bytes<T>(in T value)
        where T : unmanaged
        => MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in value));
}
