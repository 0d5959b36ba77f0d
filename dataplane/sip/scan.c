/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One-pass SIP datagram scanner: start line, then one header line at a time, parsing only
 * the values the caller wants. Every read is bounded by the datagram end; nothing allocates.
 */
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "dataplane/sip/scan.h"

#define SCAN_UNLIKELY(x) __builtin_expect(!!(x), 0)

/* Character classes, one bit each, for sc_class[] below. */
#define CL_TOKEN  0x01 /* RFC 3261 token: alphanum and -.!%*_+`'~ */
#define CL_LWS    0x02 /* SP HT CR LF; CR/LF only occur inside a value as folding */
#define CL_DIGIT  0x04
#define CL_SCHEME 0x08 /* alphanum + - . */
#define CL_URIC   0x10 /* visible ASCII except < > " (unused by the fast path) */
#define CL_HOST   0x20 /* alphanum - . _ */
#define CL_PSTOP  0x40 /* ends an unquoted parameter value: LWS ; , ? > */

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

static const char *const sc_reason_names[] = {
#define X(name, text) [SIP_SCAN_##name] = text,
	SIP_SCAN_STATUS_LIST(X)
#undef X
};

static const char *const sc_method_names[] = {
#define X(name) [SIP_METHOD_##name] = #name,
	SIP_SCAN_METHOD_LIST(X)
#undef X
};

/* Headers that may appear once only; a repeat is ERR_DUP_HEADER (RFC 4475 3.3.8, 3.3.9). */
#define HDR_BIT(h) (1u << (h))
#define HDR_SINGLE                                                                           \
	(HDR_BIT(SIP_HDR_FROM) | HDR_BIT(SIP_HDR_TO) | HDR_BIT(SIP_HDR_CALL_ID) |             \
	 HDR_BIT(SIP_HDR_CSEQ) | HDR_BIT(SIP_HDR_MAX_FORWARDS) | HDR_BIT(SIP_HDR_CONTENT_LENGTH))
/* Bit outside hdr_seen, kept locally: "Authorization or Proxy-Authorization parsed". */
#define HDR_AUTH_ANY HDR_BIT(SIP_HDR_MAX)

/* Which SIP_WANT_* group parses each header's value. */
static const uint16_t sc_hdr_group[SIP_HDR_MAX] = {
	[SIP_HDR_VIA] = SIP_WANT_VIA,
	[SIP_HDR_FROM] = SIP_WANT_FROM_TO,
	[SIP_HDR_TO] = SIP_WANT_FROM_TO,
	[SIP_HDR_CALL_ID] = SIP_WANT_DIALOG,
	[SIP_HDR_CSEQ] = SIP_WANT_DIALOG,
	[SIP_HDR_MAX_FORWARDS] = SIP_WANT_DIALOG,
	[SIP_HDR_CONTACT] = SIP_WANT_CONTACT,
	[SIP_HDR_EXPIRES] = SIP_WANT_CONTACT,
	[SIP_HDR_CONTENT_LENGTH] = SIP_WANT_BODY | SIP_WANT_COMPLETE,
	[SIP_HDR_CONTENT_TYPE] = SIP_WANT_BODY,
	[SIP_HDR_USER_AGENT] = SIP_WANT_UA,
	[SIP_HDR_AUTHORIZATION] = SIP_WANT_AUTH,
	[SIP_HDR_PROXY_AUTHORIZATION] = SIP_WANT_AUTH,
	[SIP_HDR_SESSION_EXPIRES] = SIP_WANT_SESSION,
	[SIP_HDR_MIN_SE] = SIP_WANT_SESSION,
	[SIP_HDR_SUPPORTED] = SIP_WANT_SESSION,
	[SIP_HDR_REQUIRE] = SIP_WANT_SESSION,
	[SIP_HDR_PRIVACY] = SIP_WANT_IDENTITY,
	[SIP_HDR_P_ASSERTED_IDENTITY] = SIP_WANT_IDENTITY,
	[SIP_HDR_P_PREFERRED_IDENTITY] = SIP_WANT_IDENTITY,
	[SIP_HDR_DATE] = SIP_WANT_COMPLETE,
	[SIP_HDR_OTHER] = 0,
};

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
static bool
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

/*
 * p is at an opening '"'. Returns the byte after the closing quote, or NULL when the
 * string does not close before e. A quote preceded by an odd run of '\' is escaped.
 */
