/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The skim: the cheap first look at a datagram from an unknown source. Start line, then only
 * the From, To, User-Agent and credential lines are identified; every other line is skipped
 * with a 64-byte LF mask.
 */
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include <string.h>

#include "dataplane/sip/scan_impl.h"

/*
 * The byte after an LF, and the first byte of the first header line: one table load says
 * what comes next. Skim names: the first bytes of From/f, To/t, User-Agent, Authorization,
 * Proxy-Authorization in either case; every other line is skipped unread.
 */
#define SK_FOLD 0x01 /* SP, HT after an LF: the line goes on (folding) */
#define SK_END 0x02  /* CR at a line start: the empty line that ends the headers */
#define SK_NAME 0x04 /* at a line start: a header the skim must identify */
/* With SK_NAME, which full name skim_headers_fast() tries first (one compare, no switch). */
#define SK_F 0x08 /* From */
#define SK_T 0x10 /* To */
#define SK_U 0x20 /* User-Agent */
static const uint8_t sc_skim_class[256] = {
	[' '] = SK_FOLD, ['\t'] = SK_FOLD, ['\r'] = SK_END,
	['A'] = SK_NAME, ['a'] = SK_NAME, ['F'] = SK_NAME | SK_F, ['f'] = SK_NAME | SK_F,
	['P'] = SK_NAME, ['p'] = SK_NAME, ['T'] = SK_NAME | SK_T, ['t'] = SK_NAME | SK_T,
	['U'] = SK_NAME | SK_U, ['u'] = SK_NAME | SK_U,
};

/*
 * The skim's line-end iterator: LFs are found 64 bytes at a time as a bit mask (bit i =
 * byte blk[i]), so a skipped header line costs a few instructions per LF instead of a search
 * per line. [data, e) is readable. Measured on the flood corpus (corpus_bench skim_one,
 * tests/callgrind/README.md): a 16-byte mask per step cost more than find_lf() per line.
 */
struct lf_iter {
	const uint8_t *data, *blk, *e;
	uint64_t m; /* LFs of blk[0..63] not yet returned */
};

/* Bit mask of the LFs in blk[0 .. min(16, e - blk)); blk < e. */
static inline __attribute__((always_inline)) unsigned int
lf_mask16(const uint8_t *data, const uint8_t *blk, const uint8_t *e)
{
	unsigned int m = 0;
	ptrdiff_t i, n = e - blk;

#if defined(__SSE2__)
	const __m128i lf = _mm_set1_epi8('\n');

	if (n >= 16)
		return (unsigned int)_mm_movemask_epi8(
			_mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)blk), lf));
	if (e - data >= 16) {
		/* The last 16 readable bytes; shift out the ones before blk. */
		m = (unsigned int)_mm_movemask_epi8(_mm_cmpeq_epi8(
			_mm_loadu_si128((const __m128i *)(const void *)(e - 16)), lf));
		return m >> (16 - n);
	}
#else
	(void)data;
#endif
	for (i = 0; i < n && i < 16; i++)
		m |= (unsigned int)(blk[i] == '\n') << i;
	return m;
}

/* Bit mask of the LFs in the 64 bytes at q (all readable). */
static inline __attribute__((always_inline)) uint64_t
lf_mask64_full(const uint8_t *q)
{
	uint64_t m;
#if defined(__SSE2__)
	const __m128i lf = _mm_set1_epi8('\n');
	const __m128i *v = (const __m128i *)(const void *)q;

	m = (uint64_t)(unsigned int)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128(v), lf));
	m |= (uint64_t)(unsigned int)_mm_movemask_epi8(
		     _mm_cmpeq_epi8(_mm_loadu_si128(v + 1), lf)) << 16;
	m |= (uint64_t)(unsigned int)_mm_movemask_epi8(
		     _mm_cmpeq_epi8(_mm_loadu_si128(v + 2), lf)) << 32;
	m |= (uint64_t)(unsigned int)_mm_movemask_epi8(
		     _mm_cmpeq_epi8(_mm_loadu_si128(v + 3), lf)) << 48;
#else
	m = 0;
	for (unsigned int k = 0; k < 64; k++)
		m |= (uint64_t)(q[k] == '\n') << k;
#endif
	return m;
}

/*
 * Bit mask of the LFs in blk[0 .. min(64, e - blk)); blk < e. A short last block reads the
 * last 64 readable bytes once and shifts out the ones before blk (one step instead of up to
 * four 16-byte ones); only a datagram under 64 bytes goes 16 bytes at a time.
 */
