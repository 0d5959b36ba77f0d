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
#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "dataplane/policy/scanner_ua.h"
#include "dataplane/policy/scanner_ua_table.h"

/* The 4 bytes at @p as one word, in memory order. */
static inline uint32_t
scanner_ua_word(const void *p)
{
	uint32_t w;

	memcpy(&w, p, sizeof(w));
	return w;
}

/*
 * Bytes of packet word @a that differ from lower-case name word @b: a letter of the name
 * (bit 6 set) matches its byte in either case (OR 0x20), anything else only itself.
 */
static inline uint64_t
scanner_ua_word_diff(uint64_t a, uint64_t b)
{
	return (a | ((b >> 1) & 0x2020202020202020ull)) ^ b;
}

/* The 4 bytes at @p that differ from lower-case name bytes @lit (scanner_ua_word_diff()). */
static inline uint32_t
scanner_ua_word4_diff(const uint8_t *p, const char *lit)
{
	uint32_t a, b;

	memcpy(&a, p, 4);
	memcpy(&b, lit, 4);
	return (a | ((b >> 1) & 0x20202020u)) ^ b;
}

/*
 * Is @name at @p (name->len bytes readable)? Two overlapping compares of its first and last
 * 4 or 8 bytes: 4 to 8 bytes as two words of 4, 9 to 16 as two of 8.
 */
static inline bool
scanner_ua_eq(const uint8_t *p, const struct scanner_ua_name *name)
{
	uint64_t a, b, d;
	unsigned int n = name->len;

	if (n <= 8)
		return (scanner_ua_word4_diff(p, name->lc) |
			scanner_ua_word4_diff(p + n - 4, name->lc + n - 4)) == 0;
	memcpy(&a, p, 8);
	memcpy(&b, name->lc, 8);
	d = scanner_ua_word_diff(a, b);
	memcpy(&a, p + n - 8, 8);
	memcpy(&b, name->lc + n - 8, 8);
	return (d | scanner_ua_word_diff(a, b)) == 0;
}

/*
 * Does an entry start at @p, @left bytes readable (>= 4)? The first 4 bytes, folded, pick
 * the one entry they can be (scanner_ua_slots, a perfect hash); OR-ing 0x20 over-folds
 * non-letters (CR would pass for '-'), so the candidate is then compared exactly, head
 * included. Before (8d5ae53..2448923) each start compared the heads of all ten entries.
 */
static inline bool
scanner_ua_at(const uint8_t *p, unsigned int left)
{
	const struct scanner_ua_slot *s;
	uint32_t w = scanner_ua_word(p) | 0x20202020u;

	s = &scanner_ua_slots[(uint32_t)(w * SCANNER_UA_HASH_MUL) >> 28];
	if (w != s->head)
		return false;
	return left >= scanner_ua_names[s->index].len &&
	       scanner_ua_eq(p, &scanner_ua_names[s->index]);
}

/*
 * Copy @ua (SCANNER_UA_MIN_LEN to 16 bytes) to the start of @buf with two overlapping loads
 * of 8 (or of 4 under 8 bytes): no memcpy call, no byte loop. The searches run their SIMD
 * step over the zeroed buffer instead of past the span's end.
 */