static const uint8_t *
skip_quoted(const uint8_t *p, const uint8_t *e)
{
	const uint8_t *start = ++p, *q, *b;

	for (;;) {
		q = memchr(p, '"', (size_t)(e - p));
		if (q == NULL)
			return NULL;
		for (b = q; b > start && b[-1] == '\\'; b--)
			;
		if (((q - b) & 1) == 0)
			return q + 1;
		p = q + 1;
	}
}

int
sip_scan_uint(struct sf_span s, uint64_t max, uint64_t *val)
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

const char *
sip_scan_reason_name(enum sip_scan_status status)
{
	if ((unsigned int)status >= SIP_SCAN_STATUS_MAX)
		return "?";
	return sc_reason_names[status];
}

const char *
sip_scan_method_name(enum sip_scan_method method)
{
	if ((unsigned int)method >= SIP_METHOD_MAX)
		return "?";
	return sc_method_names[method];
}

#define TOK_IS(p, n, lit) ((n) == sizeof(lit) - 1 && memcmp((p), (lit), (n)) == 0)

enum sip_scan_method
sip_scan_method_of(struct sf_span t)
{
	const uint8_t *p = t.p;
	size_t n = t.len;

	if (n < 3 || p == NULL)
		return SIP_METHOD_OTHER;
	switch (p[0]) {
	case 'A':
		return TOK_IS(p, n, "ACK") ? SIP_METHOD_ACK : SIP_METHOD_OTHER;
	case 'B':
		return TOK_IS(p, n, "BYE") ? SIP_METHOD_BYE : SIP_METHOD_OTHER;
	case 'C':
		return TOK_IS(p, n, "CANCEL") ? SIP_METHOD_CANCEL : SIP_METHOD_OTHER;
	case 'I':
		if (TOK_IS(p, n, "INVITE"))
			return SIP_METHOD_INVITE;
		return TOK_IS(p, n, "INFO") ? SIP_METHOD_INFO : SIP_METHOD_OTHER;
	case 'M':
		return TOK_IS(p, n, "MESSAGE") ? SIP_METHOD_MESSAGE : SIP_METHOD_OTHER;
	case 'N':
		return TOK_IS(p, n, "NOTIFY") ? SIP_METHOD_NOTIFY : SIP_METHOD_OTHER;
	case 'O':
		return TOK_IS(p, n, "OPTIONS") ? SIP_METHOD_OPTIONS : SIP_METHOD_OTHER;
	case 'P':
		if (TOK_IS(p, n, "PRACK"))
			return SIP_METHOD_PRACK;
		return TOK_IS(p, n, "PUBLISH") ? SIP_METHOD_PUBLISH : SIP_METHOD_OTHER;
	case 'R':
		if (TOK_IS(p, n, "REGISTER"))
			return SIP_METHOD_REGISTER;
		return TOK_IS(p, n, "REFER") ? SIP_METHOD_REFER : SIP_METHOD_OTHER;
	case 'S':
		return TOK_IS(p, n, "SUBSCRIBE") ? SIP_METHOD_SUBSCRIBE : SIP_METHOD_OTHER;
	case 'U':
		return TOK_IS(p, n, "UPDATE") ? SIP_METHOD_UPDATE : SIP_METHOD_OTHER;
	default:
		return SIP_METHOD_OTHER;
	}
}

/* Host part of a URI or Via sent-by: hostname/IPv4 run, or an [IPv6] reference. */
static const uint8_t *
scan_host(const uint8_t *p, const uint8_t *e)
{
	const uint8_t *rb;

	if (p < e && *p == '[') {
		rb = memchr(p, ']', (size_t)(e - p));
		return rb == NULL || rb == p + 1 ? NULL : rb + 1;
	}
	rb = skip_class(p, e, CL_HOST);
	return rb == p ? NULL : rb;
}

/* Digits after a ':' of a hostport; returns the end, or NULL when empty or > 65535. */
static const uint8_t *
scan_port(const uint8_t *p, const uint8_t *e, uint16_t *port)
{
	const uint8_t *d = skip_class(p, e, CL_DIGIT);
	uint64_t v;

	if (sip_scan_uint(span(p, d), 65535, &v) != 0)
		return NULL;
	*port = (uint16_t)v;
	return d;
}

