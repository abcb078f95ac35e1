using System.Buffers.Binary;
using System.Runtime.Intrinsics.X86;

namespace SessionKeeper.Native;

/// <summary>
/// SHA-256 for the snapshot store's checksums and chunk addresses. On processors with the SHA
/// extensions the blocks are hashed by a small function of our own (sha256_blocks.c), mapped
/// into executable memory at first use; elsewhere, and where executable memory is refused,
/// by <see cref="System.Security.Cryptography.SHA256"/>.
/// </summary>
/// <remarks>
/// The reason is start-up, not speed: both run at the same ~1.7 GB/s here. .NET's SHA-256 on
/// Linux is OpenSSL's, and the first hash of a keeper run loaded libssl and libcrypto,
/// resolved several hundred of their symbols and read openssl.cnf — 5–10 ms of every save and
/// restore, whose targets are under 90 ms.
/// </remarks>
public static unsafe partial class Sha256
{
    /// <summary>Bytes in a digest.</summary>
    public const int DigestLength = 32;

    private const int BlockLength = 64;

    // FIPS 180-4, 4.2.2 and 5.3.3.
    private static ReadOnlySpan<uint> RoundConstants =>
    [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ];

    private static ReadOnlySpan<uint> InitialState =>
        [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

    // The byte order pshufb needs to turn each big-endian message word into a host word.
    private static ReadOnlySpan<byte> SwapMask => [3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12];

    private static readonly Accelerated? s_accelerated = Accelerated.TryLoad();

    /// <summary>Whether the SHA-extension code runs (else OpenSSL's SHA-256 through .NET does).</summary>
    public static bool IsAccelerated => s_accelerated is not null;

    /// <summary>Writes the SHA-256 of <paramref name="data"/> into <paramref name="digest"/> (32 bytes).</summary>
    public static void HashData(ReadOnlySpan<byte> data, Span<byte> digest)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(digest.Length, DigestLength, nameof(digest));
        if (s_accelerated is { } code)
        {
            code.Hash(data, digest);
        }
        else
        {
            System.Security.Cryptography.SHA256.HashData(data, digest);
        }
    }

    /// <summary>The SHA-256 of <paramref name="data"/>.</summary>
    public static byte[] HashData(ReadOnlySpan<byte> data)
    {
        byte[] digest = new byte[DigestLength];
        HashData(data, digest);
        return digest;
    }

    /// <summary>The block function in executable memory, with its constants.</summary>
    private sealed class Accelerated
    {
        private readonly delegate* unmanaged<uint*, byte*, nuint, uint*, void> _blocks;
        private readonly uint* _constants;

        private Accelerated(nint code, uint* constants)
        {
            _blocks = (delegate* unmanaged<uint*, byte*, nuint, uint*, void>)code;
            _constants = constants;
        }

        /// <summary>The code mapped and ready, or null when the processor or the system does not allow it.</summary>
        public static Accelerated? TryLoad()
        {
            // SHA extensions: CPUID leaf 7, EBX bit 29; the code also uses SSSE3 and SSE4.1.
            if (!X86Base.IsSupported || !Sse41.IsSupported || !Ssse3.IsSupported || (X86Base.CpuId(7, 0).Ebx & (1 << 29)) == 0)
            {
                return null;
            }
            nuint length = (nuint)Environment.SystemPageSize;
            nint page;
            try
            {
                page = Interop.MapAnonymous(length, populate: false);
            }
            catch (ErrnoException)
            {
                return null;
            }
            // Constants first (read-only from then on), the code after them.
            int constantsLength = (RoundConstants.Length * sizeof(uint)) + SwapMask.Length;
            int codeOffset = (constantsLength + 63) & ~63;
            var bytes = new Span<byte>((void*)page, (int)length);
            RoundConstants.CopyTo(new Span<uint>((void*)page, RoundConstants.Length));
            SwapMask.CopyTo(bytes[(RoundConstants.Length * sizeof(uint))..]);
            BlocksCode.CopyTo(bytes[codeOffset..]);
            // Written, then never writable again while executable (a system that refuses
            // executable anonymous memory, e.g. under an SELinux execmem policy, gets the fallback).
            if (!Interop.TryProtect(page, length, MmapProt.PROT_READ | MmapProt.PROT_EXEC))
            {
                Interop.Unmap(page, length);
                return null;
            }
            return new Accelerated(page + codeOffset, (uint*)page);
        }

        public void Hash(ReadOnlySpan<byte> data, Span<byte> digest)
        {
            uint* state = stackalloc uint[8];
            InitialState.CopyTo(new Span<uint>(state, 8));
            int whole = data.Length / BlockLength;
            fixed (byte* input = data)
            {
                if (whole > 0)
                {
                    _blocks(state, input, (nuint)whole, _constants);
                }
            }
            // The rest, a 1 bit, zeros and the length in bits: one block, or two when the
            // length does not fit behind the rest.
            byte* tail = stackalloc byte[2 * BlockLength];
            var last = new Span<byte>(tail, 2 * BlockLength);
            last.Clear();
            int rest = data.Length - (whole * BlockLength);
            data[(whole * BlockLength)..].CopyTo(last);
            last[rest] = 0x80;
            int blocks = rest + 1 + sizeof(ulong) <= BlockLength ? 1 : 2;
            BinaryPrimitives.WriteUInt64BigEndian(last[((blocks * BlockLength) - sizeof(ulong))..], (ulong)data.Length * 8);
            _blocks(state, tail, (nuint)blocks, _constants);
            for (int i = 0; i < 8; i++)
            {
                BinaryPrimitives.WriteUInt32BigEndian(digest[(i * 4)..], state[i]);
            }
        }
    }
}
