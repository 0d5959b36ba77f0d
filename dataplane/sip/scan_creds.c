/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Credentials: the Authorization and Proxy-Authorization values (Digest parameters).
 */
#include <string.h>

#include "dataplane/sip/scan_impl.h"

/*
 * Digest credentials; an unknown scheme is kept opaque (RFC 4475 3.3.7). With username_only
 * the parse stops right after the first username parameter: what follows is not checked.
 */
enum sip_scan_status
sc_scan_auth(struct sip_scan_auth *a, const uint8_t *p, const uint8_t *e, bool username_only)
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
		p = sc_scan_param(p, e, &pr);
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

enum sip_scan_status
sip_scan_credentials(struct sf_span value, bool is_proxy, struct sip_scan_auth *out)
{
	memset(out, 0, sizeof(*out));
	out->is_proxy = is_proxy;
	if (value.p == NULL)
		return SIP_SCAN_ERR_BAD_AUTH;
	return sc_scan_auth(out, value.p, value.p + value.len, false);
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
	st = sc_scan_auth(&a, value.p, value.p + value.len, true);
	if (st == SIP_SCAN_OK)
		*username = a.username;
	return st;
}