int
sip_scan_uri(struct sf_span uri, struct sip_scan_uri *out)
{
	const uint8_t *p = uri.p, *e, *at, *col, *q;

	memset(out, 0, sizeof(*out));
	if (uri.p == NULL)
		return -1;
	e = p + uri.len;
	if (uri.len >= 4 && lc_eq(p, "sip", 3) && p[3] == ':') {
		p += 4;
	} else if (uri.len >= 5 && lc_eq(p, "sips", 4) && p[4] == ':') {
		p += 5;
		out->is_sips = true;
	} else {
		return -1;
	}
	/* '@' is not allowed unescaped after the userinfo, so the first one ends it. */
	at = memchr(p, '@', (size_t)(e - p));
	if (at != NULL) {
		col = memchr(p, ':', (size_t)(at - p));
		out->user = span(p, col != NULL ? col : at);
		p = at + 1;
	}
	q = scan_host(p, e);
	if (q == NULL)
		return -1;
	out->host = span(p, q);
	p = q;
	if (p < e && *p == ':') {
		p = scan_port(p + 1, e, &out->port);
		if (p == NULL)
			return -1;
	}
	if (p < e && *p == ';') {
		q = memchr(p, '?', (size_t)(e - p));
		if (q == NULL)
			q = e;
		out->params = span(p + 1, q);
		p = q;
	}
	if (p < e && *p == '?') {
		out->headers = span(p + 1, e);
		p = e;
	}
	return p == e ? 0 : -1;
}

/* One ";name[=value]" list element; p is past the ';'. */
struct param {
	struct sf_span name;
	struct sf_span value;
};

/*
 * Parse "name [= value]" after a ';' or ','. Value is a quoted string (returned without
 * quotes) or a run up to LWS ; , ? >. Returns the end, or NULL on a syntax error.
 */
static const uint8_t *
scan_param(const uint8_t *p, const uint8_t *e, struct param *pr)
{
	const uint8_t *n, *q;

	p = skip_lws(p, e);
	n = p;
	p = skip_class(p, e, CL_TOKEN);
	if (p == n)
		return NULL;
	pr->name = span(n, p);
	pr->value = span(p, p);
	q = skip_lws(p, e);
	if (q == e || *q != '=')
		return p;
	p = skip_lws(q + 1, e);
	if (p < e && *p == '"') {
		q = skip_quoted(p, e);
		if (q == NULL)
			return NULL;
		pr->value = span(p + 1, q - 1);
		return q;
	}
	q = skip_to_class(p, e, CL_PSTOP);
	if (q == p)
		return NULL;
	pr->value = span(p, q);
	return q;
}

int
sip_scan_param(struct sf_span params, const char *name, size_t name_len, struct sf_span *value)
{
	const uint8_t *p = params.p, *e, *q;
	struct param pr;
	size_t i;

	if (params.p == NULL)
		return 0;
	e = p + params.len;
	for (;;) {
		p = skip_lws(p, e);
		if (p < e && *p == ';')
			p++;
		q = scan_param(p, e, &pr);
		if (q == NULL)
			return 0;
		if (pr.name.len == name_len) {
			for (i = 0; i < name_len; i++)
				if ((pr.name.p[i] | 0x20) != ((uint8_t)name[i] | 0x20))
					break;
			if (i == name_len) {
				*value = pr.value;
				return 1;
			}
		}
		/* Advance to the next top-level ';'; a ',' ends this value's list. */
		for (p = q; p < e && *p != ';'; p++) {
			if (*p == ',')
				return 0;
			if (*p == '"') {
				p = skip_quoted(p, e);
				if (p == NULL)
					return 0;
				p--;
			}
		}
		if (p >= e)
			return 0;
	}
}

/* URI in a header: no whitespace, no < > ", and a scheme. Fills user/host for sip/sips. */
static inline bool
is_sip_scheme(const uint8_t *p, size_t n)
{
	return (n == 3 && lc_eq(p, "sip", 3)) || (n == 4 && lc_eq(p, "sips", 4));
}

static bool
check_uri(struct sf_span uri, struct sip_scan_addr *a, bool bare)
{
	const uint8_t *p = uri.p, *e = uri.p + uri.len, *s;
	struct sip_scan_uri u;

	/* Only the scheme and, for sip/sips, the hostport are checked: speed over pedantry. */
	s = skip_class(p, e, CL_SCHEME);
	if (s == p || s == e || *s != ':')
		return false;
	a->uri = uri;
	if (!is_sip_scheme(p, (size_t)(s - p)))
		return true; /* tel:, isbn:, ...: kept whole (RFC 4475 3.3.4) */
	if (sip_scan_uri(uri, &u) != 0)
		return false;
	/* A bare addr-spec cannot carry URI headers (RFC 3261 20.10, RFC 4475 3.1.2.13). */
	if (bare && u.headers.p != NULL)
		return false;
	a->user = u.user;
	a->host = u.host;
	return true;
}

/*
 * name-addr or addr-spec, then header params. With multi, a top-level ',' ends the value
 * and *pp is left on it. Returns 0 or -1; *expires gets an "expires" param when non-NULL.
 */
