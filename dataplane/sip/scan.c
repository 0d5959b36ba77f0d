/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One-pass SIP datagram scanner: start line, then one header line at a time, parsing only
 * the values the caller wants. Every read is bounded by the datagram end; nothing allocates.
 * This file is the driver (sip_scan()) and the small per-header value parsers; the rest is
 * split by concern: scan_start.c (start line), scan_hdr.c (header names), scan_param.c
 * (parameters, quoted strings), scan_addr.c (URIs, addresses, Via), scan_creds.c
 * (credentials), scan_skim.c (the skim); shared inline helpers in scan_impl.h.
 */
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "dataplane/sip/scan_impl.h"

/* "delta-seconds *(;param)" (Session-Expires, Min-SE); refresher is kept when asked. */
static int
scan_delta(const uint8_t *p, const uint8_t *e, int32_t *val, struct sf_span *refresher)
{
	const uint8_t *q = skip_class(p, e, CL_DIGIT);
	struct param pr;
	uint64_t v;

	if (scan_uint(span(p, q), INT32_MAX, &v) != 0)
		return -1;
	*val = (int32_t)v;
	for (p = q;;) {
		p = skip_lws(p, e);
		if (p == e)
			return 0;
		if (*p != ';')
			return -1;
		p = sc_scan_param(p + 1, e, &pr);
		if (p == NULL)
			return -1;
		if (refresher != NULL && SPAN_IS(pr.name, "refresher"))
			*refresher = pr.value;
	}
}

/* Does a comma-separated option-tag list (Supported, Require) contain "timer"? */
static bool
has_timer_tag(const uint8_t *p, const uint8_t *e)
{
	const uint8_t *q;

	for (;;) {
		p = skip_lws(p, e);
		q = skip_class(p, e, CL_TOKEN);
		if (q - p == 5 && lc_eq(p, "timer", 5))
			return true;
		p = memchr(q, ',', (size_t)(e - q));
		if (p == NULL)
			return false;
		p++;
	}
}

static enum sip_scan_status
scan_number(const uint8_t *p, const uint8_t *e, uint64_t max, int64_t *val,
	    enum sip_scan_status err)
{
	uint64_t v;

	if (scan_uint(span(p, e), max, &v) != 0)
		return err;
	*val = (int64_t)v;
	return SIP_SCAN_OK;
}

static enum sip_scan_status
scan_cseq(struct sip_scan *out, const uint8_t *p, const uint8_t *e)
{
	const uint8_t *q = skip_class(p, e, CL_DIGIT);
	uint64_t v;

	if (scan_uint(span(p, q), UINT32_MAX, &v) != 0 || q == e || !is_cl(*q, CL_LWS))
		return SIP_SCAN_ERR_BAD_CSEQ;
	out->cseq = (uint32_t)v;
	p = skip_lws(q, e);
	q = skip_class(p, e, CL_TOKEN);
	if (q == p || q != e)
		return SIP_SCAN_ERR_BAD_CSEQ;
	out->cseq_method = span(p, q);
	if (out->line.is_request && (out->cseq_method.len != out->line.method_name.len ||
				     memcmp(p, out->line.method_name.p, out->cseq_method.len) != 0))
		return SIP_SCAN_ERR_CSEQ_METHOD_MISMATCH;
	return SIP_SCAN_OK;
}

static enum sip_scan_status
scan_call_id(struct sip_scan *out, const uint8_t *p, const uint8_t *e)
{
	if (p == e || has_space_or_ctl(p, e))
		return SIP_SCAN_ERR_BAD_CALL_ID;
	out->call_id = span(p, e);
	return SIP_SCAN_OK;
}

/* Parse one wanted header value [p, e), already trimmed of surrounding LWS. */

/*
 * RFC 3261 20.17 / 25.1: a Date is rfc1123-date and its zone is always "GMT". Only the zone is
 * checked (the one error RFC 4475 3.1.2.12 exercises); the value ends at @e, trailing LWS
 * already trimmed.
 */
static bool
date_is_gmt(const uint8_t *p, const uint8_t *e)
{
	return e - p >= 4 && e[-4] == ' ' && e[-3] == 'G' && e[-2] == 'M' && e[-1] == 'T';
}