static inline __attribute__((always_inline)) uint64_t
lf_mask64(const uint8_t *data, const uint8_t *blk, const uint8_t *e)
{
	uint64_t m = 0;
	unsigned int k;

	if (e - blk >= 64)
		return lf_mask64_full(blk);
	if (e - data >= 64)
		return lf_mask64_full(e - 64) >> (64 - (e - blk));
	for (k = 0; k < 64 && blk + k < e; k += 16)
		m |= (uint64_t)lf_mask16(data, blk + k, e) << k;
	return m;
}

/* An identified header's value [v, lf - 1) into @out, trimmed, as sip_scan() keeps it. */
static inline __attribute__((always_inline)) enum sip_scan_status
skim_take(struct sip_skim *out, enum sip_scan_hdr h, const uint8_t *v, const uint8_t *lf)
{
	/* Usually exactly one SP after the ':' (then v[1] is readable: v < lf - 1). */
	if (v[0] == ' ' && !is_cl(v[1], CL_LWS))
		v++;
	else
		v = skip_lws(v, lf - 1);
	switch (h) {
	case SIP_HDR_FROM:
	case SIP_HDR_TO:
		/* Seen before: its span is set (a value in the datagram is never NULL). */
		if (SCAN_UNLIKELY((h == SIP_HDR_FROM ? out->from.p : out->to.p) != NULL))
			return SIP_SCAN_ERR_DUP_HEADER;
		*(h == SIP_HDR_FROM ? &out->from : &out->to) = span(v, rtrim(v, lf - 1));
		break;
	case SIP_HDR_AUTHORIZATION:
	case SIP_HDR_PROXY_AUTHORIZATION:
		if (out->auth.p != NULL)
			break;
		out->auth = span(v, rtrim(v, lf - 1));
		out->auth_is_proxy = h == SIP_HDR_PROXY_AUTHORIZATION;
		break;
	case SIP_HDR_USER_AGENT:
		out->user_agent = span(v, rtrim(v, lf - 1));
		break;
	default:
		break;
	}
	return SIP_SCAN_OK;
}

/* skim_line_end()'s "the line ended at the datagram's last byte" (not a scanner status). */
#define SK_LAST_LINE SIP_SCAN_STATUS_MAX

/*
 * split_value(): the end of the line that starts at @name, folded continuation lines
 * included. SIP_SCAN_OK with *@lfp at its LF and *@t the class of the byte after it; or
 * SK_LAST_LINE, *@lfp = e - 1, when the line ends at the datagram's last byte; or the error.
 * An LF that is the datagram's last byte is left out of the iterator (@tail_lf) and taken
 * when it runs dry, so no line end tests for the end of data. @may_be_long: len >
 * SIP_SCAN_MAX_HEADER_LEN; otherwise no line can be too long and the test is compiled out.
 */
static inline __attribute__((always_inline)) enum sip_scan_status
skim_line_end(struct lf_iter *it, const uint8_t *name, const uint8_t *e, bool tail_lf,
	      bool may_be_long, const uint8_t **lfp, uint8_t *t)
{
	const uint8_t *lf;

	for (;;) {
		while (SCAN_UNLIKELY(it->m == 0)) {
			it->blk += 64;
			if (it->blk >= it->e)
				goto dry;
			it->m = lf_mask64(it->data, it->blk, it->e);
		}
		lf = it->blk + __builtin_ctzll(it->m);
		it->m &= it->m - 1;
		if (SCAN_UNLIKELY(lf[-1] != '\r'))
			return SIP_SCAN_ERR_BAD_HEADER;
		if (may_be_long && SCAN_UNLIKELY(lf - name > SIP_SCAN_MAX_HEADER_LEN))
			return SIP_SCAN_ERR_HEADER_TOO_LONG;
		*t = sc_skim_class[lf[1]];
		if (!(*t & SK_FOLD)) {
			*lfp = lf;
			return SIP_SCAN_OK;
		}
	}
dry:
	if (!tail_lf)
		return e - name > SIP_SCAN_MAX_HEADER_LEN ? SIP_SCAN_ERR_HEADER_TOO_LONG
							  : SIP_SCAN_ERR_TRUNCATED;
	lf = e - 1;
	if (lf[-1] != '\r')
		return SIP_SCAN_ERR_BAD_HEADER;
	if (lf - name > SIP_SCAN_MAX_HEADER_LEN)
		return SIP_SCAN_ERR_HEADER_TOO_LONG;
	*lfp = lf;
	return SK_LAST_LINE;
}