static int
scan_addr(const uint8_t **pp, const uint8_t *e, struct sip_scan_addr *a, bool multi,
	  int64_t *expires)
{
	const uint8_t *p = skip_lws(*pp, e), *r, *gt;
	struct param pr;
	uint64_t v;
	bool bare = false;

	if (p == e)
		return -1;
	if (*p == '"') {
		r = skip_quoted(p, e);
		if (r == NULL)
			return -1;
		a->display = span(p + 1, r - 1);
		p = skip_lws(r, e);
	} else {
		r = p;
		while (r < e && is_cl(*r, CL_TOKEN | CL_LWS))
			r++;
		if (r < e && *r == '<') {
			a->display = span(p, rtrim(p, r));
			p = r;
		} else if (r < e && *r == ':' && skip_class(p, r, CL_SCHEME) == r) {
			bare = true;
		} else {
			return -1;
		}
	}
	if (bare) {
		for (r = p; r < e && !is_cl(*r, CL_LWS) && *r != ';'; r++)
			if (multi && *r == ',')
				break;
		if (!check_uri(span(p, r), a, true))
			return -1;
		p = r;
	} else {
		if (p == e || *p != '<' || p + 1 == e || is_cl(p[1], CL_LWS))
			return -1;
		p++;
		gt = memchr(p, '>', (size_t)(e - p));
		if (gt == NULL || is_cl(gt[-1], CL_LWS) || !check_uri(span(p, gt), a, false))
			return -1;
		p = gt + 1;
	}
	for (;;) {
		p = skip_lws(p, e);
		if (p == e || (multi && *p == ','))
			break;
		if (*p != ';')
			return -1;
		p = scan_param(p + 1, e, &pr);
		if (p == NULL)
			return -1;
		if (SPAN_IS(pr.name, "tag")) {
			a->tag = pr.value;
		} else if (expires != NULL && SPAN_IS(pr.name, "expires")) {
			if (sip_scan_uint(pr.value, UINT32_MAX, &v) != 0)
				return -1;
			*expires = (int64_t)v;
		}
	}
	*pp = p;
	return 0;
}

/* One Via value up to ',' or e. */
static int
scan_via_value(const uint8_t **pp, const uint8_t *e, struct sip_scan_via *v)
{
	const uint8_t *p = skip_lws(*pp, e), *q;
	struct param pr;

	q = skip_class(p, e, CL_TOKEN);
	if (q - p != 3 || !lc_eq(p, "sip", 3))
		return -1;
	p = skip_lws(q, e);
	if (p == e || *p != '/')
		return -1;
	p = skip_lws(p + 1, e);
	if (e - p < 3 || memcmp(p, "2.0", 3) != 0)
		return -1;
	p = skip_lws(p + 3, e);
	if (p == e || *p != '/')
		return -1;
	p = skip_lws(p + 1, e);
	q = skip_class(p, e, CL_TOKEN);
	if (q == p || q == e || !is_cl(*q, CL_LWS))
		return -1;
	v->transport = span(p, q);
	p = skip_lws(q, e);
	q = scan_host(p, e);
	if (q == NULL)
		return -1;
	v->host = span(p, q);
	p = skip_lws(q, e);
	if (p < e && *p == ':') {
		p = scan_port(skip_lws(p + 1, e), e, &v->port);
		if (p == NULL)
			return -1;
	}
	for (;;) {
		p = skip_lws(p, e);
		if (p == e || *p == ',')
			break;
		if (*p != ';')
			return -1;
		p = scan_param(p + 1, e, &pr);
		if (p == NULL)
			return -1;
		if (SPAN_IS(pr.name, "branch")) {
			v->branch = pr.value;
		} else if (SPAN_IS(pr.name, "rport")) {
			v->rport = pr.value;
			v->has_rport = true;
		} else if (SPAN_IS(pr.name, "received")) {
			v->received = pr.value;
		}
	}
	*pp = p;
	return 0;
}

/* Via values in one header line: parse all (count them), keep the first as the top Via. */
static enum sip_scan_status
scan_via(struct sip_scan *out, const uint8_t *p, const uint8_t *e)
{
	struct sip_scan_via spare;

	for (;;) {
		memset(&spare, 0, sizeof(spare));
		if (scan_via_value(&p, e, out->n_via == 0 ? &out->via : &spare) != 0)
			return SIP_SCAN_ERR_BAD_VIA;
		if (out->n_via < UINT8_MAX)
			out->n_via++;
		if (p == e)
			return SIP_SCAN_OK;
		p++; /* ',' */
	}
}

