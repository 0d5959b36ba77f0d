/* SPDX-License-Identifier: BSD-3-Clause */
/* A span of packet bytes: pointer plus length, never NUL-terminated. */
#ifndef SF_SPAN_H
#define SF_SPAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct sf_span {
	const uint8_t *p; /* first byte, NULL when absent */
	uint16_t len;     /* bytes */
};

/* The span of @len (< 65536) bytes at @p. */
static inline struct sf_span
sf_span_of(const void *p, size_t len)
{
	return (struct sf_span){(const uint8_t *)p, (uint16_t)len};
}

/* Same bytes (two absent spans are equal). */
static inline bool
sf_span_eq(struct sf_span a, struct sf_span b)
{
	return a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
}

#define SF_FNV1A64_OFFSET 0xcbf29ce484222325ull /**< FNV-1a 64-bit offset basis */

/*
 * FNV-1a 64 over @len bytes at @p, continuing from @h (SF_FNV1A64_OFFSET to start, or a
 * seed). Table hashing only: not a MAC; callers that index by the low bits mix the result.
 */
static inline uint64_t
sf_fnv1a64(uint64_t h, const uint8_t *p, uint16_t len)
{
	uint16_t i;

	for (i = 0; i < len; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

/**
 * 64-bit finalizer (MurmurHash3's fmix64): spreads every input bit over every output bit, for
 * table indexes taken from the low bits of a key. Table hashing only: not a MAC.
 */
static inline uint64_t
sf_mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

#endif
