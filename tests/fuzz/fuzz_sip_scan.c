/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the SIP scanner: every want mask and every helper on the same bytes,
 * and an oracle that every span the scanner returns lies inside the input.
 */
#include <stdint.h>
#include <stdlib.h>

#include "dataplane/sip/scan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
/* skim_ref.c: the skim before issue 14's line loop, the differential's reference. */
enum sip_scan_status sip_scan_skim_ref(const uint8_t *data, size_t len, struct sip_skim *out);
/* scan_skim.c's portable (SSE2) variant, which sip_scan_skim() skips on a CPU with AVX2. */
enum sip_scan_status sc_scan_skim_portable(const uint8_t *data, size_t len, struct sip_skim *out);

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

static bool
same_skim(const struct sip_skim *a, const struct sip_skim *b)
{
	return a->line.method == b->line.method && a->line.len == b->line.len &&
	       a->line.is_request == b->line.is_request &&
	       a->line.status_code == b->line.status_code &&
	       same_span(a->line.method_name, b->line.method_name) &&
	       same_span(a->line.ruri, b->line.ruri) && same_span(a->line.reason, b->line.reason) &&
	       same_span(a->from, b->from) && same_span(a->to, b->to) &&
	       same_span(a->auth, b->auth) && same_span(a->user_agent, b->user_agent) &&
	       a->n_headers == b->n_headers && a->auth_is_proxy == b->auth_is_proxy;
}

/*
 * Differential (issue 14): the skim against its reference (skim_ref.c, the line loop before
 * the cheaper one), on the input and on every prefix of it up to 2 KiB (truncation, a last
 * byte that is an LF, a CR with nothing after it), both variants of the skim (the one this CPU
 * takes and the portable one). Same status, same spans, same count: so
 * the unknown-source drop decided from the skim (policy_skim_unknown() reads only these) is
 * the same decision as before, for every input.
 */
static void
fuzz_skim_differential(const uint8_t *data, size_t size)
{
	struct sip_skim a, b, c;
	size_t n, max = size < 2048 ? size : 2048;

	for (n = 0; n <= max; n++) {
		size_t len = n == max ? size : n;
		enum sip_scan_status sa = sip_scan_skim(data, len, &a);
		enum sip_scan_status sb = sip_scan_skim_ref(data, len, &b);
		enum sip_scan_status sc = sc_scan_skim_portable(data, len, &c);

		if (sa != sb || !same_skim(&a, &b) || sc != sb || !same_skim(&c, &b))
			abort();
	}
}

#define FUZZ_WANT_POLICY (SIP_WANT_FROM_TO | SIP_WANT_AUTH | SIP_WANT_DIALOG | SIP_WANT_UA)
#define FUZZ_WANT_REPLY (FUZZ_WANT_POLICY | SIP_WANT_VIA | SIP_WANT_COMPLETE)

static bool
same_addr(const struct sip_scan_addr *a, const struct sip_scan_addr *b)
{
	return same_span(a->display, b->display) && same_span(a->uri, b->uri) &&
	       same_span(a->user, b->user) && same_span(a->host, b->host) &&
	       same_span(a->tag, b->tag);
}