static enum sip_scan_status
scan_contact(struct sip_scan *out, const uint8_t *p, const uint8_t *e)
{
	struct sip_scan_addr spare;
	int64_t exp_spare;

	if (e - p == 1 && *p == '*') {
		out->contact_star = true;
		if (out->n_contact < UINT8_MAX)
			out->n_contact++;
		return SIP_SCAN_OK;
	}
	for (;;) {
		memset(&spare, 0, sizeof(spare));
		if (out->n_contact == 0) {
			if (scan_addr(&p, e, &out->contact, true, &out->contact_expires) != 0)
				return SIP_SCAN_ERR_BAD_CONTACT;
		} else if (scan_addr(&p, e, &spare, true, &exp_spare) != 0) {
			return SIP_SCAN_ERR_BAD_CONTACT;
		}
		if (out->n_contact < UINT8_MAX)
			out->n_contact++;
		if (p == e)
			return SIP_SCAN_OK;
		p++; /* ',' */
	}
}

/*
 * Digest credentials; an unknown scheme is kept opaque (RFC 4475 3.3.7). With username_only
 * the parse stops right after the first username parameter: what follows is not checked.
 */
static enum sip_scan_status
scan_auth(struct sip_scan_auth *a, const uint8_t *p, const uint8_t *e, bool username_only)
{
	const uint8_t *q = skip_class(p, e, CL_TOKEN);
	struct param pr;
	struct sf_span *dst;

	if (q == p)
		return SIP_SCAN_ERR_BAD_AUTH;
	a->scheme = span(p, q);
	if (!SPAN_IS(a->scheme, "digest"))
		return SIP_SCAN_OK;
	a->is_digest = true;
	if (q == e || !is_cl(*q, CL_LWS))
		return SIP_SCAN_ERR_BAD_AUTH;
	for (p = q;;) {
		p = scan_param(p, e, &pr);
		if (p == NULL || pr.value.p == pr.name.p + pr.name.len)
			return SIP_SCAN_ERR_BAD_AUTH;
		dst = NULL;
		switch (pr.name.len) {
		case 2:
			dst = SPAN_IS(pr.name, "nc") ? &a->nc : NULL;
			break;
		case 3:
			if (SPAN_IS(pr.name, "uri"))
				dst = &a->uri;
			else if (SPAN_IS(pr.name, "qop"))
				dst = &a->qop;
			break;
		case 5:
			if (SPAN_IS(pr.name, "realm"))
				dst = &a->realm;
			else if (SPAN_IS(pr.name, "nonce"))
				dst = &a->nonce;
			break;
		case 6:
			dst = SPAN_IS(pr.name, "cnonce") ? &a->cnonce : NULL;
			break;
		case 8:
			if (SPAN_IS(pr.name, "username"))
				dst = &a->username;
			else if (SPAN_IS(pr.name, "response"))
				dst = &a->response;
			break;
		case 9:
			dst = SPAN_IS(pr.name, "algorithm") ? &a->algorithm : NULL;
			break;
		default:
			break;
		}
		if (dst != NULL && dst->p == NULL)
			*dst = pr.value;
		if (username_only && a->username.p != NULL)
			return SIP_SCAN_OK;
		p = skip_lws(p, e);
		if (p == e)
			return SIP_SCAN_OK;
		if (*p != ',')
			return SIP_SCAN_ERR_BAD_AUTH;
		p++;
	}
}