static enum sip_scan_status
scan_value(struct sip_scan *out, enum sip_scan_hdr h, const uint8_t *p, const uint8_t *e)
{
	int64_t v = 0;
	enum sip_scan_status st;

	switch (h) {
	case SIP_HDR_VIA:
		return sc_scan_via(out, p, e);
	case SIP_HDR_FROM:
		return sc_scan_addr(&p, e, &out->from, false, NULL) ? SIP_SCAN_ERR_BAD_FROM :
								    SIP_SCAN_OK;
	case SIP_HDR_TO:
		return sc_scan_addr(&p, e, &out->to, false, NULL) ? SIP_SCAN_ERR_BAD_TO :
								  SIP_SCAN_OK;
	case SIP_HDR_CALL_ID:
		return scan_call_id(out, p, e);
	case SIP_HDR_CSEQ:
		return scan_cseq(out, p, e);
	case SIP_HDR_CONTACT:
		return sc_scan_contact(out, p, e);
	case SIP_HDR_EXPIRES:
		return scan_number(p, e, UINT32_MAX, &out->expires, SIP_SCAN_ERR_BAD_EXPIRES);
	case SIP_HDR_MAX_FORWARDS:
		st = scan_number(p, e, 255, &v, SIP_SCAN_ERR_BAD_MAX_FORWARDS);
		out->max_forwards = (int32_t)v;
		return st;
	case SIP_HDR_CONTENT_LENGTH:
		st = scan_number(p, e, SIP_SCAN_MAX_LEN, &v, SIP_SCAN_ERR_BAD_CONTENT_LENGTH);
		out->content_length = st == SIP_SCAN_OK ? (int32_t)v : -1;
		return st;
	case SIP_HDR_CONTENT_TYPE:
		out->content_type = span(p, e);
		return SIP_SCAN_OK;
	case SIP_HDR_USER_AGENT:
		out->user_agent = span(p, e);
		return SIP_SCAN_OK;
	case SIP_HDR_AUTHORIZATION:
	case SIP_HDR_PROXY_AUTHORIZATION:
		if (out->auth.scheme.p != NULL)
			return SIP_SCAN_OK;
		out->auth.is_proxy = h == SIP_HDR_PROXY_AUTHORIZATION;
		return sc_scan_auth(&out->auth, p, e, false);
	case SIP_HDR_SESSION_EXPIRES:
		return scan_delta(p, e, &out->session_expires, &out->session_refresher) ?
			       SIP_SCAN_ERR_BAD_SESSION_TIMER : SIP_SCAN_OK;
	case SIP_HDR_MIN_SE:
		return scan_delta(p, e, &out->min_se, NULL) ? SIP_SCAN_ERR_BAD_SESSION_TIMER :
							       SIP_SCAN_OK;
	case SIP_HDR_SUPPORTED:
		out->timer_supported |= has_timer_tag(p, e);
		return SIP_SCAN_OK;
	case SIP_HDR_REQUIRE:
		out->timer_required |= has_timer_tag(p, e);
		return SIP_SCAN_OK;
	case SIP_HDR_PRIVACY:
		out->privacy = span(p, e);
		return SIP_SCAN_OK;
	case SIP_HDR_P_ASSERTED_IDENTITY:
		return out->pai.uri.p != NULL || sc_scan_addr(&p, e, &out->pai, true, NULL) == 0 ?
			       SIP_SCAN_OK : SIP_SCAN_ERR_BAD_IDENTITY;
	case SIP_HDR_P_PREFERRED_IDENTITY:
		return out->ppi.uri.p != NULL || sc_scan_addr(&p, e, &out->ppi, true, NULL) == 0 ?
			       SIP_SCAN_OK : SIP_SCAN_ERR_BAD_IDENTITY;
	case SIP_HDR_DATE:
		return date_is_gmt(p, e) ? SIP_SCAN_OK : SIP_SCAN_ERR_BAD_DATE;
	default:
		return SIP_SCAN_OK;
	}
}