static inline __attribute__((always_inline)) void
scanner_ua_copy_short(uint8_t *buf, struct sf_span ua)
{
	uint64_t w8;
	uint32_t w4;

	if (ua.len >= 8) {
		memcpy(&w8, ua.p, 8);
		memcpy(buf, &w8, 8);
		memcpy(&w8, ua.p + ua.len - 8, 8);
		memcpy(buf + ua.len - 8, &w8, 8);
	} else {
		memcpy(&w4, ua.p, 4);
		memcpy(buf, &w4, 4);
		memcpy(&w4, ua.p + ua.len - 4, 4);
		memcpy(buf + ua.len - 4, &w4, 4);
	}
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

/* Is an entry at one of the start positions in @m (bit i: ua.p + off + i, off + i <= last)? */
static inline __attribute__((always_inline)) bool
scanner_ua_any_at(struct sf_span ua, unsigned int off, uint64_t m)
{
	for (; m != 0; m &= m - 1) {
		unsigned int i = off + (unsigned int)__builtin_ctzll(m);

		if (scanner_ua_at(ua.p + i, ua.len - i))
			return true;
	}
	return false;
}

#if defined(__SSE2__)
/*
 * scanner_ua_search() past 33 bytes: 16 positions per step, where 17 bytes are readable; the
 * last step reads the span's last 17 bytes and shifts out the positions already tried (no
 * copy). Out of line, so the common lengths' search saves no registers.
 */
static __attribute__((noinline)) bool
scanner_ua_search_long(struct sf_span ua)
{
	unsigned int last = ua.len - SCANNER_UA_MIN_LEN;
	uint64_t m;

	for (unsigned int off = 0; off <= last; off += 16) {
		unsigned int b;

		if (off + 17u <= ua.len) {
			m = scanner_ua_candidates16(ua.p + off);
		} else {
			b = ua.len - 17u;
			m = scanner_ua_candidates16(ua.p + b) >> (off - b);
		}
		if (off == 0)
			m &= ~1u; /* position 0 was tried above */
		if (last - off < 15u)
			m &= (2u << (last - off)) - 1u;
		if (scanner_ua_any_at(ua, off, m))
			return true;
	}
	return false;
}
#endif

/*
 * Start positions 1 .. ua.len - SCANNER_UA_MIN_LEN. Out of line: its set-up (the SSE2
 * constants) is not paid by a match at position 0.
 */
static __attribute__((noinline)) bool
scanner_ua_search(struct sf_span ua)
{
	unsigned int last = ua.len - SCANNER_UA_MIN_LEN;

#if defined(__SSE2__)
	uint64_t m;

	/*
	 * Up to 33 bytes (most User-Agents) in one go: the candidates of the first 16 and of the
	 * last 16 start positions (the span's first and last 17 bytes, overlapping) in one mask,
	 * then the candidates are compared. Callgrind, "PortSIP VoIP SDK 11.2" and
	 * "Cisco-SIPGateway/IOS-12.x": 186 -> 141 instructions per call (the longer search out
	 * of line included) against a loop of 16-position steps that tested each step's
	 * candidates before the next.
	 */
	if (ua.len >= 17 && ua.len <= 33) {
		m = scanner_ua_candidates16(ua.p) |
		    (uint64_t)scanner_ua_candidates16(ua.p + ua.len - 17) << (ua.len - 17);
		return scanner_ua_any_at(ua, 0, m & ((2ull << last) - 2u)); /* positions 1..last */
	}
	if (ua.len > 33)
		return scanner_ua_search_long(ua);
	/*
	 * Shorter ones ("sipsak 0.9.6"): the span copied into a zeroed buffer (two overlapping
	 * loads, no memcpy call) and one step over it; a zero byte folds to SP, which starts no
	 * pair. Candidates are compared in the span itself (i <= last: 4 bytes readable).
	 * Callgrind, "sipsak 0.9.6": 183 -> 121 instructions per call against a byte-wise loop
	 * over the first-byte table.
	 */
	if (last != 0) {
		uint8_t buf[32] __attribute__((aligned(16)));

		_mm_store_si128((__m128i *)(void *)buf, _mm_setzero_si128());
		_mm_store_si128((__m128i *)(void *)(buf + 16), _mm_setzero_si128());
		scanner_ua_copy_short(buf, ua);
		m = scanner_ua_candidates16(buf) & ((2u << last) - 2u); /* positions 1..last */
		return scanner_ua_any_at(ua, 0, m);
	}
	return false;
#else
	/* OR 0x20 maps exactly the first letters' two cases onto the lower one (a prefilter). */
	for (unsigned int i = 1; i <= last; i++)
		if (scanner_ua_first[ua.p[i] | 0x20] &&
		    scanner_ua_at(ua.p + i, ua.len - i))
			return true;
	return false;
#endif
}

#if defined(__x86_64__) && defined(__SSE2__) && (defined(__GNUC__) || defined(__clang__))
#define SCANNER_UA_AVX2 1
/*
 * scanner_ua_candidates32()'s constants, 32 bytes each: gcc built every _mm256_set1_epi8()
 * from an immediate (mov, vmovd, vpbroadcastb: 30 instructions a call); read from memory
 * through a pointer it cannot fold (SCANNER_UA_K()), each is a compare's operand.
 */
enum { UA_K_FOLD, UA_K_F, UA_K_R, UA_K_S, UA_K_I, UA_K_U, UA_K_M, UA_K_V, UA_K_A, UA_K_P,
       UA_K_W, UA_K_N };
#define UA_K32(c) {c, c, c, c, c, c, c, c, c, c, c, c, c, c, c, c, \
		   c, c, c, c, c, c, c, c, c, c, c, c, c, c, c, c}
