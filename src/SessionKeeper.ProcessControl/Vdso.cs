using System.Buffers.Binary;
using System.Globalization;

namespace SessionKeeper.ProcessControl;

/// <summary>
/// Locates a <c>syscall</c> instruction inside the vDSO. Every process on this kernel maps the
/// same vDSO image, so the offset found in our own copy holds for any tracee; its first injected
/// system call (before a stub page exists) runs there.
/// </summary>
public static class Vdso
{
    private static readonly Lazy<long> s_syscallOffset = new(FindSyscallOffset);

    /// <summary>Offset of a <c>syscall</c> (0f 05) instruction from the start of [vdso].</summary>
    public static long SyscallOffset => s_syscallOffset.Value;

    /// <summary>
    /// Parses an ELF64 vDSO image and returns the offset of the first <c>syscall</c> inside its
    /// <c>.text</c> section. Only executable code is searched, so data that happens to hold the
    /// bytes 0f 05 cannot be chosen.
    /// </summary>
    public static long FindSyscallInImage(ReadOnlySpan<byte> image)
    {
        if (image.Length < 64 || !image[..4].SequenceEqual("\u007fELF"u8) || image[4] != 2 /* ELFCLASS64 */)
        {
            throw new InvalidDataException("the vDSO is not an ELF64 image");
        }
        ulong shoff = BinaryPrimitives.ReadUInt64LittleEndian(image[0x28..]);
        int shentsize = BinaryPrimitives.ReadUInt16LittleEndian(image[0x3a..]);
        int shnum = BinaryPrimitives.ReadUInt16LittleEndian(image[0x3c..]);
        int shstrndx = BinaryPrimitives.ReadUInt16LittleEndian(image[0x3e..]);
        if (shnum == 0 || shstrndx >= shnum || shoff + (ulong)(shnum * shentsize) > (ulong)image.Length)
        {
            throw new InvalidDataException("the vDSO has no usable section headers");
        }
        ReadOnlySpan<byte> strtabHeader = image[(int)(shoff + (ulong)(shstrndx * shentsize))..];
        int strOffset = (int)BinaryPrimitives.ReadUInt64LittleEndian(strtabHeader[0x18..]);
        for (int i = 0; i < shnum; i++)
        {
            ReadOnlySpan<byte> sh = image[(int)(shoff + (ulong)(i * shentsize))..];
            int nameOffset = (int)BinaryPrimitives.ReadUInt32LittleEndian(sh);
            ReadOnlySpan<byte> name = image[(strOffset + nameOffset)..];
            name = name[..name.IndexOf((byte)0)];
            if (!name.SequenceEqual(".text"u8))
            {
                continue;
            }
            int offset = (int)BinaryPrimitives.ReadUInt64LittleEndian(sh[0x18..]);
            int size = (int)BinaryPrimitives.ReadUInt64LittleEndian(sh[0x20..]);
            ReadOnlySpan<byte> text = image.Slice(offset, size);
            int at = text.IndexOf((ReadOnlySpan<byte>)[0x0f, 0x05]);
            if (at < 0)
            {
                break;
            }
            return offset + at;
        }
        throw new InvalidDataException("the vDSO's .text holds no syscall instruction");
    }

    private static unsafe long FindSyscallOffset()
    {
        string maps = File.ReadAllText("/proc/self/maps");
        foreach (string line in maps.Split('\n'))
        {
            if (!line.EndsWith("[vdso]", StringComparison.Ordinal))
            {
                continue;
            }
            string range = line[..line.IndexOf(' ')];
            string[] ends = range.Split('-');
            ulong start = ulong.Parse(ends[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            ulong end = ulong.Parse(ends[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            // Our own vDSO is readable in place: it is mapped r-x in this process.
            var image = new ReadOnlySpan<byte>((void*)start, checked((int)(end - start)));
            return FindSyscallInImage(image);
        }
        throw new InvalidOperationException("this process has no [vdso] mapping");
    }
}