/*
 * First LF in [p, e), or NULL; [data, e) is readable and data <= p. sip_scan() looks for
 * one per header line. With SSE2 (baseline on x86-64) it tests 16 bytes per compare and
 * finishes with one overlapping load that ends at e, instead of a libc memchr call per line;
 * elsewhere memchr. Measured (callgrind, corpus_bench policy_one on the flood corpus,
 * tests/callgrind/README.md): 3,170 instructions per message against 3,263 with memchr.
 */
static inline const uint8_t *
find_lf(const uint8_t *data, const uint8_t *p, const uint8_t *e)
{
#if defined(__SSE2__)
	const __m128i lf = _mm_set1_epi8('\n');
	unsigned int m;

	for (; e - p >= 16; p += 16) {
		m = (unsigned int)_mm_movemask_epi8(
			_mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)p), lf));
		if (m != 0)
			return p + __builtin_ctz(m);
	}
	if (p == e)
		return NULL;
	if (e - data >= 16) {
		/* The last 16 readable bytes; drop the bits of the ones before p. */
		m = (unsigned int)_mm_movemask_epi8(_mm_cmpeq_epi8(
			    _mm_loadu_si128((const __m128i *)(const void *)(e - 16)), lf));
		m >>= 16 - (e - p);
		return m != 0 ? p + __builtin_ctz(m) : NULL;
	}
#else
	(void)data;
#endif
	return memchr(p, '\n', (size_t)(e - p));
}

static uint32_t
need_mask(unsigned int want)
{
	uint32_t need = 0;

	if (want & SIP_WANT_VIA)
		need |= HDR_BIT(SIP_HDR_VIA);
	if (want & SIP_WANT_FROM_TO)
		need |= HDR_BIT(SIP_HDR_FROM) | HDR_BIT(SIP_HDR_TO);
	if (want & SIP_WANT_DIALOG)
		need |= HDR_BIT(SIP_HDR_CALL_ID) | HDR_BIT(SIP_HDR_CSEQ) |
			HDR_BIT(SIP_HDR_MAX_FORWARDS);
	if (want & SIP_WANT_CONTACT)
		need |= HDR_BIT(SIP_HDR_CONTACT) | HDR_BIT(SIP_HDR_EXPIRES);
	if (want & SIP_WANT_AUTH)
		need |= HDR_AUTH_ANY;
	if (want & SIP_WANT_UA)
		need |= HDR_BIT(SIP_HDR_USER_AGENT);
	if (want & SIP_WANT_BODY)
		need |= HDR_BIT(SIP_HDR_CONTENT_LENGTH) | HDR_BIT(SIP_HDR_CONTENT_TYPE);
	if (want & SIP_WANT_SESSION)
		need |= HDR_BIT(SIP_HDR_SESSION_EXPIRES) | HDR_BIT(SIP_HDR_MIN_SE) |
			HDR_BIT(SIP_HDR_SUPPORTED) | HDR_BIT(SIP_HDR_REQUIRE);
	if (want & SIP_WANT_IDENTITY)
		need |= HDR_BIT(SIP_HDR_PRIVACY) | HDR_BIT(SIP_HDR_P_ASSERTED_IDENTITY) |
			HDR_BIT(SIP_HDR_P_PREFERRED_IDENTITY);
	if (want & SIP_WANT_COMPLETE)
		need = UINT32_MAX;
	return need;
}

/*
 * The value of a header line starts at v (past the ':'); n is the start of the line. Find
 * its end across folded continuation lines: [v, *ve) is the untrimmed value, *next the
 * following line.
 */
static inline enum sip_scan_status
split_value(const uint8_t *n, const uint8_t *v, const uint8_t *e, const uint8_t **ve,
	    const uint8_t **next)
{
	const uint8_t *p = v, *lf;

	for (;;) {
		lf = find_lf(n, p, e);
		if (lf == NULL)
			return e - n > SIP_SCAN_MAX_HEADER_LEN ? SIP_SCAN_ERR_HEADER_TOO_LONG :
								  SIP_SCAN_ERR_TRUNCATED;
		if (lf[-1] != '\r')
			return SIP_SCAN_ERR_BAD_HEADER;
		if (lf - n > SIP_SCAN_MAX_HEADER_LEN)
			return SIP_SCAN_ERR_HEADER_TOO_LONG;
		if (lf + 1 < e && (lf[1] == ' ' || lf[1] == '\t')) {
			p = lf + 1;
			continue;
		}
		*ve = lf - 1;
		*next = lf + 1;
		return SIP_SCAN_OK;
	}
}

