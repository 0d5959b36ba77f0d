/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The start line: request line (method, Request-URI, version) or status line; the status and
 * method names.
 */
#include <string.h>

#include "dataplane/sip/scan_impl.h"

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

enum sip_scan_status
sc_start_line(const uint8_t *data, size_t len, struct sip_scan_line *l, bool split)
{
	size_t lim = len < SIP_SCAN_MAX_HEADER_LEN ? len : SIP_SCAN_MAX_HEADER_LEN;

	memset(l, 0, sizeof(*l));
	return sc_start_line_at(data, len, data == NULL ? NULL : memchr(data, '\n', lim), l,
				split);
}

enum sip_scan_status
sc_start_line_at(const uint8_t *data, size_t len, const uint8_t *lf, struct sip_scan_line *l,
		 bool split)
{
	const uint8_t *e, *m;

	if (lf == NULL)
		return len > SIP_SCAN_MAX_HEADER_LEN ? SIP_SCAN_ERR_HEADER_TOO_LONG :
						       SIP_SCAN_ERR_TRUNCATED;
	if (lf == data || lf[-1] != '\r')
		return SIP_SCAN_ERR_BAD_START_LINE;
	e = lf - 1;
	l->len = (uint16_t)(lf + 1 - data);
	/*
	 * The usual request line first: a method of sl_method_fast(), " SIP/2.0" at the end,
	 * a plain sip/sips URI between. What it sets is what the general path below sets for
	 * the same line; any other line goes there.
	 */
	{
		uint8_t method;

		if (sl_request_frame(data, e, &method, &m)) {
			l->is_request = true;
			l->method_name = span(data, m);
			l->method = method;
			if (!split && sl_ruri_plain(m + 1, e - 8)) {
				l->ruri = span(m + 1, e - 8);
				return SIP_SCAN_OK;
			}
			return check_ruri(l, m + 1, e - 8, split);
		}
	}
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
	return sc_start_line(data, len, l, true);
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