/*
 * The header lines from p (the first one's start) on: sip_scan()'s header loop, minus
 * everything the decision does not read. The iterator never stands behind a line start: a
 * header name holds no LF, so the next LF it returns is the one split_value() would find
 * from the value. A line whose first byte names nothing the skim identifies (most of them)
 * costs one LF from the mask, the CR before it, and one class load for the byte after it.
 */
static inline __attribute__((always_inline)) enum sip_scan_status
skim_headers(struct lf_iter *itp, const uint8_t *p, const uint8_t *e, bool tail_lf,
	     struct sip_skim *out, bool may_be_long)
{
	const uint8_t *name = p, *v = NULL, *lf = NULL; /* NULL: gcc -Wmaybe-uninitialized */
	enum sip_scan_status st;
	enum sip_scan_hdr h;
	struct lf_iter it = *itp;
	unsigned int n_headers = 0;
	size_t name_len;
	uint8_t t;

	if (SCAN_UNLIKELY(p == e))
		return SIP_SCAN_ERR_TRUNCATED;
	t = sc_skim_class[*p];
	for (;;) {
		/* A line starts at name; t is the class of its first byte. */
		if (SCAN_UNLIKELY(t & (SK_END | SK_NAME))) {
			if (t & SK_END) {
				out->n_headers = (uint16_t)n_headers;
				if (name + 1 == e)
					return SIP_SCAN_ERR_TRUNCATED;
				return name[1] == '\n' ? SIP_SCAN_OK : SIP_SCAN_ERR_BAD_HEADER;
			}
			if (SCAN_UNLIKELY(n_headers >= SIP_SCAN_MAX_HEADERS))
				return SIP_SCAN_ERR_TOO_MANY_HEADERS;
			st = header_name(name, e, &h, &name_len, &v);
			if (SCAN_UNLIKELY(st != SIP_SCAN_OK))
				return st;
			st = skim_line_end(&it, name, e, tail_lf, may_be_long, &lf, &t);
			if (SCAN_UNLIKELY(st != SIP_SCAN_OK && st != SK_LAST_LINE))
				return st;
			n_headers++;
			if (h != SIP_HDR_OTHER) {
				enum sip_scan_status st2 = skim_take(out, h, v, lf);

				if (SCAN_UNLIKELY(st2 != SIP_SCAN_OK))
					return st2;
			}
		} else {
			if (SCAN_UNLIKELY(n_headers >= SIP_SCAN_MAX_HEADERS))
				return SIP_SCAN_ERR_TOO_MANY_HEADERS;
			st = skim_line_end(&it, name, e, tail_lf, may_be_long, &lf, &t);
			if (SCAN_UNLIKELY(st != SIP_SCAN_OK && st != SK_LAST_LINE))
				return st;
			n_headers++;
		}
		if (SCAN_UNLIKELY(st == SK_LAST_LINE))
			return SIP_SCAN_ERR_TRUNCATED; /* no empty line after it */
		name = lf + 1;
	}
}

