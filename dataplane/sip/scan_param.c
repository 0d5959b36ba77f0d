/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Scanner pieces shared by every header value: quoted strings, ";name=value" parameters and
 * unsigned decimals.
 */
#include <string.h>

#include "dataplane/sip/scan_impl.h"

/*
 * p is at an opening '"'. Returns the byte after the closing quote, or NULL when the
 * string does not close before e. A quote preceded by an odd run of '\' is escaped.
 */
const uint8_t *
sc_skip_quoted(const uint8_t *p, const uint8_t *e)
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
	return scan_uint(s, max, val);
}

/*
 * Parse "name [= value]" after a ';' or ','. Value is a quoted string (returned without
 * quotes) or a run up to LWS ; , ? >. Returns the end, or NULL on a syntax error.
 */
const uint8_t *
sc_scan_param(const uint8_t *p, const uint8_t *e, struct param *pr)
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
		q = sc_skip_quoted(p, e);
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
		q = sc_scan_param(p, e, &pr);
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
				p = sc_skip_quoted(p, e);
				if (p == NULL)
					return 0;
				p--;
			}
		}
		if (p >= e)
			return 0;
	}
}