static const uint8_t scanner_ua_k[UA_K_N][32] __attribute__((aligned(32))) = {
	UA_K32(0x20), UA_K32('f'), UA_K32('r'), UA_K32('s'), UA_K32('i'), UA_K32('u'),
	UA_K32('m'), UA_K32('v'), UA_K32('a'), UA_K32('p'), UA_K32('w'),
};
#undef UA_K32

/* scanner_ua_candidates16() over 32 start positions, 33 bytes readable at @q. */
static inline __attribute__((always_inline, target("avx2"))) uint32_t
scanner_ua_candidates32(const uint8_t *q, const uint8_t (*k)[32])
{
#define UA_K(i) _mm256_load_si256((const __m256i *)(const void *)k[i])
	const __m256i a = _mm256_or_si256(_mm256_loadu_si256((const __m256i *)(const void *)q),
					  UA_K(UA_K_FOLD));
	const __m256i b = _mm256_or_si256(
		_mm256_loadu_si256((const __m256i *)(const void *)(q + 1)), UA_K(UA_K_FOLD));
#define UA_EQ(x, c) _mm256_cmpeq_epi8((x), UA_K(c))
	__m256i m = _mm256_and_si256(UA_EQ(a, UA_K_F), UA_EQ(b, UA_K_R));

	m = _mm256_or_si256(m, _mm256_and_si256(UA_EQ(a, UA_K_S),
						_mm256_or_si256(_mm256_or_si256(UA_EQ(b, UA_K_I),
										UA_EQ(b, UA_K_U)),
								UA_EQ(b, UA_K_M))));
	m = _mm256_or_si256(m, _mm256_and_si256(UA_EQ(a, UA_K_V), UA_EQ(b, UA_K_A)));
	m = _mm256_or_si256(m, _mm256_and_si256(UA_EQ(a, UA_K_P), UA_EQ(b, UA_K_P)));
	m = _mm256_or_si256(m, _mm256_and_si256(UA_EQ(a, UA_K_I), UA_EQ(b, UA_K_W)));
#undef UA_EQ
#undef UA_K
	return (uint32_t)_mm256_movemask_epi8(m);
}

/* scanner_ua_k, as a pointer the compiler cannot see through (so it does not fold it). */
#define SCANNER_UA_K(k)                          \
	do {                                     \
		(k) = scanner_ua_k;              \
		__asm__("" : "+r"(k));           \
	} while (0)

/* scanner_ua_search_avx2() past 65 bytes, 32 positions a step (scanner_ua_search_long()). */
static __attribute__((noinline, target("avx2"))) bool
scanner_ua_search_avx2_long(struct sf_span ua)
{
	unsigned int last = ua.len - SCANNER_UA_MIN_LEN, off, b;
	const uint8_t(*k)[32];
	uint64_t m;

	SCANNER_UA_K(k);
	for (off = 0; off <= last; off += 32) {
		if (off + 33u <= ua.len) {
			m = scanner_ua_candidates32(ua.p + off, k);
		} else {
			b = ua.len - 33u;
			m = scanner_ua_candidates32(ua.p + b, k) >> (off - b);
		}
		if (off == 0)
			m &= ~1ull; /* position 0 was tried above */
		if (last - off < 31u)
			m &= (2ull << (last - off)) - 1u;
		if (scanner_ua_any_at(ua, off, m))
			return true;
	}
	return false;
}

