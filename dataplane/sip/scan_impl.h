/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Private to the scanner's files (scan*.c): the character classes, the always-inline helpers
 * they share, and the out-of-line parts one file calls in another. Keeping the hot helpers
 * static inline here lets every file inline them as the single scan.c did. Of the functions
 * declared below, sc_scan_via() and sc_scan_contact() were inlined into sip_scan() before the
 * split and are calls now (one per Via/Contact line); the others were out of line already.
 * Measured with callgrind (tests/fuzz/scan_bench, tests/callgrind/corpus_bench): no case
 * costs more than 1% over the single file. Not included outside dataplane/sip/scan*.c.
 */
#ifndef SF_SIP_SCAN_IMPL_H
#define SF_SIP_SCAN_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dataplane/sip/scan.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* Internal symbols of the static library: hidden, so a PIC build calls them directly. */
#define SC_INTERNAL __attribute__((visibility("hidden")))

#define SCAN_UNLIKELY(x) __builtin_expect(!!(x), 0)

/* Character classes, one bit each, for sc_class[] below. */
#define CL_TOKEN  0x01 /* RFC 3261 token: alphanum and -.!%*_+`'~ */
#define CL_LWS    0x02 /* SP HT CR LF; CR/LF only occur inside a value as folding */
#define CL_DIGIT  0x04
#define CL_SCHEME 0x08 /* alphanum + - . */
#define CL_URIC   0x10 /* visible ASCII except < > " (unused by the fast path) */
#define CL_HOST   0x20 /* alphanum - . _ */
#define CL_PSTOP  0x40 /* ends an unquoted parameter value: LWS ; , ? > */

/* One copy per file that uses it (static const), so a class test stays one load as before. */
static const uint8_t sc_class[256] = {
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x42, 0x42, 0x00, 0x00, 0x42, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x42, 0x11, 0x00, 0x10, 0x10, 0x11, 0x10, 0x11, 0x10, 0x10, 0x11, 0x19, 0x50, 0x39, 0x39, 0x10,
	0x3d, 0x3d, 0x3d, 0x3d, 0x3d, 0x3d, 0x3d, 0x3d, 0x3d, 0x3d, 0x10, 0x50, 0x00, 0x10, 0x40, 0x50,
	0x10, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39,
	0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x10, 0x10, 0x10, 0x10, 0x31,
	0x11, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39,
	0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x10, 0x10, 0x10, 0x11, 0x00,
};

/* Headers that may appear once only; a repeat is ERR_DUP_HEADER (RFC 4475 3.3.8, 3.3.9). */
#define HDR_BIT(h) (1u << (h))
#define HDR_SINGLE                                                                           \
	(HDR_BIT(SIP_HDR_FROM) | HDR_BIT(SIP_HDR_TO) | HDR_BIT(SIP_HDR_CALL_ID) |             \
	 HDR_BIT(SIP_HDR_CSEQ) | HDR_BIT(SIP_HDR_MAX_FORWARDS) | HDR_BIT(SIP_HDR_CONTENT_LENGTH))
/* Bit outside hdr_seen, kept locally: "Authorization or Proxy-Authorization parsed". */
#define HDR_AUTH_ANY HDR_BIT(SIP_HDR_MAX)

/* Which SIP_WANT_* group parses each header's value (scan_hdr.c). */
SC_INTERNAL extern const uint16_t sc_hdr_group[SIP_HDR_MAX];

static inline bool
is_cl(uint8_t c, uint8_t cl)
{
	return (sc_class[c] & cl) != 0;
}

static inline struct sf_span
span(const uint8_t *b, const uint8_t *e)
{
	struct sf_span s = { b, (uint16_t)(e - b) };

	return s;
}

static inline const uint8_t *
skip_lws(const uint8_t *p, const uint8_t *e)
{
	while (p < e && is_cl(*p, CL_LWS))
		p++;
	return p;
}

/* Four bytes per bound check: the class test is the whole per-byte cost. */
static inline const uint8_t *
skip_class(const uint8_t *p, const uint8_t *e, uint8_t cl)
{
	for (; e - p >= 4; p += 4) {
		if (!is_cl(p[0], cl))
			return p;
		if (!is_cl(p[1], cl))
			return p + 1;
		if (!is_cl(p[2], cl))
			return p + 2;
		if (!is_cl(p[3], cl))
			return p + 3;
	}
	while (p < e && is_cl(*p, cl))
		p++;
	return p;
}

