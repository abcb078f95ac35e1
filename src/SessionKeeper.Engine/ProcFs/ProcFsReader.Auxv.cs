using System.Buffers.Binary;

namespace SessionKeeper.Engine.ProcFs;

/// <summary>One entry of the ELF auxiliary vector (AT_* type and value).</summary>
/// <param name="Type">AT_* number (6 AT_PAGESZ, 16 AT_HWCAP, 25 AT_RANDOM, 33 AT_SYSINFO_EHDR, …).</param>
/// <param name="Value">The value; an address in the target for pointer types.</param>
public readonly record struct AuxvEntry(ulong Type, ulong Value)
{
    /// <summary>AT_NULL: the end of the vector.</summary>
    public const ulong AtNull = 0;

    /// <summary>AT_SYSINFO_EHDR: address of the vDSO ELF header.</summary>
    public const ulong AtSysinfoEhdr = 33;
}

public static partial class ProcFsReader
{
    /// <summary>
    /// Reads /proc/PID/auxv; false when the process is gone. The dump keeps it for
    /// prctl(PR_SET_MM_MAP), which restores it so that getauxval keeps working.
    /// </summary>
    public static bool TryReadAuxv(int pid, out List<AuxvEntry> auxv)
        => TryParseBinaryFile(ProcPath(pid, "auxv"), static bytes => ParseAuxv(bytes), out auxv!);

    /// <summary>Parses the auxv bytes: native-endian (type, value) pairs of 64 bits up to AT_NULL (not included).</summary>
    public static List<AuxvEntry> ParseAuxv(ReadOnlySpan<byte> bytes)
    {
        var entries = new List<AuxvEntry>();
        for (int offset = 0; offset + 16 <= bytes.Length; offset += 16)
        {
            ulong type = BinaryPrimitives.ReadUInt64LittleEndian(bytes[offset..]);
            if (type == AuxvEntry.AtNull)
            {
                break;
            }
            entries.Add(new AuxvEntry(type, BinaryPrimitives.ReadUInt64LittleEndian(bytes[(offset + 8)..])));
        }
        return entries;
    }
}
