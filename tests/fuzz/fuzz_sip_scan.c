/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the SIP scanner: every want mask and every helper on the same bytes,
 * and an oracle that every span the scanner returns lies inside the input.
 */
#include <stdint.h>
#include <stdlib.h>

#include "dataplane/sip/scan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const unsigned int fuzz_wants[] = {
	0,
	SIP_WANT_VIA,
	SIP_WANT_FROM_TO,
	SIP_WANT_FROM_TO | SIP_WANT_AUTH,
	SIP_WANT_FROM_TO | SIP_WANT_UA,
	SIP_WANT_DIALOG,
	SIP_WANT_CONTACT,
	SIP_WANT_BODY,
	SIP_WANT_SESSION | SIP_WANT_IDENTITY,
	SIP_WANT_COMPLETE,
	SIP_WANT_ALL,
};

static void
check_span(struct sf_span s, const uint8_t *data, size_t size)
{
	if (s.p == NULL) {
		if (s.len != 0)
			abort();
		return;
	}
	if (s.p < data || s.p + s.len > data + size)
		abort();
}

static void
check_addr(const struct sip_scan_addr *a, const uint8_t *d, size_t n)
{
	check_span(a->display, d, n);
	check_span(a->uri, d, n);
	check_span(a->user, d, n);
	check_span(a->host, d, n);
	check_span(a->tag, d, n);
}

static void
check_result(const struct sip_scan *s, const uint8_t *d, size_t n)
{
	check_span(s->line.method_name, d, n);
	check_span(s->line.ruri, d, n);
	check_span(s->line.ruri_user, d, n);
	check_span(s->line.ruri_host, d, n);
	check_span(s->line.reason, d, n);
	check_span(s->via.transport, d, n);
	check_span(s->via.host, d, n);
	check_span(s->via.branch, d, n);
	check_span(s->via.received, d, n);
	check_span(s->via.rport, d, n);
	check_addr(&s->from, d, n);
	check_addr(&s->to, d, n);
	check_addr(&s->contact, d, n);
	check_addr(&s->pai, d, n);
	check_addr(&s->ppi, d, n);
	check_span(s->auth.scheme, d, n);
	check_span(s->auth.username, d, n);
	check_span(s->auth.realm, d, n);
	check_span(s->auth.nonce, d, n);
	check_span(s->auth.uri, d, n);
	check_span(s->auth.response, d, n);
	check_span(s->auth.qop, d, n);
	check_span(s->auth.nc, d, n);
	check_span(s->auth.cnonce, d, n);
	check_span(s->auth.algorithm, d, n);
	check_span(s->call_id, d, n);
	check_span(s->cseq_method, d, n);
	check_span(s->content_type, d, n);
	check_span(s->user_agent, d, n);
	check_span(s->privacy, d, n);
	check_span(s->session_refresher, d, n);
	check_span(s->body, d, n);
	if (s->content_length > (int32_t)SIP_SCAN_MAX_LEN || s->max_forwards > 255)
		abort();
}

static void
fuzz_helpers(const struct sip_scan *s, const uint8_t *data, size_t size)
{
	struct sf_span whole = { data, (uint16_t)(size > 65535 ? 65535 : size) }, v;
	struct sip_scan_uri u;
	uint64_t n;

	if (sip_scan_uri(whole, &u) == 0) {
		check_span(u.user, data, size);
		check_span(u.host, data, size);
		check_span(u.params, data, size);
		check_span(u.headers, data, size);
	}
	if (SIP_SCAN_PARAM(whole, "tag", &v) == 1)
		check_span(v, data, size);
	if (SIP_SCAN_PARAM(s->contact.uri, "transport", &v) == 1)
		check_span(v, data, size);
	if (sip_scan_uint(whole, UINT64_MAX / 10, &n) == 0 && n > UINT64_MAX / 10)
		abort();
	(void)sip_scan_is_request(data, size);
}

static bool
same_span(struct sf_span a, struct sf_span b)
{
	return a.len == b.len && (a.len == 0 || a.p == b.p);
}

/*
 * The unknown-source skim: in bounds, and it checks a subset of what sip_scan() checks, so a
 * message sip_scan() accepts completely the skim accepts too, with the same spans.
 */
static void
fuzz_skim(const uint8_t *data, size_t size)
{
	struct sip_scan_addr a;
	struct sip_scan_auth cr;
	struct sip_skim k;
	struct sip_scan s;
	enum sip_scan_status st = sip_scan_skim(data, size, &k);

	check_span(k.line.method_name, data, size);
	check_span(k.line.ruri, data, size);
	check_span(k.from, data, size);
	check_span(k.to, data, size);
	check_span(k.auth, data, size);
	check_span(k.user_agent, data, size);
	if (sip_scan_addr(k.from, &a) == 0)
		check_span(a.user, data, size);
	if (sip_scan_credentials(k.auth, k.auth_is_proxy, &cr) == SIP_SCAN_OK) {
		struct sf_span u;

		check_span(cr.username, data, size);
		/* The username-only parse finds the same span whenever the full one succeeds. */
		if (sip_scan_credentials_user(k.auth, &u) != SIP_SCAN_OK ||
		    !same_span(u, cr.username))
			abort();
	}
	if (sip_scan(data, size, &s, SIP_WANT_ALL) != SIP_SCAN_OK)
		return;
	if (st != SIP_SCAN_OK || k.n_headers != s.n_headers || k.line.method != s.line.method ||
	    !same_span(k.user_agent, s.user_agent))
		abort();
	if (sip_scan_addr(k.from, &a) != 0 || !same_span(a.user, s.from.user) ||
	    !same_span(a.tag, s.from.tag))
		abort();
	if (sip_scan_addr(k.to, &a) != 0 || !same_span(a.tag, s.to.tag))
		abort();
	if ((k.auth.p != NULL) != (s.auth.scheme.p != NULL))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sip_scan_line line;
	struct sip_scan s;
	enum sip_scan_status st;
	unsigned int i;

	(void)sip_scan_request_line(data, size, &line);
	fuzz_skim(data, size);
	for (i = 0; i < sizeof(fuzz_wants) / sizeof(fuzz_wants[0]); i++) {
		st = sip_scan(data, size, &s, fuzz_wants[i]);
		if (sip_scan_reason_name(st)[0] == '?')
			abort();
		check_result(&s, data, size);
	}
	fuzz_helpers(&s, data, size);
	return 0;
}