/* skip_class() inverted: the first byte at or after p that is in class cl, or e. */
static inline const uint8_t *
skip_to_class(const uint8_t *p, const uint8_t *e, uint8_t cl)
{
	for (; e - p >= 4; p += 4) {
		if (is_cl(p[0], cl))
			return p;
		if (is_cl(p[1], cl))
			return p + 1;
		if (is_cl(p[2], cl))
			return p + 2;
		if (is_cl(p[3], cl))
			return p + 3;
	}
	while (p < e && !is_cl(*p, cl))
		p++;
	return p;
}

static inline const uint8_t *
rtrim(const uint8_t *b, const uint8_t *e)
{
	while (e > b && is_cl(e[-1], CL_LWS))
		e--;
	return e;
}

/*
 * Case-insensitive compare of n readable bytes at p with a lowercase literal of letters,
 * digits and '-', eight bytes at a time. OR-ing 0x20 folds case; the only non-letter it can
 * confuse is CR with '-', and callers pass token characters only.
 */
static inline __attribute__((always_inline)) bool
lc_eq(const uint8_t *p, const char *lit, size_t n)
{
	const uint64_t fold = 0x2020202020202020ull;
	uint64_t a, b;

	for (; n >= 8; n -= 8, p += 8, lit += 8) {
		memcpy(&a, p, 8);
		memcpy(&b, lit, 8);
		if ((a | fold) != b)
			return false;
	}
	if (n == 0)
		return true;
	a = 0;
	b = 0;
	memcpy(&a, p, n);
	memcpy(&b, lit, n);
	return (a | (fold >> (8 * (8 - n)))) == b;
}

/* Any byte <= 0x20 (SP, CTL, NUL) in [p, e)? Eight bytes per step (SWAR). */
static inline bool
has_space_or_ctl(const uint8_t *p, const uint8_t *e)
{
	const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
	uint64_t x;

	for (; e - p >= 8; p += 8) {
		memcpy(&x, p, 8);
		if ((x - 0x21 * ones) & ~x & high)
			return true;
	}
	for (; p < e; p++)
		if (*p <= 0x20)
			return true;
	return false;
}

static inline bool
span_lc_eq(struct sf_span s, const char *lit, size_t n)
{
	return s.len == n && lc_eq(s.p, lit, n);
}

#define SPAN_IS(s, lit) span_lc_eq((s), (lit), sizeof(lit) - 1)

/* sip_scan_uint() inlined into the value parsers, as it was within one file. */
static inline int
scan_uint(struct sf_span s, uint64_t max, uint64_t *val)
{
	uint64_t v = 0;
	uint16_t i;

	if (s.len == 0 || s.p == NULL)
		return -1;
	for (i = 0; i < s.len; i++) {
		unsigned int d = (unsigned int)s.p[i] - '0';

		if (d > 9)
			return -1;
		v = v * 10 + d;
		if (v > max)
			return -1;
	}
	*val = v;
	return 0;
}

/* URI scheme "sip" or "sips" (case-insensitive), n bytes at p. */
static inline bool
is_sip_scheme(const uint8_t *p, size_t n)
{
	return (n == 3 && lc_eq(p, "sip", 3)) || (n == 4 && lc_eq(p, "sips", 4));
}

/* One ";name[=value]" list element; p is past the ';'. */
struct param {
	struct sf_span name;
	struct sf_span value;
};

/* The 8 bytes at @p as one little-endian word, and a literal of 8 as the same. */
static inline uint64_t
sl_word(const void *p)
{
	uint64_t w;

	memcpy(&w, p, sizeof(w));
	return w;
}

/*
 * The flood's methods (and most requests') by one 8-byte load: "OPTIONS ", "INVITE " and
 * "REGISTER" + SP, exactly as sip_scan_method_of() spells them. 0 for anything else (the
 * caller then takes the general path). @p has at least 9 readable bytes.
 */
static inline __attribute__((always_inline)) unsigned int
sl_method_fast(const uint8_t *p, uint8_t *method)
{
	uint64_t w = sl_word(p);

	if (w == sl_word("OPTIONS ")) {
		*method = SIP_METHOD_OPTIONS;
		return 7;
	}
	if ((w & 0x00ffffffffffffffull) == sl_word("INVITE \0")) {
		*method = SIP_METHOD_INVITE;
		return 6;
	}
	if (w == sl_word("REGISTER") && p[8] == ' ') {
		*method = SIP_METHOD_REGISTER;
		return 8;
	}
	return 0;
}