/*
 * scanner_ua_search() for CPUs with AVX2 (chosen at run time): 32 start positions per step,
 * three-operand compares without register copies. Up to 32 bytes the span is copied into a
 * zeroed buffer (a zero byte folds to SP, which starts no pair), up to 65 bytes two
 * overlapping steps cover it, longer ones go 32 positions at a time. Callgrind per call
 * (scanner_ua_is_scanner()): "PortSIP VoIP SDK 11.2", "Cisco-SIPGateway/IOS-12.x" 141 -> 110,
 * "sipsak 0.9.6" 121 -> 120 against the SSE2 search; flood_unknown's scanner test 73 -> 65 a
 * frame.
 */
static __attribute__((noinline, target("avx2"))) bool
scanner_ua_search_avx2(struct sf_span ua)
{
	unsigned int last = ua.len - SCANNER_UA_MIN_LEN;
	const uint8_t(*k)[32];
	uint64_t m;

	if (ua.len > 65)
		return scanner_ua_search_avx2_long(ua);
	SCANNER_UA_K(k);
	if (ua.len > 32) {
		m = scanner_ua_candidates32(ua.p, k) |
		    (uint64_t)scanner_ua_candidates32(ua.p + ua.len - 33, k) << (ua.len - 33);
		return scanner_ua_any_at(ua, 0, m & ((2ull << last) - 2u)); /* positions 1..last */
	}
	if (last == 0)
		return false;
	{
		uint8_t buf[64];

		_mm256_storeu_si256((__m256i *)(void *)buf, _mm256_setzero_si256());
		_mm256_storeu_si256((__m256i *)(void *)(buf + 32), _mm256_setzero_si256());
		if (ua.len >= 16) {
			_mm_storeu_si128((__m128i *)(void *)buf,
					 _mm_loadu_si128((const __m128i *)(const void *)ua.p));
			_mm_storeu_si128(
				(__m128i *)(void *)(buf + ua.len - 16),
				_mm_loadu_si128((const __m128i *)(const void *)(ua.p + ua.len - 16)));
		} else {
			scanner_ua_copy_short(buf, ua);
		}
		m = scanner_ua_candidates32(buf, k) & ((2ull << last) - 2u); /* positions 1..last */
		return scanner_ua_any_at(ua, 0, m);
	}
}
#endif

/* scanner_ua_is_scanner() past position 0, with the search the CPU allows. */
static inline bool
scanner_ua_search_any(struct sf_span ua)
{
#if defined(SCANNER_UA_AVX2)
	if (__builtin_cpu_supports("avx2"))
		return scanner_ua_search_avx2(ua);
#endif
	return scanner_ua_search(ua);
}

bool
scanner_ua_is_scanner_portable(struct sf_span ua)
{
	if (ua.p == NULL || ua.len < SCANNER_UA_MIN_LEN)
		return false;
	return scanner_ua_at(ua.p, ua.len) || scanner_ua_search(ua);
}

bool
scanner_ua_is_scanner(struct sf_span ua)
{
	if (ua.p == NULL || ua.len < SCANNER_UA_MIN_LEN)
		return false;
	/* Scanners name themselves first ("friendly-scanner", "sipvicious/0.3"): position 0
	 * alone, before any set-up a match there does not need (callgrind, bench_gen.py's
	 * eight User-Agents: a match at 0 cost 59 instructions with the search in the same
	 * function, its saved registers included). */
	if (scanner_ua_at(ua.p, ua.len))
		return true;
	return scanner_ua_search_any(ua);
}
