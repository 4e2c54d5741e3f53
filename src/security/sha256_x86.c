/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SHA-256 blocks on the x86 SHA extensions (SHA-NI: AMD since Zen, Intel
 * since Goldmont/Ice Lake): about 20x fewer instructions than the portable
 * rounds, which matters because every create hashes ~18 kB (sha256.c).
 * Compiled for those instructions function by function, and used only
 * where the CPU has them, so the binary still runs on any x86-64.
 *
 * The instructions keep the eight state words as two vectors, ABEF and
 * CDGH (A in the highest lane); SHA256RNDS2 does two rounds from the
 * message words plus round constants in the low half of its third operand,
 * and SHA256MSG1/MSG2 extend the message schedule four words at a time.
 */
#include <immintrin.h>
#include <stdbool.h>
#include <sys/platform/x86.h>

#include "src/security/security-internal.h"

#define SHA_TARGET __attribute__((target("sha,sse4.1,ssse3")))

/* From the features glibc's loader already probed: executing CPUID here
 * would trap to the hypervisor in a VM (tens of microseconds, measured as
 * 1 % of a container's CPU). */
bool security_sha256_x86_usable(void)
{
	return CPU_FEATURE_ACTIVE(SHA) && CPU_FEATURE_ACTIVE(SSE4_1) && CPU_FEATURE_ACTIVE(SSSE3);
}

SHA_TARGET static __m128i load_message(const uint8_t *p)
{
	/* Bytes to big-endian 32-bit words. */
	const __m128i swap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);

	return _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)p), swap);
}

SHA_TARGET void security_sha256_x86_blocks(uint32_t state[8], const uint8_t *data, size_t blocks)
{
	__m128i abcd = _mm_loadu_si128((const __m128i *)state);
	__m128i efgh = _mm_loadu_si128((const __m128i *)(state + 4));
	__m128i badc = _mm_shuffle_epi32(abcd, 0xB1); /* lanes B A D C */
	__m128i hgfe = _mm_shuffle_epi32(efgh, 0x1B); /* lanes H G F E */
	__m128i abef = _mm_alignr_epi8(badc, hgfe, 8);
	__m128i cdgh = _mm_blend_epi16(hgfe, badc, 0xF0);

	for (size_t b = 0; b < blocks; b++, data += 64) {
		const __m128i abef_in = abef, cdgh_in = cdgh;
		__m128i w[4];

		for (int g = 0; g < 4; g++)
			w[g] = load_message(data + 16 * g);
		/* Sixteen groups of four rounds; w[] holds the last four groups
		 * of message words, group g replacing group g - 4. */
		for (int g = 0; g < 16; g++) {
			__m128i wk;

			if (g >= 4) {
				__m128i t = _mm_sha256msg1_epu32(w[g % 4], w[(g + 1) % 4]);

				t = _mm_add_epi32(
				    t, _mm_alignr_epi8(w[(g + 3) % 4], w[(g + 2) % 4], 4));
				w[g % 4] = _mm_sha256msg2_epu32(t, w[(g + 3) % 4]);
			}
			wk = _mm_add_epi32(
			    w[g % 4], _mm_loadu_si128((const __m128i *)&security_sha256_k[4 * g]));
			cdgh = _mm_sha256rnds2_epu32(cdgh, abef, wk);
			abef = _mm_sha256rnds2_epu32(abef, cdgh, _mm_shuffle_epi32(wk, 0x0E));
		}
		abef = _mm_add_epi32(abef, abef_in);
		cdgh = _mm_add_epi32(cdgh, cdgh_in);
	}
	{
		__m128i feba = _mm_shuffle_epi32(abef, 0x1B); /* lanes A B E F */
		__m128i dchg = _mm_shuffle_epi32(cdgh, 0xB1); /* lanes G H C D */

		_mm_storeu_si128((__m128i *)state, _mm_blend_epi16(feba, dchg, 0xF0));
		_mm_storeu_si128((__m128i *)(state + 4), _mm_alignr_epi8(dchg, feba, 8));
	}
}