/* The 4 bytes at @p as one little-endian word, and the word of 4 byte literals. */
static inline uint32_t
skim_word4(const uint8_t *p)
{
	uint32_t w;

	memcpy(&w, p, sizeof(w));
	return w;
}
#define SKIM_W4(a, b, c, d) \
	((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 | (uint32_t)(d) << 24)


/*
 * skim_headers() out of line, for what skim_headers_fast() gives up on and for datagrams that
 * may hold a too-long line, from the start line's end with the iterator at block @blk, mask
 * @m (the rest is rebuilt from @data, @e and @out). Inlined twice, its registers made
 * sip_scan_skim() save and spill more on the common path; taking the iterator by address
 * kept it in memory there (callgrind, skim_one: ~8 and ~6 instructions a message).
 */
static __attribute__((noinline, cold)) enum sip_scan_status
skim_headers_slow(const uint8_t *data, const uint8_t *blk, uint64_t m, const uint8_t *e,
		  struct sip_skim *out, bool may_be_long)
{
	bool tail_lf = e[-1] == '\n';
	struct lf_iter it = {data, blk, tail_lf ? e - 1 : e, m};
	const uint8_t *p = data + out->line.len;

	if (may_be_long)
		return skim_headers(&it, p, e, tail_lf, out, true);
	return skim_headers(&it, p, e, tail_lf, out, false);
}

/*
 * memset(out, 0, sizeof(*out)) as 16-byte stores: gcc made the memset a `rep stos`, 20 steps
 * (callgrind) and a microcoded start on the CPU.
 */
static inline __attribute__((always_inline)) void
skim_clear(struct sip_skim *out)
{
#if defined(__SSE2__)
	uint8_t *o = (uint8_t *)out;
	const __m128i z = _mm_setzero_si128();
	size_t i;

#pragma GCC unroll 16
	for (i = 0; i + 16 <= sizeof(*out); i += 16)
		_mm_storeu_si128((__m128i *)(void *)(o + i), z);
	if (sizeof(*out) % 16 != 0)
		memset(o + sizeof(*out) - sizeof(*out) % 16, 0, sizeof(*out) % 16);
#else
	memset(out, 0, sizeof(*out));
#endif
}


/* The portable variant: SSE2 (or byte loops), 64 bytes as four 16-byte compares. */
#define SKF(name) name##_sse2
#define SKF_ATTR
#define SKF_RUN_ATTR __attribute__((noinline))
#define SKF_MASK64_FULL lf_mask64_full
#define SKF_CTZ(m) __builtin_ctzll(m)
#include "dataplane/sip/scan_skim_fast.h"
#undef SKF
#undef SKF_ATTR
#undef SKF_RUN_ATTR
#undef SKF_MASK64_FULL
#undef SKF_CTZ

#if defined(__x86_64__) && defined(__SSE2__) && (defined(__GNUC__) || defined(__clang__))
#define SKIM_AVX2 1
/*
 * lf_mask64_full() in two 32-byte compares, for CPUs with AVX2 (chosen at run time; the build
 * targets baseline x86-64). The mask is the same, so is everything built on it.
 */
static const uint8_t sk_lf_byte = '\n';

static inline __attribute__((always_inline, target("avx2,bmi"))) uint64_t
lf_mask64_full_avx2(const uint8_t *q)
{
	__m256i lf;
	uint32_t lo, hi;

	/*
	 * One broadcast from memory: gcc built _mm256_set1_epi8('\n') from an immediate at
	 * every block (mov, vmovd, vpbroadcastb; callgrind, skim_one: ~12 a message).
	 */
	__asm__("vpbroadcastb %1, %0" : "=x"(lf) : "m"(sk_lf_byte));
	lo = (uint32_t)_mm256_movemask_epi8(
		_mm256_cmpeq_epi8(_mm256_loadu_si256((const __m256i *)(const void *)q), lf));
	hi = (uint32_t)_mm256_movemask_epi8(
		_mm256_cmpeq_epi8(_mm256_loadu_si256((const __m256i *)(const void *)(q + 32)), lf));

	return (uint64_t)hi << 32 | lo;
}

#define SKF(name) name##_avx2
#define SKF_ATTR __attribute__((target("avx2,bmi")))
#define SKF_RUN_ATTR __attribute__((noinline))
#define SKF_MASK64_FULL lf_mask64_full_avx2
#define SKF_CTZ(m) ((size_t)_tzcnt_u64(m))
#include "dataplane/sip/scan_skim_fast.h"
#undef SKF
#undef SKF_ATTR
#undef SKF_RUN_ATTR
#undef SKF_MASK64_FULL
#undef SKF_CTZ
#endif

/*
 * The AVX2 variant where the CPU has it (and BMI, which every AVX2 CPU has): the same walk
 * over the same masks, each 64-byte mask in two compares instead of four (~27 -> ~14
 * instructions a block, VEX also dropping the register copies SSE2's two-operand forms need),
 * tzcnt/blsr for the walk. Callgrind, corpus_bench on the flood corpus: skim_one 606 -> 559
 * with the masks, -> 524 with BMI and the broadcast below; the portable variant stays at
 * skim_portable_one 582. __builtin_cpu_supports() reads a word libgcc filled in at start.
 */
enum sip_scan_status
sip_scan_skim(const uint8_t *data, size_t len, struct sip_skim *out)
{
#if defined(SKIM_AVX2)
	if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi"))
		return skim_run_avx2(data, len, out);
#endif
	return skim_run_sse2(data, len, out);
}

/* The portable variant whatever the CPU (scan_impl.h: the differential tests run both). */
enum sip_scan_status
sc_scan_skim_portable(const uint8_t *data, size_t len, struct sip_skim *out)
{
	return skim_run_sse2(data, len, out);
}
