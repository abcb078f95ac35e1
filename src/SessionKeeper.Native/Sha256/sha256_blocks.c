/*
 * SHA-256 block function with the x86 SHA extensions (SHA-NI), the source of the machine
 * code in ../Sha256Code.cs (regenerate with scripts/gen-sha256-code.sh).
 *
 * keeper maps the compiled bytes into executable memory and calls them, so the code must be
 * position-independent and self-contained: no calls, no data of its own. The round constants
 * and the byte-swap mask come in through `k`, so the compiler emits no .rodata references.
 *
 *   state   the eight working words a..h (FIPS 180-4 order, host-endian)
 *   data    `blocks` 64-byte message blocks
 *   k       the 64 round constants K[0..63], then the 16-byte mask that turns each big-endian
 *           message word into a host word
 */
#include <immintrin.h>
#include <stddef.h>
#include <stdint.h>

/* Two rounds: rnds2 takes (C,D,G,H) and (A,B,E,F) and returns the new (A,B,E,F); the old
   (A,B,E,F) is then the new (C,D,G,H). */
#define TWO_ROUNDS(abef, cdgh, wk)                                  \
    do {                                                            \
        __m128i next_ = _mm_sha256rnds2_epu32((cdgh), (abef), (wk)); \
        (cdgh) = (abef);                                            \
        (abef) = next_;                                             \
    } while (0)

void keeper_sha256_blocks(uint32_t *state, const uint8_t *data, size_t blocks, const uint32_t *k)
{
    const __m128i swap = _mm_loadu_si128((const __m128i *)(k + 64));

    /* Lanes low to high: (f, e, b, a) and (h, g, d, c), the layout rnds2 works on. */
    __m128i lo = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)state), 0xB1);       /* b a d c */
    __m128i hi = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)(state + 4)), 0x1B); /* h g f e */
    __m128i abef = _mm_alignr_epi8(lo, hi, 8);
    __m128i cdgh = _mm_blend_epi16(hi, lo, 0xF0);

    for (; blocks > 0; blocks--, data += 64) {
        const __m128i abef_in = abef, cdgh_in = cdgh;
        /* w[i & 3] holds message words 4i..4i+3 while group i of four rounds runs. */
        __m128i w[4];
        for (int i = 0; i < 4; i++) {
            w[i] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(data + (16 * i))), swap);
        }
#pragma GCC unroll 16
        for (int i = 0; i < 16; i++) {
            if (i >= 4) {
                /* W[t] = s1(W[t-2]) + W[t-7] + s0(W[t-15]) + W[t-16] for the four words of
                   group i, from groups i-4 .. i-1: msg1 adds s0, alignr brings W[t-7],
                   msg2 adds s1 (lanes 2 and 3 from the words it has just made). */
                __m128i g4 = w[i & 3], g3 = w[(i + 1) & 3], g2 = w[(i + 2) & 3], g1 = w[(i + 3) & 3];
                __m128i t = _mm_add_epi32(_mm_sha256msg1_epu32(g4, g3), _mm_alignr_epi8(g1, g2, 4));
                w[i & 3] = _mm_sha256msg2_epu32(t, g1);
            }
            __m128i wk = _mm_add_epi32(w[i & 3], _mm_loadu_si128((const __m128i *)(k + (4 * i))));
            TWO_ROUNDS(abef, cdgh, wk);
            TWO_ROUNDS(abef, cdgh, _mm_shuffle_epi32(wk, 0x0E));
        }
        abef = _mm_add_epi32(abef, abef_in);
        cdgh = _mm_add_epi32(cdgh, cdgh_in);
    }

    /* Back to (a, b, c, d) and (e, f, g, h). */
    __m128i rev = _mm_shuffle_epi32(abef, 0x1B);  /* a b e f */
    __m128i swp = _mm_shuffle_epi32(cdgh, 0xB1);  /* g h c d */
    _mm_storeu_si128((__m128i *)state, _mm_blend_epi16(rev, swp, 0xF0));
    _mm_storeu_si128((__m128i *)(state + 4), _mm_alignr_epi8(swp, rev, 8));
}
