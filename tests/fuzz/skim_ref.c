/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Test only: the unknown-source skim as it was at 2448923 (dataplane/sip/scan_skim.c before
 * issue 14's cheaper line loop), kept verbatim as the reference of the fuzz differential in
 * fuzz_sip_scan.c: the skim must give the same status, spans and header count on every
 * input, so the drop decision made from it cannot change. Not linked into any daemon.
 */
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <string.h>

#include "dataplane/sip/scan_impl.h"

/* First bytes of the header names a skim must identify: From/f, To/t, User-Agent,
 * Authorization, Proxy-Authorization, in either case. Every other line is skipped unread. */
static const bool sc_skim_name[256] = {
	['A'] = true, ['a'] = true, ['F'] = true, ['f'] = true, ['P'] = true, ['p'] = true,
	['T'] = true, ['t'] = true, ['U'] = true, ['u'] = true,
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
static inline unsigned int
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

/* Bit mask of the LFs in blk[0 .. min(64, e - blk)); blk < e. */
static inline uint64_t
lf_mask64(const uint8_t *data, const uint8_t *blk, const uint8_t *e)
{
	uint64_t m = 0;
	unsigned int k;

#if defined(__SSE2__)
	if (e - blk >= 64) {
		const __m128i lf = _mm_set1_epi8('\n');
		const __m128i *q = (const __m128i *)(const void *)blk;

		m = (uint64_t)(unsigned int)_mm_movemask_epi8(
			_mm_cmpeq_epi8(_mm_loadu_si128(q), lf));
		m |= (uint64_t)(unsigned int)_mm_movemask_epi8(
			     _mm_cmpeq_epi8(_mm_loadu_si128(q + 1), lf)) << 16;
		m |= (uint64_t)(unsigned int)_mm_movemask_epi8(
			     _mm_cmpeq_epi8(_mm_loadu_si128(q + 2), lf)) << 32;
		m |= (uint64_t)(unsigned int)_mm_movemask_epi8(
			     _mm_cmpeq_epi8(_mm_loadu_si128(q + 3), lf)) << 48;
		return m;
	}
#endif
	for (k = 0; k < 64 && blk + k < e; k += 16)
		m |= (uint64_t)lf_mask16(data, blk + k, e) << k;
	return m;
}

/* The first LF at or after where the iterator stands, or NULL; moves past it. */
static inline const uint8_t *
lf_next(struct lf_iter *it)
{
	const uint8_t *lf;

	while (it->m == 0) {
		it->blk += 64;
		if (it->blk >= it->e)
			return NULL;
		it->m = lf_mask64(it->data, it->blk, it->e);
	}
	lf = it->blk + __builtin_ctzll(it->m);
	it->m &= it->m - 1;
	return lf;
}

enum sip_scan_status sip_scan_skim_ref(const uint8_t *data, size_t len, struct sip_skim *out);

enum sip_scan_status
sip_scan_skim_ref(const uint8_t *data, size_t len, struct sip_skim *out)
{
	const uint8_t *p, *e, *name, *v, *lf;
	enum sip_scan_status st;
	enum sip_scan_hdr h;
	struct lf_iter it;
	unsigned int n_headers = 0;
	uint32_t seen = 0;
	size_t name_len;
	uint8_t c;

	memset(out, 0, sizeof(*out));
	if (SCAN_UNLIKELY(len > SIP_SCAN_MAX_LEN))
		return SIP_SCAN_ERR_TOO_BIG;
	st = sc_start_line(data, len, &out->line, false);
	if (SCAN_UNLIKELY(st != SIP_SCAN_OK))
		return st;
	e = data + len;
	p = data + out->line.len;
	it.data = data;
	it.blk = p;
	it.e = e;
	it.m = p < e ? lf_mask64(data, p, e) : 0;
	/*
	 * sip_scan()'s header loop, minus everything the decision does not read. The iterator
	 * never stands behind p: a header name holds no LF, so the next LF it returns is the one
	 * split_value() would find from the value.
	 */
	for (;;) {
		if (SCAN_UNLIKELY(p == e))
			return SIP_SCAN_ERR_TRUNCATED;
		c = *p;
		if (c == '\r') {
			out->n_headers = (uint16_t)n_headers;
			if (p + 1 == e)
				return SIP_SCAN_ERR_TRUNCATED;
			return p[1] == '\n' ? SIP_SCAN_OK : SIP_SCAN_ERR_BAD_HEADER;
		}
		if (SCAN_UNLIKELY(n_headers >= SIP_SCAN_MAX_HEADERS))
			return SIP_SCAN_ERR_TOO_MANY_HEADERS;
		name = p;
		h = SIP_HDR_OTHER;
		v = p;
		if (sc_skim_name[c]) {
			st = header_name(p, e, &h, &name_len, &v);
			if (SCAN_UNLIKELY(st != SIP_SCAN_OK))
				return st;
		}
		/* split_value(): the line end, folded continuation lines included. */
		for (;;) {
			lf = lf_next(&it);
			if (SCAN_UNLIKELY(lf == NULL))
				return e - name > SIP_SCAN_MAX_HEADER_LEN ? SIP_SCAN_ERR_HEADER_TOO_LONG
									  : SIP_SCAN_ERR_TRUNCATED;
			if (SCAN_UNLIKELY(lf[-1] != '\r'))
				return SIP_SCAN_ERR_BAD_HEADER;
			if (SCAN_UNLIKELY(lf - name > SIP_SCAN_MAX_HEADER_LEN))
				return SIP_SCAN_ERR_HEADER_TOO_LONG;
			if (lf + 1 == e)
				break;
			c = lf[1];
			if (c != ' ' && c != '\t')
				break;
		}
		p = lf + 1;
		n_headers++;
		if (h == SIP_HDR_OTHER)
			continue;
		v = skip_lws(v, lf - 1);
		switch (h) {
		case SIP_HDR_FROM:
		case SIP_HDR_TO:
			if (SCAN_UNLIKELY(seen & HDR_BIT(h)))
				return SIP_SCAN_ERR_DUP_HEADER;
			seen |= HDR_BIT(h);
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
	}
}