/*
 * check_ruri(!split)'s OK for the usual Request-URI: scheme "sip:" or "sips:" (lower case)
 * and no byte <= 0x20 in [p, e), 16 bytes per step. @p - 16 .. @e readable, e - p >= 5.
 * False means "not proven", and check_ruri() decides.
 */
static inline __attribute__((always_inline)) bool
sl_ruri_plain(const uint8_t *p, const uint8_t *e)
{
	uint32_t w;

	memcpy(&w, p, 4);
	if (w != 0x3a706973u /* "sip:" */ && (w != 0x73706973u /* "sips" */ || p[4] != ':'))
		return false;
#if defined(__SSE2__)
	{
		const __m128i sp = _mm_set1_epi8(0x20);
		size_t n = (size_t)(e - p), i;
		__m128i x, y;

/* 0xff where a byte of @v is <= 0x20. */
#define SL_LE_SP(v) _mm_cmpeq_epi8(_mm_min_epu8((v), sp), (v))
		/*
		 * Up to 32 bytes (the usual URI) without a loop: the last 16 bytes before e, shifted
		 * when the URI is shorter (the bytes before p are readable), and the first 16 when
		 * it is longer. Callgrind, the flood's URIs (13 and 18 bytes): ~30 -> ~12 against
		 * a 16-byte loop and a separate tail.
		 */
		x = _mm_loadu_si128((const __m128i *)(const void *)(e - 16));
		if (n <= 16)
			return ((unsigned int)_mm_movemask_epi8(SL_LE_SP(x)) >> (16 - n)) == 0;
		y = _mm_loadu_si128((const __m128i *)(const void *)p);
		if (n <= 32)
			return _mm_movemask_epi8(_mm_or_si128(SL_LE_SP(x), SL_LE_SP(y))) == 0;
		for (i = 0; i + 16 <= n; i += 16) {
			x = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
			if (_mm_movemask_epi8(SL_LE_SP(x)) != 0)
				return false;
		}
		if (i == n)
			return true;
		/* The last 16 bytes before e; the ones before p + i were tested already. */
		x = _mm_loadu_si128((const __m128i *)(const void *)(e - 16));
		return ((unsigned int)_mm_movemask_epi8(SL_LE_SP(x)) >> (16 - (n - i))) == 0;
#undef SL_LE_SP
	}
#else
	return !has_space_or_ctl(p, e);
#endif
}

/*
 * The frame of the usual request line ending at @e (its CR): at least 24 bytes, a method of
 * sl_method_fast() (*@method; *@m at the SP after it) and " SIP/2.0" before @e, with room for a
 * URI between. sc_start_line_fast() (the skim) and sc_start_line_at() (every scan) both start
 * with it.
 */
static inline __attribute__((always_inline)) bool
sl_request_frame(const uint8_t *data, const uint8_t *e, uint8_t *method, const uint8_t **m)
{
	unsigned int n;

	if (e - data < 24)
		return false;
	n = sl_method_fast(data, method);
	*m = data + n;
	return n != 0 && e - *m >= 15 && sl_word(e - 8) == sl_word(" SIP/2.0");
}

/*
 * The usual request line, for the skim (!split): a method of sl_method_fast(), a plain sip/sips
 * Request-URI, " SIP/2.0", CRLF; @lf its first LF, @l cleared. True with @l set exactly as
 * sc_start_line_at(.., false) sets it for that line (which then returns OK); false for any
 * other line, which sc_start_line_at() decides. Inline, so the skim's common case makes no
 * call.
 */
static inline __attribute__((always_inline)) bool
sc_start_line_fast(const uint8_t *data, const uint8_t *lf, struct sip_scan_line *l)
{
	const uint8_t *e = lf - 1, *m;
	uint8_t method;

	if (!sl_request_frame(data, e, &method, &m) || *e != '\r' || !sl_ruri_plain(m + 1, e - 8))
		return false;
	l->len = (uint16_t)(lf + 1 - data);
	l->is_request = true;
	l->method_name = span(data, m);
	l->method = method;
	l->ruri = span(m + 1, e - 8);
	return true;
}

