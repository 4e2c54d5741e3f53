/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SHA-256 (FIPS 180-4), for the seccomp cache key. A collision-resistant
 * hash matters here: the key is computed from untrusted profiles, and a
 * forged collision would hand one container another's (weaker) filter.
 * None of cinch's dependencies exports one, so it lives here.
 *
 * Every create hashes the resolved profile (the key) and the cached program
 * (its checksum), some 18 kB: where the CPU has the SHA extensions
 * (sha256_x86.c) the blocks go there, otherwise through the portable rounds
 * below.
 */
#include <string.h>

#include "src/security/security-internal.h"

const uint32_t security_sha256_k[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static uint32_t rotr(uint32_t x, unsigned n)
{
	return (x >> n) | (x << (32 - n));
}

static uint32_t load_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void portable_block(uint32_t state[8], const uint8_t block[64])
{
	uint32_t w[64];
	uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
	uint32_t e = state[4], f = state[5], g = state[6], h = state[7];

	for (int i = 0; i < 16; i++)
		w[i] = load_be32(block + 4 * i);
	for (int i = 16; i < 64; i++) {
		uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
		uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);

		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	/* The eight working variables stay in registers; the shift of the
	 * state each round is register renaming, not a memmove. */
	for (int i = 0; i < 64; i++) {
		uint32_t t1 = h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) +
			      security_sha256_k[i] + w[i];
		uint32_t t2 =
		    (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));

		h = g;
		g = f;
		f = e;
		e = d + t1;
		d = c;
		c = b;
		b = a;
		a = t1 + t2;
	}
	state[0] += a;
	state[1] += b;
	state[2] += c;
	state[3] += d;
	state[4] += e;
	state[5] += f;
	state[6] += g;
	state[7] += h;
}

void security_sha256_portable_blocks(uint32_t state[8], const uint8_t *data, size_t blocks)
{
	for (size_t i = 0; i < blocks; i++)
		portable_block(state, data + 64 * i);
}

static void compress_blocks(uint32_t state[8], const uint8_t *data, size_t blocks)
{
#ifdef __x86_64__
	if (security_sha256_x86_usable()) {
		security_sha256_x86_blocks(state, data, blocks);
		return;
	}
#endif
	security_sha256_portable_blocks(state, data, blocks);
}

void security_sha256_init(struct security_sha256 *s)
{
	static const uint32_t initial[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
					    0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

	memcpy(s->state, initial, sizeof(initial));
	s->total = 0;
	s->fill = 0;
}

void security_sha256_update(struct security_sha256 *s, const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t whole;

	s->total += len;
	if (s->fill > 0) {
		size_t n = 64 - s->fill < len ? 64 - s->fill : len;

		memcpy(s->block + s->fill, p, n);
		s->fill += n;
		p += n;
		len -= n;
		if (s->fill < 64)
			return;
		compress_blocks(s->state, s->block, 1);
		s->fill = 0;
	}
	/* Whole blocks straight from the caller's buffer. */
	whole = len / 64;
	if (whole > 0) {
		compress_blocks(s->state, p, whole);
		p += 64 * whole;
		len -= 64 * whole;
	}
	memcpy(s->block, p, len);
	s->fill = len;
}

void security_sha256_final(struct security_sha256 *s, uint8_t out[32])
{
	uint64_t bits = s->total * 8;
	uint8_t pad[72] = {0x80};
	size_t pad_len = (s->fill < 56 ? 56 : 120) - s->fill;

	for (int i = 0; i < 8; i++)
		pad[pad_len + i] = (uint8_t)(bits >> (56 - 8 * i));
	security_sha256_update(s, pad, pad_len + 8);
	for (int i = 0; i < 8; i++) {
		out[4 * i] = (uint8_t)(s->state[i] >> 24);
		out[4 * i + 1] = (uint8_t)(s->state[i] >> 16);
		out[4 * i + 2] = (uint8_t)(s->state[i] >> 8);
		out[4 * i + 3] = (uint8_t)s->state[i];
	}
}
