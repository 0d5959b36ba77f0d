/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Source policy lookups (packet path). The control plane builds the tables
 * (policy_setup.c: policy_create, policy_finalize, policy_free); workers then only read them
 * (they are part of the immutable snapshot).
 */
#include <arpa/inet.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "dataplane/policy/policy.h"
#include "dataplane/policy/policy_hash.h"

static bool
hook_no_binding(void *ctx, uint32_t ip_be, uint16_t port_be)
{
	(void)ctx;
	(void)ip_be;
	(void)port_be;
	return false;
}

static bool
hook_no_dialog(void *ctx, const struct sip_scan *s, uint32_t ip_be)
{
	(void)ctx;
	(void)s;
	(void)ip_be;
	return false;
}

static bool
hook_not_suspended(void *ctx, uint32_t ip_be, struct sf_span user)
{
	(void)ctx;
	(void)ip_be;
	(void)user;
	return false;
}

const struct policy_hooks policy_hooks_none = {
	.binding_live = hook_no_binding,
	.dialog_known = hook_no_dialog,
	.suspended = hook_not_suspended,
};

const struct policy_gateway *
policy_gateway_by_source(const struct policy *pol, uint32_t ip_be, uint16_t port_be)
{
	const struct policy_gateway *g, *first;
	uint32_t s, idx;
	uint16_t port;

	if (pol == NULL || pol->n_gateways == 0)
		return NULL;
	s = policy_hash_ip(ip_be) & pol->by_ip.mask;
	for (;;) {
		idx = pol->by_ip.slots[s];
		if (idx == 0)
			return NULL;
		if (pol->gateways[idx - 1].ip_be == ip_be)
			break;
		s = (s + 1) & pol->by_ip.mask;
	}
	first = &pol->gateways[idx - 1];
	if (first->next_same_ip == 0)
		return first;
	port = ntohs(port_be);
	for (g = first;; g = &pol->gateways[g->next_same_ip - 1]) {
		if (g->port == port)
			return g;
		if (g->next_same_ip == 0)
			return first;
	}
}

const struct policy_account *
policy_account_by_user(const struct policy *pol, struct sf_span user)
{
	uint32_t s, idx;

	if (pol == NULL || pol->n_accounts == 0 || user.len == 0)
		return NULL;
	s = policy_hash_bytes(user.p, user.len) & pol->by_user.mask;
	for (;;) {
		const struct policy_account *a;

		idx = pol->by_user.slots[s];
		if (idx == 0)
			return NULL;
		a = &pol->accounts[idx - 1];
		if (a->user_len == user.len && memcmp(a->user, user.p, user.len) == 0)
			return a;
		s = (s + 1) & pol->by_user.mask;
	}
}

bool
policy_account_allows(const struct policy_account *a, uint32_t ip_be)
{
	uint16_t i;

	if (a->n_allowed == 0)
		return true;
	for (i = 0; i < a->n_allowed; i++)
		if ((ip_be & a->allowed[i].mask_be) == a->allowed[i].ip_be)
			return true;
	return false;
}

struct sf_span
policy_identity(const struct sip_scan *s)
{
	if (s->auth.username.len > 0)
		return s->auth.username;
	if (s->from.user.len > 0)
		return s->from.user;
	if (s->line.method == SIP_METHOD_REGISTER)
		return s->to.user;
	return (struct sf_span){NULL, 0};
}

enum policy_class
policy_classify_request(const struct policy *pol, const struct policy_hooks *hooks,
			uint32_t ip_be, const struct sip_scan *s,
			const struct policy_account **acct)
{
	const struct policy_account *a = policy_account_by_user(pol, policy_identity(s));

	if (acct != NULL)
		*acct = NULL;
	if (a != NULL && policy_account_allows(a, ip_be)) {
		if (acct != NULL)
			*acct = a;
		if (hooks->suspended(hooks->ctx, ip_be, policy_identity(s)))
			return POLICY_SUSPENDED;
		return POLICY_ACCOUNT;
	}
	/* In-dialog requests count only from the dialog peer's IP (I-36). */
	if (s->to.tag.len > 0 && hooks->dialog_known(hooks->ctx, s, ip_be))
		return POLICY_DIALOG;
	return POLICY_UNKNOWN;
}