/* scan_param.c */
SC_INTERNAL const uint8_t *sc_skip_quoted(const uint8_t *p, const uint8_t *e);
SC_INTERNAL const uint8_t *sc_scan_param(const uint8_t *p, const uint8_t *e, struct param *pr);

/* scan_start.c: the start line; !split is the skim's (the request URI is not taken apart). */
SC_INTERNAL enum sip_scan_status sc_start_line(const uint8_t *data, size_t len,
					       struct sip_scan_line *l, bool split);
/*
 * The same from its first LF @lf (the first in data[0 .. min(len, SIP_SCAN_MAX_HEADER_LEN)),
 * or NULL), @l already cleared: the skim finds that LF in the mask it walks the headers with.
 */
SC_INTERNAL enum sip_scan_status sc_start_line_at(const uint8_t *data, size_t len,
						  const uint8_t *lf, struct sip_scan_line *l,
						  bool split);

/*
 * scan_skim.c: sip_scan_skim()'s portable (SSE2) variant whatever the CPU, so tests and the
 * fuzz differential check it on a CPU where sip_scan_skim() takes the AVX2 one.
 */
SC_INTERNAL enum sip_scan_status sc_scan_skim_portable(const uint8_t *data, size_t len,
						       struct sip_skim *out);

/* scan_hdr.c: header name to id, any spelling; SIP_HDR_OTHER when unknown. */
SC_INTERNAL enum sip_scan_hdr sc_hdr_lookup(const uint8_t *n, size_t len);

/* scan_addr.c: From/To/Contact/identity addresses and Via values. */
SC_INTERNAL int sc_scan_addr(const uint8_t **pp, const uint8_t *e, struct sip_scan_addr *a,
			     bool multi, int64_t *expires);
SC_INTERNAL enum sip_scan_status sc_scan_via(struct sip_scan *out, const uint8_t *p,
					     const uint8_t *e);
SC_INTERNAL enum sip_scan_status sc_scan_contact(struct sip_scan *out, const uint8_t *p,
						 const uint8_t *e);

/* scan_creds.c: Authorization/Proxy-Authorization credentials. */
SC_INTERNAL enum sip_scan_status sc_scan_auth(struct sip_scan_auth *a, const uint8_t *p,
					      const uint8_t *e, bool username_only);

/*
 * Exact compare of n bytes at p with a lowercase literal of letters, '-' and ':': letters
 * match in either case, anything else only itself. The fold mask has 0x20 where the literal
 * byte has bit 6 set (a letter), so unlike lc_eq() a CR cannot pass for '-'. Overlapping
 * loads keep every length to at most three compares; n is a constant after inlining.
 */
static inline __attribute__((always_inline)) uint64_t
name_word(const uint8_t *p, const char *lit, size_t n)
{
	uint64_t a = 0, b = 0;

	memcpy(&a, p, n);
	memcpy(&b, lit, n);
	return (a | ((b >> 1) & 0x2020202020202020ull)) ^ b;
}

static inline __attribute__((always_inline)) bool
name_eq(const uint8_t *p, const char *lit, size_t n)
{
	uint64_t d;

	if (n <= 8)
		return name_word(p, lit, n) == 0;
	d = name_word(p, lit, 8) | name_word(p + n - 8, lit + n - 8, 8);
	if (n > 16)
		d |= name_word(p + 8, lit + 8, 8);
	return d == 0;
}

/* "name:" at p with avail readable bytes? sizeof(lit) - 1 counts the ':'. */
#define NAME_IS(lit) (avail >= sizeof(lit) - 1 && name_eq(p, (lit), sizeof(lit) - 1))
#define NAME_HIT(lit, id) \
	do { \
		if (NAME_IS(lit)) { \
			*name_len = sizeof(lit) - 2; \
			return (id); \
		} \
	} while (0)

/*
 * (always_inline: sip_scan() and sip_scan_skim() both call it, and out of line it cost
 * sip_scan() ~40 instructions per flood message, callgrind.)
 * Fast path for a header name written the usual way: a name the scanner knows, or a
 * compact form, followed directly by ':'. Returns its id and length, or SIP_HDR_MAX when
 * the generic path (split_header()) must decide; it then reaches the same id and length.
 */