/* After the empty line: mandatory headers, then the body framed by Content-Length. */
static enum sip_scan_status
scan_finish(struct sip_scan *out, const uint8_t *body, const uint8_t *e, unsigned int want)
{
	uint32_t seen = out->hdr_seen;

	out->complete = true;
	if (!(seen & HDR_BIT(SIP_HDR_VIA)))
		return SIP_SCAN_ERR_NO_VIA;
	if (!(seen & HDR_BIT(SIP_HDR_FROM)))
		return SIP_SCAN_ERR_NO_FROM;
	if (!(seen & HDR_BIT(SIP_HDR_TO)))
		return SIP_SCAN_ERR_NO_TO;
	if (!(seen & HDR_BIT(SIP_HDR_CALL_ID)))
		return SIP_SCAN_ERR_NO_CALL_ID;
	if (!(seen & HDR_BIT(SIP_HDR_CSEQ)))
		return SIP_SCAN_ERR_NO_CSEQ;
	if (!(want & (SIP_WANT_BODY | SIP_WANT_COMPLETE)))
		return SIP_SCAN_OK;
	/* Without Content-Length the body runs to the end of the datagram (RFC 3261 18.3). */
	if (out->content_length < 0) {
		out->body = span(body, e);
		return SIP_SCAN_OK;
	}
	if (out->content_length > e - body)
		return SIP_SCAN_ERR_BODY_TRUNCATED;
	out->body = span(body, body + out->content_length);
	return SIP_SCAN_OK;
}

static void
scan_init(struct sip_scan *out, unsigned int parse)
{
	memset(out, 0, sizeof(*out));
	out->expires = -1;
	out->contact_expires = -1;
	out->max_forwards = -1;
	out->content_length = -1;
	out->session_expires = -1;
	out->min_se = -1;
	out->parse_want = (uint16_t)parse;
}

/*
 * The header loop, from out->next_off on, until every header @stop names was seen (or the
 * end of the headers when it has SIP_WANT_COMPLETE). Values of the out->parse_want groups
 * are parsed; a bad value of a group outside @stop does not end the pass: it is kept as
 * out->deferred (the first one), for a later pass that wants that group (sip_scan_resume()).
 * Everything else fails here exactly as a scan with want = @stop fails.
 */
static enum sip_scan_status
scan_headers(const uint8_t *data, size_t len, struct sip_scan *out, unsigned int stop)
{
	const uint8_t *p, *e = data + len, *name, *v, *ve;
	uint32_t need = need_mask(stop), bit, aux = out->auth_seen ? HDR_AUTH_ANY : 0;
	unsigned int parse = out->parse_want;
	enum sip_scan_status st;
	enum sip_scan_hdr h;
	size_t name_len;

	for (p = data + out->next_off;;) {
		if (((out->hdr_seen | aux) & need) == need) {
			out->next_off = (uint16_t)(p - data); /* the next pass starts here */
			return SIP_SCAN_OK; /* lazy: every wanted header was seen */
		}
		if (SCAN_UNLIKELY(p == e))
			return SIP_SCAN_ERR_TRUNCATED;
		if (*p == '\r') {
			if (p + 1 == e)
				return SIP_SCAN_ERR_TRUNCATED;
			if (p[1] != '\n')
				return SIP_SCAN_ERR_BAD_HEADER;
			out->next_off = (uint16_t)(p - data); /* the empty line */
			return scan_finish(out, p + 2, e, stop);
		}
		if (SCAN_UNLIKELY(out->n_headers >= SIP_SCAN_MAX_HEADERS))
			return SIP_SCAN_ERR_TOO_MANY_HEADERS;
		name = p;
		st = header_name(p, e, &h, &name_len, &v);
		if (SCAN_UNLIKELY(st != SIP_SCAN_OK))
			return st;
		st = split_value(name, v, e, &ve, &p);
		if (SCAN_UNLIKELY(st != SIP_SCAN_OK))
			return st;
		out->n_headers++;
		bit = HDR_BIT(h);
		if (SCAN_UNLIKELY(out->hdr_seen & bit & HDR_SINGLE))
			return SIP_SCAN_ERR_DUP_HEADER;
		out->hdr_seen |= bit;
		if (!(sc_hdr_group[h] & parse))
			continue;
		v = skip_lws(v, ve);
		st = scan_value(out, h, v, rtrim(v, ve));
		if (SCAN_UNLIKELY(st != SIP_SCAN_OK)) {
			if (sc_hdr_group[h] & stop)
				return st;
			if (out->deferred == SIP_SCAN_OK) { /* not this pass's business: later */
				out->deferred = (uint8_t)st;
				out->deferred_group = sc_hdr_group[h];
			}
			continue;
		}
		if (h == SIP_HDR_AUTHORIZATION || h == SIP_HDR_PROXY_AUTHORIZATION) {
			aux = HDR_AUTH_ANY;
			out->auth_seen = true;
		}
	}
}