/* Two scans found the same (field by field: struct padding is not compared). */
static bool
same_scan(const struct sip_scan *a, const struct sip_scan *b)
{
	const struct sip_scan_auth *x = &a->auth, *y = &b->auth;

	return a->line.method == b->line.method && a->line.len == b->line.len &&
	       same_span(a->line.ruri, b->line.ruri) &&
	       same_span(a->line.ruri_user, b->line.ruri_user) &&
	       same_span(a->line.ruri_host, b->line.ruri_host) &&
	       same_span(a->via.transport, b->via.transport) &&
	       same_span(a->via.host, b->via.host) && same_span(a->via.branch, b->via.branch) &&
	       same_span(a->via.received, b->via.received) &&
	       same_span(a->via.rport, b->via.rport) && a->via.port == b->via.port &&
	       a->via.has_rport == b->via.has_rport && same_addr(&a->from, &b->from) &&
	       same_addr(&a->to, &b->to) && same_addr(&a->contact, &b->contact) &&
	       same_addr(&a->pai, &b->pai) && same_addr(&a->ppi, &b->ppi) &&
	       same_span(x->scheme, y->scheme) && same_span(x->username, y->username) &&
	       same_span(x->realm, y->realm) && same_span(x->nonce, y->nonce) &&
	       same_span(x->uri, y->uri) && same_span(x->response, y->response) &&
	       same_span(x->qop, y->qop) && same_span(x->nc, y->nc) &&
	       same_span(x->cnonce, y->cnonce) && same_span(x->algorithm, y->algorithm) &&
	       x->is_digest == y->is_digest && x->is_proxy == y->is_proxy &&
	       same_span(a->call_id, b->call_id) && same_span(a->cseq_method, b->cseq_method) &&
	       same_span(a->content_type, b->content_type) &&
	       same_span(a->user_agent, b->user_agent) && same_span(a->privacy, b->privacy) &&
	       same_span(a->session_refresher, b->session_refresher) &&
	       same_span(a->body, b->body) && a->expires == b->expires &&
	       a->contact_expires == b->contact_expires && a->cseq == b->cseq &&
	       a->hdr_seen == b->hdr_seen && a->max_forwards == b->max_forwards &&
	       a->content_length == b->content_length &&
	       a->session_expires == b->session_expires && a->min_se == b->min_se &&
	       a->n_headers == b->n_headers && a->n_via == b->n_via &&
	       a->n_contact == b->n_contact && a->contact_star == b->contact_star &&
	       a->timer_supported == b->timer_supported &&
	       a->timer_required == b->timer_required && a->complete == b->complete;
}

/*
 * The resumable scan (sip_input()'s flow) against the scans it replaces: a lazy policy pass
 * that parses everything it passes (from byte 0, or from a skim's start line) fails exactly
 * when sip_scan(policy) fails, with the same status; resuming it for the reply or the whole
 * message gives sip_scan(reply) / sip_scan(all)'s status, and for all the same result.
 */
static void
fuzz_resume(const uint8_t *data, size_t size)
{
	static struct sip_scan old_s, lazy_s, copy_s;
	enum sip_scan_status o, n;
	struct sip_skim k;
	int from_skim;

	for (from_skim = 0; from_skim < 2; from_skim++) {
		if (from_skim && sip_scan_skim(data, size, &k) != SIP_SCAN_OK)
			return;
		o = sip_scan(data, size, &old_s, FUZZ_WANT_POLICY);
		n = from_skim ? sip_scan_from_skim(data, size, &lazy_s, &k, SIP_WANT_ALL,
						   FUZZ_WANT_POLICY)
			      : sip_scan_lazy(data, size, &lazy_s, SIP_WANT_ALL, FUZZ_WANT_POLICY);
		if (o != n)
			abort();
		if (o != SIP_SCAN_OK)
			continue;
		if (!same_span(old_s.from.user, lazy_s.from.user) ||
		    !same_span(old_s.to.tag, lazy_s.to.tag) ||
		    !same_span(old_s.auth.username, lazy_s.auth.username) ||
		    !same_span(old_s.call_id, lazy_s.call_id) ||
		    !same_span(old_s.user_agent, lazy_s.user_agent) ||
		    old_s.line.method != lazy_s.line.method ||
		    !same_span(old_s.line.ruri_user, lazy_s.line.ruri_user))
			abort();
		copy_s = lazy_s;
		if (sip_scan_resume(data, size, &copy_s, FUZZ_WANT_REPLY) !=
		    sip_scan(data, size, &old_s, FUZZ_WANT_REPLY))
			abort();
		o = sip_scan(data, size, &old_s, SIP_WANT_ALL);
		if (sip_scan_resume(data, size, &lazy_s, SIP_WANT_ALL) != o)
			abort();
		if (o == SIP_SCAN_OK && !same_scan(&old_s, &lazy_s))
			abort();
	}
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
	fuzz_skim_differential(data, size);
	fuzz_resume(data, size);
	for (i = 0; i < sizeof(fuzz_wants) / sizeof(fuzz_wants[0]); i++) {
		st = sip_scan(data, size, &s, fuzz_wants[i]);
		if (sip_scan_reason_name(st)[0] == '?')
			abort();
		check_result(&s, data, size);
	}
	fuzz_helpers(&s, data, size);
	return 0;
}