static inline __attribute__((always_inline)) enum sip_scan_hdr
name_fast(const uint8_t *p, const uint8_t *e, size_t *name_len)
{
	size_t avail = (size_t)(e - p);

	if (avail < 2)
		return SIP_HDR_MAX;
	if (p[1] == ':') {
		if (!is_cl(p[0], CL_TOKEN))
			return SIP_HDR_MAX;
		*name_len = 1;
		return sc_hdr_lookup(p, 1);
	}
	switch (p[0] | 0x20) {
	case 'a':
		NAME_HIT("authorization:", SIP_HDR_AUTHORIZATION);
		NAME_HIT("accept:", SIP_HDR_OTHER);
		NAME_HIT("allow:", SIP_HDR_OTHER);
		break;
	case 'c':
		NAME_HIT("call-id:", SIP_HDR_CALL_ID);
		NAME_HIT("cseq:", SIP_HDR_CSEQ);
		NAME_HIT("contact:", SIP_HDR_CONTACT);
		NAME_HIT("content-length:", SIP_HDR_CONTENT_LENGTH);
		NAME_HIT("content-type:", SIP_HDR_CONTENT_TYPE);
		break;
	case 'e':
		NAME_HIT("expires:", SIP_HDR_EXPIRES);
		break;
	case 'f':
		NAME_HIT("from:", SIP_HDR_FROM);
		break;
	case 'm':
		NAME_HIT("max-forwards:", SIP_HDR_MAX_FORWARDS);
		NAME_HIT("min-se:", SIP_HDR_MIN_SE);
		break;
	case 'p':
		NAME_HIT("proxy-authorization:", SIP_HDR_PROXY_AUTHORIZATION);
		NAME_HIT("privacy:", SIP_HDR_PRIVACY);
		NAME_HIT("p-asserted-identity:", SIP_HDR_P_ASSERTED_IDENTITY);
		NAME_HIT("p-preferred-identity:", SIP_HDR_P_PREFERRED_IDENTITY);
		break;
	case 'r':
		NAME_HIT("require:", SIP_HDR_REQUIRE);
		break;
	case 's':
		NAME_HIT("supported:", SIP_HDR_SUPPORTED);
		NAME_HIT("session-expires:", SIP_HDR_SESSION_EXPIRES);
		break;
	case 't':
		NAME_HIT("to:", SIP_HDR_TO);
		break;
	case 'u':
		NAME_HIT("user-agent:", SIP_HDR_USER_AGENT);
		break;
	case 'v':
		NAME_HIT("via:", SIP_HDR_VIA);
		break;
	default:
		break;
	}
	return SIP_HDR_MAX;
}

/*
 * Generic header name at p: token, optional SP/HT, ':'. On OK the name length is set and
 * *v is past the ':'.
 */
static inline __attribute__((always_inline)) enum sip_scan_status
split_name(const uint8_t *p, const uint8_t *e, size_t *name_len, const uint8_t **v)
{
	const uint8_t *n = p;

	p = skip_class(p, e, CL_TOKEN);
	if (p == e)
		return SIP_SCAN_ERR_TRUNCATED;
	if (p == n)
		return SIP_SCAN_ERR_BAD_HEADER;
	*name_len = (size_t)(p - n);
	while (p < e && (*p == ' ' || *p == '\t'))
		p++;
	if (p == e)
		return SIP_SCAN_ERR_TRUNCATED;
	if (*p != ':')
		return SIP_SCAN_ERR_BAD_HEADER;
	*v = p + 1;
	return SIP_SCAN_OK;
}

/*
 * The header at p: its id (SIP_HDR_OTHER when unknown), name length and value start *v (past
 * the ':'). Known names in their usual spelling take the fast path; anything else is split
 * as a token and looked up.
 */
static inline __attribute__((always_inline)) enum sip_scan_status
header_name(const uint8_t *p, const uint8_t *e, enum sip_scan_hdr *h, size_t *name_len,
	    const uint8_t **v)
{
	enum sip_scan_status st;

	*h = name_fast(p, e, name_len);
	if (*h != SIP_HDR_MAX) {
		*v = p + *name_len + 1;
		return SIP_SCAN_OK;
	}
	st = split_name(p, e, name_len, v);
	if (SCAN_UNLIKELY(st != SIP_SCAN_OK))
		return st;
	*h = sc_hdr_lookup(p, *name_len);
	return SIP_SCAN_OK;
}

#endif
