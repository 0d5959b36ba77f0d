/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Known scanner User-Agents: a case-insensitive substring search of one short table. Called
 * only for requests already dropped as unknown-source, to count them apart (issue 3).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "dataplane/policy/scanner_ua.h"
#include "dataplane/policy/scanner_ua_table.h"


static inline uint8_t
scanner_ua_lower(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') ? (uint8_t)(c | 0x20) : c;
}

/* The 4 bytes at @p as one word, in memory order. */
static inline uint32_t
scanner_ua_word(const void *p)
{
	uint32_t w;

	memcpy(&w, p, sizeof(w));
	return w;
}

/* Is the rest of @name (after its first 4 bytes) at @p (name->len bytes readable)? */
static bool
scanner_ua_tail_at(const uint8_t *p, const struct scanner_ua_name *name)
{
	for (unsigned int k = SCANNER_UA_MIN_LEN; k < name->len; k++)
		if (scanner_ua_lower(p[k]) != (uint8_t)name->lc[k])
			return false;
	return true;
}

/* Does an entry start at @p, @left bytes readable (>= 4), first byte a candidate? */
static bool
scanner_ua_at(const uint8_t *p, unsigned int left)
{
	const uint8_t lc[SCANNER_UA_MIN_LEN] = {scanner_ua_lower(p[0]), scanner_ua_lower(p[1]),
						scanner_ua_lower(p[2]), scanner_ua_lower(p[3])};
	uint32_t head = scanner_ua_word(lc);

	for (unsigned int j = 0; j < SCANNER_UA_N; j++) {
		const struct scanner_ua_name *n = &scanner_ua_names[j];

		if (scanner_ua_word(n->lc) == head && left >= n->len && scanner_ua_tail_at(p, n))
			return true;
	}
	return false;
}

#if defined(__SSE2__)
/*
 * Candidate starts among 16 positions, 17 bytes readable at @q: bit i is set when q[i] and
 * q[i + 1] are, in either case, the first two bytes of an entry (fr, si, su, sm, va, pp, iw).
 * OR-ing 0x20 folds case and maps no other byte onto a lower-case letter. Two bytes cut the
 * candidates in an ordinary User-Agent (the "SIP" in "PortSIP", "Cisco-SIPGateway") far
 * below the first-byte table's. Callgrind, instructions per call for the eight User-Agents
 * of scripts/bench_gen.py's flood, byte-wise table (8d5ae53) -> this: friendly-scanner
 * 213 -> 230, sipvicious 152 -> 169, sipcli/v1.8 113 -> 130, VaxSIPUserAgent/3.1 228 -> 244,
 * PortSIP VoIP SDK 11.2 908 -> 392, Cisco-SIPGateway/IOS-12.x 873 -> 306, sipsak 0.9.6
 * 481 -> 255, pplsip 133 -> 150: 388 -> 235 on average. A new entry with a new pair of
 * first bytes must be added here; test_scanner_ua's every-entry test fails if not.
 */
static inline unsigned int
scanner_ua_candidates16(const uint8_t *q)
{
	const __m128i fold = _mm_set1_epi8(0x20);
	const __m128i a = _mm_or_si128(_mm_loadu_si128((const __m128i *)(const void *)q), fold);
	const __m128i b =
		_mm_or_si128(_mm_loadu_si128((const __m128i *)(const void *)(q + 1)), fold);
#define UA_EQ(x, c) _mm_cmpeq_epi8((x), _mm_set1_epi8(c))
	__m128i m = _mm_and_si128(UA_EQ(a, 'f'), UA_EQ(b, 'r'));

	m = _mm_or_si128(m, _mm_and_si128(UA_EQ(a, 's'),
					  _mm_or_si128(_mm_or_si128(UA_EQ(b, 'i'), UA_EQ(b, 'u')),
						       UA_EQ(b, 'm'))));
	m = _mm_or_si128(m, _mm_and_si128(UA_EQ(a, 'v'), UA_EQ(b, 'a')));
	m = _mm_or_si128(m, _mm_and_si128(UA_EQ(a, 'p'), UA_EQ(b, 'p')));
	m = _mm_or_si128(m, _mm_and_si128(UA_EQ(a, 'i'), UA_EQ(b, 'w')));
#undef UA_EQ
	return (unsigned int)_mm_movemask_epi8(m);
}
#endif

bool
scanner_ua_is_scanner(struct sf_span ua)
{
	if (ua.p == NULL || ua.len < SCANNER_UA_MIN_LEN)
		return false;
#if defined(__SSE2__)
	/*
	 * Scanners name themselves first ("friendly-scanner", "sipvicious/0.3"): position 0 is
	 * tried alone, before the vector set-up a match there does not need. Then start positions
	 * 1..last, 16 per step; the last step reads a zero-padded copy.
	 */
	const unsigned int last = ua.len - SCANNER_UA_MIN_LEN;
	uint8_t pad[32];

	if (scanner_ua_first[scanner_ua_lower(ua.p[0])] && scanner_ua_at(ua.p, ua.len))
		return true;
	for (unsigned int off = 0; off <= last; off += 16) {
		const uint8_t *q = ua.p + off;
		unsigned int m;

		if (ua.len - off < 17u) {
			memset(pad, 0, sizeof(pad));
			memcpy(pad, q, ua.len - off);
			q = pad;
		}
		m = scanner_ua_candidates16(q);
		if (off == 0)
			m &= ~1u; /* position 0 was tried above */
		if (last - off < 15u)
			m &= (2u << (last - off)) - 1u;
		for (; m != 0; m &= m - 1) {
			unsigned int i = off + (unsigned int)__builtin_ctz(m);

			if (scanner_ua_at(ua.p + i, ua.len - i))
				return true;
		}
	}
	return false;
#else
	for (unsigned int i = 0; i + SCANNER_UA_MIN_LEN <= ua.len; i++)
		if (scanner_ua_first[scanner_ua_lower(ua.p[i])] &&
		    scanner_ua_at(ua.p + i, ua.len - i))
			return true;
	return false;
#endif
}