enum sip_scan_status
sip_scan_lazy(const uint8_t *data, size_t len, struct sip_scan *out, unsigned int parse,
	      unsigned int stop)
{
	enum sip_scan_status st;

	scan_init(out, parse | stop);
	if (SCAN_UNLIKELY(len > SIP_SCAN_MAX_LEN))
		return (enum sip_scan_status)(out->status = SIP_SCAN_ERR_TOO_BIG);
	st = sc_start_line(data, len, &out->line, true);
	if (SCAN_UNLIKELY(st != SIP_SCAN_OK))
		return (enum sip_scan_status)(out->status = (uint8_t)st);
	out->next_off = out->line.len;
	st = scan_headers(data, len, out, stop);
	out->status = (uint8_t)st;
	return st;
}

enum sip_scan_status
sip_scan(const uint8_t *data, size_t len, struct sip_scan *out, unsigned int want)
{
	return sip_scan_lazy(data, len, out, want, want);
}

enum sip_scan_status
sip_scan_from_skim(const uint8_t *data, size_t len, struct sip_scan *out,
		   const struct sip_skim *k, unsigned int parse, unsigned int stop)
{
	const uint8_t *u = k->line.ruri.p;
	struct sip_scan_uri uri;
	enum sip_scan_status st;
	size_t n = 0;

	scan_init(out, parse | stop);
	out->line = k->line;
	/* The one start-line check the skim leaves out: a sip/sips Request-URI taken apart. */
	if (k->line.is_request) {
		while (n < k->line.ruri.len && u[n] != ':')
			n++;
		if (is_sip_scheme(u, n)) {
			if (sip_scan_uri(k->line.ruri, &uri) != 0 || uri.headers.p != NULL)
				return (enum sip_scan_status)(out->status =
								      SIP_SCAN_ERR_BAD_REQUEST_URI);
			out->line.ruri_user = uri.user;
			out->line.ruri_host = uri.host;
		}
	}
	out->next_off = out->line.len;
	st = scan_headers(data, len, out, stop);
	out->status = (uint8_t)st;
	return st;
}

enum sip_scan_status
sip_scan_resume(const uint8_t *data, size_t len, struct sip_scan *out, unsigned int want)
{
	enum sip_scan_status st;

	if (out->status != SIP_SCAN_OK)
		return (enum sip_scan_status)out->status; /* final: a later pass fails the same way */
	if (out->deferred != SIP_SCAN_OK) {
		if (out->deferred_group & want)
			return (enum sip_scan_status)(out->status = out->deferred);
		/* Rare: a bad value this pass does not read; redo it the way it would be alone. */
		return sip_scan_lazy(data, len, out, want, want);
	}
	if ((want & ~(unsigned int)out->parse_want) != 0)
		return sip_scan_lazy(data, len, out, out->parse_want | want, want);
	if (out->complete)
		st = scan_finish(out, data + out->next_off + 2, data + len, want);
	else
		st = scan_headers(data, len, out, want);
	out->status = (uint8_t)st;
	return st;
}
