using System.Runtime.Intrinsics.X86;
using System.Text;
using SessionKeeper.Images.V1;

namespace SessionKeeper.Engine.Dump;

/// <summary>The CPU description for the inventory, from CPUID.</summary>
public static class CpuInfoReader
{
    /// <summary>
    /// Describes this CPU. <paramref name="xsaveFeatures"/> and <paramref name="xsaveSize"/>
    /// come from a dumped XSAVE area (XCR0 is stored in it; reading XCR0 directly needs
    /// xgetbv, which .NET does not expose), so they match the saved state exactly.
    /// </summary>
    public static CpuInfo Read(ulong xsaveFeatures, int xsaveSize)
    {
        var info = new CpuInfo { XsaveFeatures = xsaveFeatures, XsaveSize = (uint)xsaveSize };
        if (!X86Base.IsSupported)
        {
            return info;
        }
        (int _, int ebx, int ecx, int edx) = X86Base.CpuId(0, 0);
        Span<byte> vendor = stackalloc byte[12];
        BitConverter.TryWriteBytes(vendor, ebx);
        BitConverter.TryWriteBytes(vendor[4..], edx);
        BitConverter.TryWriteBytes(vendor[8..], ecx);
        info.Vendor = Encoding.ASCII.GetString(vendor);

        (int eax1, _, int ecx1, int edx1) = X86Base.CpuId(1, 0);
        uint family = (uint)(eax1 >> 8) & 0xf;
        uint model = (uint)(eax1 >> 4) & 0xf;
        if (family == 0xf)
        {
            family += (uint)(eax1 >> 20) & 0xff;
        }
        if (family >= 6)
        {
            model |= ((uint)(eax1 >> 16) & 0xf) << 4;
        }
        info.Family = family;
        info.Model = model;
        info.Stepping = (uint)eax1 & 0xf;
        (_, int ebx7, int ecx7, _) = X86Base.CpuId(7, 0);
        info.CpuidFeatures.Add(((ulong)(uint)ecx1 << 32) | (uint)edx1);
        info.CpuidFeatures.Add(((ulong)(uint)ebx7 << 32) | (uint)ecx7);

        var brand = new StringBuilder();
        Span<byte> part = stackalloc byte[16];
        for (int leaf = unchecked((int)0x80000002); leaf <= unchecked((int)0x80000004); leaf++)
        {
            (int a, int b, int c, int d) = X86Base.CpuId(leaf, 0);
            BitConverter.TryWriteBytes(part, a);
            BitConverter.TryWriteBytes(part[4..], b);
            BitConverter.TryWriteBytes(part[8..], c);
            BitConverter.TryWriteBytes(part[12..], d);
            brand.Append(Encoding.ASCII.GetString(part).TrimEnd('\0'));
        }
        info.ModelName = brand.ToString().Trim();
        return info;
    }
}