/* "delta-seconds *(;param)" (Session-Expires, Min-SE); refresher is kept when asked. */
static int
scan_delta(const uint8_t *p, const uint8_t *e, int32_t *val, struct sf_span *refresher)
{
	const uint8_t *q = skip_class(p, e, CL_DIGIT);
	struct param pr;
	uint64_t v;

	if (sip_scan_uint(span(p, q), INT32_MAX, &v) != 0)
		return -1;
	*val = (int32_t)v;
	for (p = q;;) {
		p = skip_lws(p, e);
		if (p == e)
			return 0;
		if (*p != ';')
			return -1;
		p = scan_param(p + 1, e, &pr);
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

	if (sip_scan_uint(span(p, e), max, &v) != 0)
		return err;
	*val = (int64_t)v;
	return SIP_SCAN_OK;
}

static enum sip_scan_status
scan_cseq(struct sip_scan *out, const uint8_t *p, const uint8_t *e)
{
	const uint8_t *q = skip_class(p, e, CL_DIGIT);
	uint64_t v;

	if (sip_scan_uint(span(p, q), UINT32_MAX, &v) != 0 || q == e || !is_cl(*q, CL_LWS))
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
		return scan_via(out, p, e);
	case SIP_HDR_FROM:
		return scan_addr(&p, e, &out->from, false, NULL) ? SIP_SCAN_ERR_BAD_FROM : SIP_SCAN_OK;
	case SIP_HDR_TO:
		return scan_addr(&p, e, &out->to, false, NULL) ? SIP_SCAN_ERR_BAD_TO : SIP_SCAN_OK;
	case SIP_HDR_CALL_ID:
		return scan_call_id(out, p, e);
	case SIP_HDR_CSEQ:
		return scan_cseq(out, p, e);
	case SIP_HDR_CONTACT:
		return scan_contact(out, p, e);
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
		return scan_auth(&out->auth, p, e, false);
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
		return out->pai.uri.p != NULL || scan_addr(&p, e, &out->pai, true, NULL) == 0 ?
			       SIP_SCAN_OK : SIP_SCAN_ERR_BAD_IDENTITY;
	case SIP_HDR_P_PREFERRED_IDENTITY:
		return out->ppi.uri.p != NULL || scan_addr(&p, e, &out->ppi, true, NULL) == 0 ?
			       SIP_SCAN_OK : SIP_SCAN_ERR_BAD_IDENTITY;
	case SIP_HDR_DATE:
		return date_is_gmt(p, e) ? SIP_SCAN_OK : SIP_SCAN_ERR_BAD_DATE;
	default:
		return SIP_SCAN_OK;
	}
}

/* Header name to id: a switch on length, then on the first letter (compact forms too). */
static enum sip_scan_hdr
hdr_lookup(const uint8_t *n, size_t len)
{
	uint8_t c = n[0] | 0x20;

	switch (len) {
	case 1:
		switch (c) {
		case 'v': return SIP_HDR_VIA;
		case 'f': return SIP_HDR_FROM;
		case 't': return SIP_HDR_TO;
		case 'i': return SIP_HDR_CALL_ID;
		case 'm': return SIP_HDR_CONTACT;
		case 'l': return SIP_HDR_CONTENT_LENGTH;
		case 'c': return SIP_HDR_CONTENT_TYPE;
		case 'k': return SIP_HDR_SUPPORTED;
		case 'x': return SIP_HDR_SESSION_EXPIRES;
		default: return SIP_HDR_OTHER;
		}
	case 2:
		return lc_eq(n, "to", 2) ? SIP_HDR_TO : SIP_HDR_OTHER;
	case 3:
		return lc_eq(n, "via", 3) ? SIP_HDR_VIA : SIP_HDR_OTHER;
	case 4:
		if (c == 'f')
			return lc_eq(n, "from", 4) ? SIP_HDR_FROM : SIP_HDR_OTHER;
		if (c == 'd')
			return lc_eq(n, "date", 4) ? SIP_HDR_DATE : SIP_HDR_OTHER;
		return lc_eq(n, "cseq", 4) ? SIP_HDR_CSEQ : SIP_HDR_OTHER;
	case 6:
		return lc_eq(n, "min-se", 6) ? SIP_HDR_MIN_SE : SIP_HDR_OTHER;
	case 7:
		switch (c) {
		case 'c':
			if (lc_eq(n, "call-id", 7))
				return SIP_HDR_CALL_ID;
			return lc_eq(n, "contact", 7) ? SIP_HDR_CONTACT : SIP_HDR_OTHER;
		case 'e': return lc_eq(n, "expires", 7) ? SIP_HDR_EXPIRES : SIP_HDR_OTHER;
		case 'p': return lc_eq(n, "privacy", 7) ? SIP_HDR_PRIVACY : SIP_HDR_OTHER;
		case 'r': return lc_eq(n, "require", 7) ? SIP_HDR_REQUIRE : SIP_HDR_OTHER;
		default: return SIP_HDR_OTHER;
		}
	case 9:
		return lc_eq(n, "supported", 9) ? SIP_HDR_SUPPORTED : SIP_HDR_OTHER;
	case 10:
		return lc_eq(n, "user-agent", 10) ? SIP_HDR_USER_AGENT : SIP_HDR_OTHER;
	case 12:
		if (c == 'm')
			return lc_eq(n, "max-forwards", 12) ? SIP_HDR_MAX_FORWARDS : SIP_HDR_OTHER;
		return lc_eq(n, "content-type", 12) ? SIP_HDR_CONTENT_TYPE : SIP_HDR_OTHER;
	case 13:
		return lc_eq(n, "authorization", 13) ? SIP_HDR_AUTHORIZATION : SIP_HDR_OTHER;
	case 14:
		return lc_eq(n, "content-length", 14) ? SIP_HDR_CONTENT_LENGTH : SIP_HDR_OTHER;
	case 15:
		return lc_eq(n, "session-expires", 15) ? SIP_HDR_SESSION_EXPIRES : SIP_HDR_OTHER;
	case 19:
		if (c == 'p' && lc_eq(n, "proxy-authorization", 19))
			return SIP_HDR_PROXY_AUTHORIZATION;
		return lc_eq(n, "p-asserted-identity", 19) ? SIP_HDR_P_ASSERTED_IDENTITY :
							      SIP_HDR_OTHER;
	case 20:
		return lc_eq(n, "p-preferred-identity", 20) ? SIP_HDR_P_PREFERRED_IDENTITY :
							       SIP_HDR_OTHER;
	default:
		return SIP_HDR_OTHER;
	}
}

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
		return hdr_lookup(p, 1);
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