/*
 * Is there a ';' in @s? The last 16 bytes and, up to 32, the first 16 (overlapping), one
 * movemask; longer spans 16 bytes a step into the same accumulator; no libc call. Callgrind,
 * flood_unknown's policy_skim_unknown() (To 21 to 29 bytes): 40 -> ~28 instructions a frame
 * against a test per 16-byte step and a separate tail.
 */
static inline bool
policy_span_has_semi(struct sf_span s)
{
#if defined(__SSE2__)
	const __m128i semi = _mm_set1_epi8(';');
	__m128i acc, head;
	size_t i;

	if (s.len >= 16) {
		acc = _mm_cmpeq_epi8(
			_mm_loadu_si128((const __m128i *)(const void *)(s.p + s.len - 16)), semi);
		/* The usual To: its first and last 16 bytes, no loop. */
		if (s.len <= 32) {
			head = _mm_loadu_si128((const __m128i *)(const void *)s.p);
			return _mm_movemask_epi8(_mm_or_si128(acc, _mm_cmpeq_epi8(head, semi))) != 0;
		}
		for (i = 0; i + 16 < s.len; i += 16)
			acc = _mm_or_si128(acc, _mm_cmpeq_epi8(_mm_loadu_si128(
						     (const __m128i *)(const void *)(s.p + i)),
							     semi));
		return _mm_movemask_epi8(acc) != 0;
	}
	for (i = 0; i < s.len; i++)
		if (s.p[i] == ';')
			return true;
	return false;
#else
	return memchr(s.p, ';', s.len) != NULL;
#endif
}

/*
 * policy_skim_unknown() past the To tag, when accounts are configured. @to: To already parsed,
 * or NULL (parsed here only if the identity comes to need it).
 */
static __attribute__((noinline)) bool
policy_skim_unknown_identity(const struct policy *pol, uint32_t ip_be, const struct sip_skim *k,
			     const struct sip_scan_addr *to)
{
	const struct policy_account *a;
	struct sip_scan_addr from, to_here;
	struct sf_span id = {NULL, 0};

	/* policy_identity(): credentials' username, else From user, else a REGISTER's To user. */
	/*
	 * Only up to the username: parsing every digest parameter cost the wrong_password bench
	 * ~1,000 instructions a request (callgrind). An error after it goes unnoticed only when
	 * the request is then dropped as unknown; a configured username defers to the full scan.
	 */
	if (k->auth.p != NULL && sip_scan_credentials_user(k->auth, &id) != SIP_SCAN_OK)
		return false;
	if (id.len == 0 && k->from.p != NULL) {
		if (sip_scan_addr(k->from, &from) != 0)
			return false;
		id = from.user;
	}
	if (id.len == 0 && k->line.method == SIP_METHOD_REGISTER && k->to.p != NULL) {
		if (to == NULL) {
			if (sip_scan_addr(k->to, &to_here) != 0)
				return false;
			to = &to_here;
		}
		id = to->user;
	}
	a = policy_account_by_user(pol, id);
	return a == NULL || !policy_account_allows(a, ip_be);
}

/* policy_skim_unknown() when To holds a ';': parse it, a tag defers, then as without one. */
static __attribute__((noinline)) bool
policy_skim_unknown_to_params(const struct policy *pol, uint32_t ip_be,
			      const struct sip_skim *k)
{
	struct sip_scan_addr to;

	/* A tag is a header parameter, so a To without any ';' has none: nothing to parse. */
	if (sip_scan_addr(k->to, &to) != 0 || to.tag.len > 0)
		return false;
	if (pol == NULL || pol->n_accounts == 0)
		return true; /* no identity can be a configured account */
	return policy_skim_unknown_identity(pol, ip_be, k, &to);
}

/*
 * The flood's case (no ';' in To, no accounts) stays a leaf with no stack frame: parsing To and
 * the identity work are out of line (callgrind: 34 + memchr 18 instructions a flood frame
 * before).
 */
bool
policy_skim_unknown(const struct policy *pol, uint32_t ip_be, const struct sip_skim *k)
{
	if (k->to.p != NULL && policy_span_has_semi(k->to))
		return policy_skim_unknown_to_params(pol, ip_be, k);
	if (pol == NULL || pol->n_accounts == 0)
		return true; /* no identity can be a configured account */
	return policy_skim_unknown_identity(pol, ip_be, k, NULL);
}
