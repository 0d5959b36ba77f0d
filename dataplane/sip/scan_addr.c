/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Addresses: SIP URIs, name-addr/addr-spec values (From, To, Contact, P-Asserted-Identity,
 * P-Preferred-Identity) and Via values.
 */
#include <string.h>

#include "dataplane/sip/scan_impl.h"

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

	if (scan_uint(span(p, d), 65535, &v) != 0)
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

/* URI in a header: no whitespace, no < > ", and a scheme. Fills user/host for sip/sips. */
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
int
sc_scan_addr(const uint8_t **pp, const uint8_t *e, struct sip_scan_addr *a, bool multi,
	     int64_t *expires)
{
	const uint8_t *p = skip_lws(*pp, e), *r, *gt;
	struct param pr;
	uint64_t v;
	bool bare = false;

	if (p == e)
		return -1;
	if (*p == '"') {
		r = sc_skip_quoted(p, e);
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
		p = sc_scan_param(p + 1, e, &pr);
		if (p == NULL)
			return -1;
		if (SPAN_IS(pr.name, "tag")) {
			a->tag = pr.value;
		} else if (expires != NULL && SPAN_IS(pr.name, "expires")) {
			if (scan_uint(pr.value, UINT32_MAX, &v) != 0)
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
		p = sc_scan_param(p + 1, e, &pr);
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
enum sip_scan_status
sc_scan_via(struct sip_scan *out, const uint8_t *p, const uint8_t *e)
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

enum sip_scan_status
sc_scan_contact(struct sip_scan *out, const uint8_t *p, const uint8_t *e)
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
			if (sc_scan_addr(&p, e, &out->contact, true, &out->contact_expires) != 0)
				return SIP_SCAN_ERR_BAD_CONTACT;
		} else if (sc_scan_addr(&p, e, &spare, true, &exp_spare) != 0) {
			return SIP_SCAN_ERR_BAD_CONTACT;
		}
		if (out->n_contact < UINT8_MAX)
			out->n_contact++;
		if (p == e)
			return SIP_SCAN_OK;
		p++; /* ',' */
	}
}

int
sip_scan_addr(struct sf_span value, struct sip_scan_addr *out)
{
	const uint8_t *p = value.p;

	memset(out, 0, sizeof(*out));
	if (p == NULL)
		return -1;
	return sc_scan_addr(&p, p + value.len, out, false, NULL);
}