/*
 * The URI of a request line: scheme, visible characters, and for sip/sips no '?' part. With
 * !split (a skim) a sip/sips URI is not taken apart: ruri_user/ruri_host stay empty and a bad
 * hostport or a '?' part is not noticed.
 */
static enum sip_scan_status
check_ruri(struct sip_scan_line *l, const uint8_t *p, const uint8_t *e, bool split)
{
	const uint8_t *s = skip_class(p, e, CL_SCHEME);
	struct sip_scan_uri u;

	if (p[0] == ' ' || e[-1] == ' ')
		return SIP_SCAN_ERR_BAD_START_LINE; /* two SPs between elements (RFC 4475 3.1.2.9) */
	if (s == p || s == e || *s != ':' || (unsigned int)((*p | 0x20) - 'a') >= 26)
		return SIP_SCAN_ERR_BAD_REQUEST_URI;
	if (has_space_or_ctl(s, e))
		return SIP_SCAN_ERR_BAD_REQUEST_URI;
	l->ruri = span(p, e);
	if (!split || !is_sip_scheme(p, (size_t)(s - p)))
		return SIP_SCAN_OK;
	if (sip_scan_uri(l->ruri, &u) != 0 || u.headers.p != NULL)
		return SIP_SCAN_ERR_BAD_REQUEST_URI;
	l->ruri_user = u.user;
	l->ruri_host = u.host;
	return SIP_SCAN_OK;
}

/* "SIP/2.0 SP 3DIGIT SP reason"; e is at the CR. */
static enum sip_scan_status
scan_status_line(struct sip_scan_line *l, const uint8_t *data, const uint8_t *e)
{
	const uint8_t *p;
	unsigned int code;

	if (e - data < 8 || memcmp(data, "SIP/2.0 ", 8) != 0)
		return SIP_SCAN_ERR_BAD_VERSION;
	p = data + 8;
	if (e - p < 4 || !is_cl(p[0], CL_DIGIT) || !is_cl(p[1], CL_DIGIT) ||
	    !is_cl(p[2], CL_DIGIT) || p[3] != ' ')
		return SIP_SCAN_ERR_BAD_STATUS;
	code = (p[0] - '0') * 100u + (p[1] - '0') * 10u + (p[2] - '0');
	if (code < 100 || code > 699)
		return SIP_SCAN_ERR_BAD_STATUS;
	for (p += 4; p < e; p++)
		if ((*p < 0x20 && *p != '\t') || *p == 0x7f)
			return SIP_SCAN_ERR_BAD_START_LINE;
	l->status_code = (uint16_t)code;
	l->reason = span(data + 12, e);
	return SIP_SCAN_OK;
}

static enum sip_scan_status
scan_start_line(const uint8_t *data, size_t len, struct sip_scan_line *l, bool split)
{
	const uint8_t *lf, *e, *m;
	size_t lim = len < SIP_SCAN_MAX_HEADER_LEN ? len : SIP_SCAN_MAX_HEADER_LEN;

	memset(l, 0, sizeof(*l));
	lf = data == NULL ? NULL : memchr(data, '\n', lim);
	if (lf == NULL)
		return len > SIP_SCAN_MAX_HEADER_LEN ? SIP_SCAN_ERR_HEADER_TOO_LONG :
						       SIP_SCAN_ERR_TRUNCATED;
	if (lf == data || lf[-1] != '\r')
		return SIP_SCAN_ERR_BAD_START_LINE;
	e = lf - 1;
	l->len = (uint16_t)(lf + 1 - data);
	if (e - data >= 4 && memcmp(data, "SIP/", 4) == 0)
		return scan_status_line(l, data, e);
	m = skip_class(data, e, CL_TOKEN);
	if (m == data || m == e || *m != ' ')
		return SIP_SCAN_ERR_BAD_START_LINE;
	l->is_request = true;
	l->method_name = span(data, m);
	l->method = (uint8_t)sip_scan_method_of(l->method_name);
	if (e - m < 10 || memcmp(e - 8, " SIP/2.0", 8) != 0) {
		/* The version is the token after the last SP; "SIP/x" is a version problem. */
		for (lf = e; lf > m && lf[-1] != ' '; lf--)
			;
		if (lf > m + 1 && e - lf >= 4 && memcmp(lf, "SIP/", 4) == 0)
			return SIP_SCAN_ERR_BAD_VERSION;
		return SIP_SCAN_ERR_BAD_START_LINE;
	}
	return check_ruri(l, m + 1, e - 8, split);
}

enum sip_scan_status
sip_scan_request_line(const uint8_t *data, size_t len, struct sip_scan_line *l)
{
	return scan_start_line(data, len, l, true);
}

bool
sip_scan_is_request(const uint8_t *data, size_t len)
{
	const uint8_t *m;

	if (data == NULL || len < 2)
		return false;
	m = skip_class(data, data + len, CL_TOKEN);
	return m != data && m < data + len && *m == ' ';
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
	*h = hdr_lookup(p, *name_len);
	return SIP_SCAN_OK;
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

enum sip_scan_status
sip_scan(const uint8_t *data, size_t len, struct sip_scan *out, unsigned int want)
{
	const uint8_t *p, *e, *name, *v, *ve;
	enum sip_scan_status st;
	enum sip_scan_hdr h;
	uint32_t need, bit, aux = 0;
	size_t name_len;

	memset(out, 0, sizeof(*out));
	out->expires = -1;
	out->contact_expires = -1;
	out->max_forwards = -1;
	out->content_length = -1;
	out->session_expires = -1;
	out->min_se = -1;
	if (SCAN_UNLIKELY(len > SIP_SCAN_MAX_LEN))
		return SIP_SCAN_ERR_TOO_BIG;
	st = scan_start_line(data, len, &out->line, true);
	if (SCAN_UNLIKELY(st != SIP_SCAN_OK))
		return st;
	need = need_mask(want);
	e = data + len;
	for (p = data + out->line.len;;) {
		if (((out->hdr_seen | aux) & need) == need)
			return SIP_SCAN_OK; /* lazy: every wanted header was seen */
		if (SCAN_UNLIKELY(p == e))
			return SIP_SCAN_ERR_TRUNCATED;
		if (*p == '\r') {
			if (p + 1 == e)
				return SIP_SCAN_ERR_TRUNCATED;
			if (p[1] != '\n')
				return SIP_SCAN_ERR_BAD_HEADER;
			return scan_finish(out, p + 2, e, want);
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
		if (!(sc_hdr_group[h] & want))
			continue;
		v = skip_lws(v, ve);
		st = scan_value(out, h, v, rtrim(v, ve));
		if (SCAN_UNLIKELY(st != SIP_SCAN_OK))
			return st;
		if (h == SIP_HDR_AUTHORIZATION || h == SIP_HDR_PROXY_AUTHORIZATION)
			aux = HDR_AUTH_ANY;
	}
}

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

enum sip_scan_status
sip_scan_skim(const uint8_t *data, size_t len, struct sip_skim *out)
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
	st = scan_start_line(data, len, &out->line, false);
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

int
sip_scan_addr(struct sf_span value, struct sip_scan_addr *out)
{
	const uint8_t *p = value.p;

	memset(out, 0, sizeof(*out));
	if (p == NULL)
		return -1;
	return scan_addr(&p, p + value.len, out, false, NULL);
}

enum sip_scan_status
sip_scan_credentials(struct sf_span value, bool is_proxy, struct sip_scan_auth *out)
{
	memset(out, 0, sizeof(*out));
	out->is_proxy = is_proxy;
	if (value.p == NULL)
		return SIP_SCAN_ERR_BAD_AUTH;
	return scan_auth(out, value.p, value.p + value.len, false);
}

enum sip_scan_status
sip_scan_credentials_user(struct sf_span value, struct sf_span *username)
{
	struct sip_scan_auth a;
	enum sip_scan_status st;

	memset(&a, 0, sizeof(a));
	username->p = NULL;
	username->len = 0;
	if (value.p == NULL)
		return SIP_SCAN_ERR_BAD_AUTH;
	st = scan_auth(&a, value.p, value.p + value.len, true);
	if (st == SIP_SCAN_OK)
		*username = a.username;
	return st;
}
