/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Source policy (I-1): the accounts/gateways config sections, and who a request comes from:
 * gateway by address, live binding, configured identity (pinned IPs), suspended, known
 * dialog from its peer, or unknown. Pure: no EAL.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ctrlplane/cfg_policy.h"
#include "ctrlplane/param_table.h"
#include "dataplane/policy/policy.h"
#include "dataplane/policy/reply_budget.h"

#define DOC                                                                                   \
	"{\"accounts\": ["                                                                    \
	" {\"user\": \"1001\", \"password\": \"s3cret\"},"                                    \
	" {\"user\": \"1002\", \"ha1\": \"0123456789abcdef0123456789ABCDEF\","                \
	"  \"allowed_ips\": [\"198.51.100.0/24\", \"192.0.2.9\"]},"                           \
	" {\"user\": \"1003\", \"password\": \"x\","                                          \
	"  \"params\": {\"SS_SIP_AUTHENTICATION_RETRY\": 3}}],"                               \
	" \"gateways\": ["                                                                    \
	" {\"name\": \"A\", \"address\": \"10.99.0.2\"},"                                     \
	" {\"name\": \"B\", \"address\": \"10.99.0.3\", \"port\": 5080, \"priority\": 2,"     \
	"  \"prefixes\": [\"880\", \"+1\"]},"                                                 \
	" {\"name\": \"B2\", \"address\": \"10.99.0.3\", \"port\": 5090}]}"

struct pt {
	struct snapshot snap;
	json_t *doc;
};

static int
pt_parse(const char *text, struct snapshot *snap, struct cfg_error *err)
{
	json_error_t jerr;
	json_t *doc = json_loads(text, 0, &jerr);
	int rc;

	assert_non_null(doc);
	memset(snap, 0, sizeof(*snap));
	param_table_defaults(&snap->params);
	rc = cfg_policy_parse(doc, snap, err);
	json_decref(doc);
	return rc;
}

static int
pt_setup(void **state)
{
	struct pt *t = calloc(1, sizeof(*t));
	struct cfg_error err = {0};

	if (t == NULL || pt_parse(DOC, &t->snap, &err) != 0) {
		print_error("%s: %s\n", err.path, err.msg);
		free(t);
		return -1;
	}
	*state = t;
	return 0;
}

static int
pt_teardown(void **state)
{
	struct pt *t = *state;

	policy_free(t->snap.policy);
	free(t);
	return 0;
}

static uint32_t
ip(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a.s_addr;
}

/* Scan @msg (kept alive in a static heap copy until the next call) with the policy's wants. */
static const struct sip_scan *
scan(const char *msg)
{
	static uint8_t *copy;
	static struct sip_scan s;
	size_t len = strlen(msg);

	free(copy);
	copy = malloc(len);
	assert_non_null(copy);
	memcpy(copy, msg, len);
	assert_int_equal(sip_scan(copy, len, &s, SIP_WANT_FROM_TO | SIP_WANT_AUTH | SIP_WANT_DIALOG),
			 SIP_SCAN_OK);
	return &s;
}

#define REQ(method, from_user, to_tag, extra)                                                 \
	method " sip:x@10.99.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 1.2.3.4;branch=z9hG4bKa\r\n"      \
	       "From: <sip:" from_user "@example.com>;tag=f1\r\nTo: <sip:1001@example.com>" to_tag \
	       "\r\nCall-ID: c1\r\nCSeq: 1 " method "\r\n" extra "Content-Length: 0\r\n\r\n"

static enum policy_class
classify(const struct pt *t, const char *src, const struct sip_scan *s,
	 const struct policy_hooks *hooks)
{
	enum policy_class c = policy_classify_source(t->snap.policy, hooks, ip(src), htons(5060),
						     NULL);

	return c != POLICY_UNKNOWN ? c
				   : policy_classify_request(t->snap.policy, hooks, ip(src), s, NULL);
}

static void
test_UNAUTH_9_gateway_known_by_address(void **state)
{
	const struct pt *t = *state;
	const struct policy_gateway *g;

	assert_int_equal(policy_classify_source(t->snap.policy, &policy_hooks_none, ip("10.99.0.2"),
						htons(40000), &g),
			 POLICY_GATEWAY);
	assert_string_equal(g->name, "A");
	/* Same address, two gateways: the source port picks one, else the first. */
	assert_string_equal(policy_gateway_by_source(t->snap.policy, ip("10.99.0.3"),
						     htons(5090))->name, "B2");
	assert_string_equal(policy_gateway_by_source(t->snap.policy, ip("10.99.0.3"),
						     htons(1234))->name, "B");
	assert_null(policy_gateway_by_source(t->snap.policy, ip("10.99.0.4"), htons(5060)));
	g = policy_gateway_by_source(t->snap.policy, ip("10.99.0.3"), htons(5080));
	assert_int_equal(g->priority, 2);
	assert_int_equal(g->n_prefixes, 2);
	assert_string_equal(g->prefixes[1], "+1");
}

static void
test_UNAUTH_5_unknown_source_and_identity_is_unknown(void **state)
{
	const struct pt *t = *state;

	assert_int_equal(classify(t, "203.0.113.9", scan(REQ("INVITE", "9999", "", "")),
				  &policy_hooks_none),
			 POLICY_UNKNOWN);
	assert_int_equal(classify(t, "203.0.113.9", scan(REQ("OPTIONS", "100", "", "")),
				  &policy_hooks_none),
			 POLICY_UNKNOWN);
}

static void
test_UNAUTH_11_from_user_of_account_makes_source_known(void **state)
{
	const struct pt *t = *state;
	const struct policy_account *a;

	assert_int_equal(policy_classify_request(t->snap.policy, &policy_hooks_none,
						 ip("203.0.113.9"),
						 scan(REQ("INVITE", "1001", "", "")), &a),
			 POLICY_ACCOUNT);
	assert_string_equal(a->user, "1001");
	assert_string_equal(a->password, "s3cret");
}

static void
test_UNAUTH_7_register_known_by_to_user(void **state)
{
	const struct pt *t = *state;

	/* A REGISTER whose From has no sip user: the To user (the AoR) is the identity. */
	assert_int_equal(classify(t, "203.0.113.9",
				  scan("REGISTER sip:example.com SIP/2.0\r\nVia: SIP/2.0/UDP h;"
				       "branch=z9hG4bKb\r\nFrom: <tel:5550100>;tag=1\r\n"
				       "To: <sip:1001@example.com>\r\nCall-ID: r1\r\n"
				       "CSeq: 1 REGISTER\r\n\r\n"),
				  &policy_hooks_none),
		 POLICY_ACCOUNT);
}

static void
test_UNAUTH_2_authorization_username_decides_identity(void **state)
{
	const struct pt *t = *state;

	/* From names account 1001, but the credentials are for an unknown user. */
	assert_int_equal(classify(t, "203.0.113.9",
				  scan(REQ("REGISTER", "1001", "",
					   "Authorization: Digest username=\"nobody\", realm=\"r\", "
					   "nonce=\"n\", uri=\"sip:x\", response=\"0\"\r\n")),
				  &policy_hooks_none),
			 POLICY_UNKNOWN);
	assert_int_equal(classify(t, "203.0.113.9",
				  scan(REQ("REGISTER", "9999", "",
					   "Authorization: Digest username=\"1001\", realm=\"r\", "
					   "nonce=\"n\", uri=\"sip:x\", response=\"0\"\r\n")),
				  &policy_hooks_none),
			 POLICY_ACCOUNT);
}

static void
test_POLICY_allowed_ips_pin_the_account(void **state)
{
	const struct pt *t = *state;
	const struct sip_scan *s = scan(REQ("INVITE", "1002", "", ""));

	assert_int_equal(classify(t, "198.51.100.77", s, &policy_hooks_none), POLICY_ACCOUNT);
	assert_int_equal(classify(t, "192.0.2.9", s, &policy_hooks_none), POLICY_ACCOUNT);
	assert_int_equal(classify(t, "192.0.2.10", s, &policy_hooks_none), POLICY_UNKNOWN);
	assert_true(t->snap.policy->accounts[1].has_ha1);
	assert_int_equal(t->snap.policy->accounts[1].ha1[15], 0xef);
}

static void
test_POLICY_account_params_merged_on_globals(void **state)
{
	const struct pt *t = *state;

	assert_null(t->snap.policy->accounts[0].params);
	assert_non_null(t->snap.policy->accounts[2].params);
	assert_int_equal(t->snap.policy->accounts[2].params->auth_retry, 3);
	assert_int_equal(t->snap.policy->accounts[2].params->auth_timeout_s,
			 t->snap.params.auth_timeout_s);
}

static bool
yes_binding(void *ctx, uint32_t ip_be, uint16_t port_be)
{
	(void)ctx;
	return ip_be == ip("203.0.113.50") && port_be == htons(5060);
}

static bool
yes_suspended(void *ctx, uint32_t ip_be, struct sf_span user)
{
	(void)ctx;
	return ip_be == ip("203.0.113.66") && user.len == 4 && memcmp(user.p, "1001", 4) == 0;
}

static bool
yes_dialog_from_peer(void *ctx, const struct sip_scan *s, uint32_t ip_be)
{
	(void)ctx;
	return s->call_id.len == 2 && ip_be == ip("203.0.113.77");
}

static const struct policy_hooks hooks_yes = {
	.binding_live = yes_binding,
	.dialog_known = yes_dialog_from_peer,
	.suspended = yes_suspended,
};

static void
test_UNAUTH_8_live_binding_address_is_known(void **state)
{
	const struct pt *t = *state;

	assert_int_equal(classify(t, "203.0.113.50", scan(REQ("INVITE", "9999", "", "")),
				  &hooks_yes),
			 POLICY_BINDING);
}

/*
 * What the classifier does with its suspended hook: SUSPENDED exactly when the hook says so for
 * (source IP, identity), ACCOUNT otherwise. The hook here is a stub; whether production's
 * suspension state reaches it is LOCK-2's business (a test of the worker's hooks), not this.
 */
static void
test_classify_suspended_hook_yes_gives_suspended_class(void **state)
{
	const struct pt *t = *state;

	assert_int_equal(classify(t, "203.0.113.66", scan(REQ("INVITE", "1001", "", "")),
				  &hooks_yes),
			 POLICY_SUSPENDED);
	assert_int_equal(classify(t, "203.0.113.67", scan(REQ("INVITE", "1001", "", "")),
				  &hooks_yes),
			 POLICY_ACCOUNT);
}

/*
 * What the classifier does with its dialog hook: DIALOG only for a request with a To tag that
 * the hook knows from that source; no To tag never asks it. The hook is a stub (it decides
 * "only from the peer" itself), so this is not UNAUTH-14 on production's dialog table.
 */
static void
test_classify_in_dialog_needs_to_tag_and_dialog_hook(void **state)
{
	const struct pt *t = *state;

	assert_int_equal(classify(t, "203.0.113.77", scan(REQ("BYE", "9999", ";tag=t1", "")),
				  &hooks_yes),
			 POLICY_DIALOG);
	assert_int_equal(classify(t, "203.0.113.78", scan(REQ("BYE", "9999", ";tag=t1", "")),
				  &hooks_yes),
			 POLICY_UNKNOWN);
	/* Out of dialog (no To tag): never a dialog match. */
	assert_int_equal(classify(t, "203.0.113.77", scan(REQ("BYE", "9999", "", "")),
				  &hooks_yes),
			 POLICY_UNKNOWN);
}

/* Skim @msg (kept alive like scan()'s copy) for policy_skim_unknown(). */
static const struct sip_skim *
skim(const char *msg)
{
	static uint8_t *copy;
	static struct sip_skim k;
	size_t len = strlen(msg);

	free(copy);
	copy = malloc(len);
	assert_non_null(copy);
	memcpy(copy, msg, len);
	assert_int_equal(sip_scan_skim(copy, len, &k), SIP_SCAN_OK);
	return &k;
}

/* Always yes: a request the skim calls unknown must stay unknown whatever the hooks say. */
static bool
hook_dialog_always(void *ctx, const struct sip_scan *s, uint32_t ip_be)
{
	(void)ctx;
	(void)s;
	(void)ip_be;
	return true;
}

static bool
hook_suspended_always(void *ctx, uint32_t ip_be, struct sf_span user)
{
	(void)ctx;
	(void)ip_be;
	(void)user;
	return true;
}

static const struct policy_hooks hooks_always = {
	.binding_live = yes_binding,
	.dialog_known = hook_dialog_always,
	.suspended = hook_suspended_always,
};

/*
 * The skim decides "unknown" exactly when the full classification says POLICY_UNKNOWN even
 * with hooks that match every dialog and suspend every account; otherwise it defers (false).
 */
static void
test_UNAUTH_5_skim_unknown_agrees_with_full_classification(void **state)
{
	static const struct {
		const char *src;
		const char *msg;
		bool unknown;
	} cases[] = {
		{ "203.0.113.9", REQ("INVITE", "9999", "", ""), true },
		{ "203.0.113.9", REQ("OPTIONS", "100", "", "User-Agent: friendly-scanner\r\n"), true },
		/* UNAUTH-11: a configured From user makes the source known. */
		{ "203.0.113.9", REQ("INVITE", "1001", "", ""), false },
		/* UNAUTH-2: the credentials' username decides, wherever the header is. */
		{ "203.0.113.9", REQ("REGISTER", "1001", "", "Authorization: Digest username="
				     "\"nobody\", realm=\"r\", nonce=\"n\"\r\n"), true },
		{ "203.0.113.9", REQ("REGISTER", "9999", "", "User-Agent: x\r\nProxy-Authorization:"
				     " Digest username=\"1001\", realm=\"r\", nonce=\"n\"\r\n"), false },
		/* Credentials without a username: the From user decides. */
		{ "203.0.113.9", REQ("REGISTER", "1001", "", "Authorization: Basic Zm9v\r\n"), false },
		/* UNAUTH-7: a REGISTER with no From user: the To user. */
		{ "203.0.113.9", "REGISTER sip:example.com SIP/2.0\r\nVia: SIP/2.0/UDP h;branch="
				 "z9hG4bKb\r\nFrom: <tel:5550100>;tag=1\r\nTo: <sip:1001@example.com>"
				 "\r\nCall-ID: r1\r\nCSeq: 1 REGISTER\r\n\r\n", false },
		{ "203.0.113.9", "INVITE sip:example.com SIP/2.0\r\nVia: SIP/2.0/UDP h;branch="
				 "z9hG4bKb\r\nFrom: <tel:5550100>;tag=1\r\nTo: <sip:1001@example.com>"
				 "\r\nCall-ID: r1\r\nCSeq: 1 INVITE\r\n\r\n", true },
		/* Pinned account 1002: known only from its prefixes. */
		{ "203.0.113.9", REQ("INVITE", "1002", "", ""), true },
		{ "198.51.100.20", REQ("INVITE", "1002", "", ""), false },
		/* UNAUTH-14: a To tag may name a dialog: the full scan decides. */
		{ "203.0.113.9", REQ("BYE", "9999", ";tag=t1", ""), false },
		/* A ';' in To without a tag is parsed and still unknown. */
		{ "203.0.113.9", REQ("INVITE", "9999", ";x=1", ""), true },
	};
	const struct pt *t = *state;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint32_t src = ip(cases[i].src);
		bool got = policy_skim_unknown(t->snap.policy, src, skim(cases[i].msg));
		enum policy_class full = policy_classify_request(t->snap.policy, &hooks_always, src,
								  scan(cases[i].msg), NULL);

		if (got != cases[i].unknown)
			print_error("case %zu: skim says %d\n", i, got);
		assert_int_equal(got, cases[i].unknown);
		if (got)
			assert_int_equal(full, POLICY_UNKNOWN);
		else
			assert_int_not_equal(full, POLICY_UNKNOWN);
	}
}

/* A value the decision needs that does not parse is left to the full scan to report. */
static void
test_GEN_1_skim_defers_unparsable_identity(void **state)
{
	const struct pt *t = *state;
	uint32_t src = ip("203.0.113.9");

	assert_false(policy_skim_unknown(t->snap.policy, src,
		skim("INVITE sip:x@y SIP/2.0\r\nFrom: <sip:a@b\r\nTo: <sip:c@d>\r\n\r\n")));
	assert_false(policy_skim_unknown(t->snap.policy, src,
		skim("INVITE sip:x@y SIP/2.0\r\nFrom: <sip:a@b>\r\nTo: <sip:c@d>;tag\"\r\n\r\n")));
	assert_false(policy_skim_unknown(t->snap.policy, src,
		skim("REGISTER sip:y SIP/2.0\r\nFrom: <sip:a@b>\r\nTo: <sip:c@d>\r\n"
		     "Authorization: Digest username\r\n\r\n")));
	/* Credentials are read only up to the username: a configured one defers ... */
	assert_false(policy_skim_unknown(t->snap.policy, src,
		skim("REGISTER sip:y SIP/2.0\r\nFrom: <sip:a@b>\r\nTo: <sip:c@d>\r\n"
		     "Authorization: Digest username=\"1001\", realm\r\n\r\n")));
	/* ... any other is unknown, whatever follows it (svcrack guessing users). */
	assert_true(policy_skim_unknown(t->snap.policy, src,
		skim("REGISTER sip:y SIP/2.0\r\nFrom: <sip:1001@b>\r\nTo: <sip:c@d>\r\n"
		     "Authorization: Digest username=\"guess\", realm\r\n\r\n")));
	/* Without accounts only the To tag matters: a bad From is not even read. */
	assert_true(policy_skim_unknown(NULL, src,
		skim("INVITE sip:x@y SIP/2.0\r\nFrom: <sip:a@b\r\nTo: <sip:c@d>\r\n\r\n")));
	assert_false(policy_skim_unknown(NULL, src,
		skim("INVITE sip:x@y SIP/2.0\r\nFrom: <sip:a@b\r\nTo: <sip:c@d>;tag=1\r\n\r\n")));
}

/*
 * UNAUTH-14: the To tag is found wherever its ';' falls in the value (policy_skim_unknown()
 * looks for the ';' 16 bytes at a time, the last step overlapping): every value length from
 * 9 to 60, with a tag (defer), another parameter (unknown) and none (unknown).
 */
static void
test_UNAUTH_14_skim_to_tag_at_every_offset(void **state)
{
	static const struct {
		const char *param;
		bool unknown;
	} params[] = { { "", true }, { ";tag=1", false }, { ";x=1", true } };
	char msg[256], user[64];
	uint32_t src = ip("203.0.113.9");
	size_t n, i;

	(void)state;
	for (n = 1; n <= 48; n++) {
		memset(user, 'u', n);
		user[n] = '\0';
		for (i = 0; i < sizeof(params) / sizeof(params[0]); i++) {
			snprintf(msg, sizeof(msg),
				 "INVITE sip:x@y SIP/2.0\r\nFrom: <sip:a@b>;tag=f\r\n"
				 "To: <sip:%s@b>%s\r\nCall-ID: c\r\n\r\n", user, params[i].param);
			if (policy_skim_unknown(NULL, src, skim(msg)) != params[i].unknown)
				print_error("user of %zu, param \"%s\"\n", n, params[i].param);
			assert_int_equal(policy_skim_unknown(NULL, src, skim(msg)),
					 params[i].unknown);
		}
	}
}

/* No accounts configured: no identity can be known, so nothing but To's ';' is looked at. */
static void
test_UNAUTH_5_skim_without_accounts(void **state)
{
	struct snapshot snap;
	struct cfg_error err = {0};
	uint32_t src = ip("203.0.113.9");

	(void)state;
	assert_int_equal(pt_parse("{\"accounts\": [], \"gateways\": []}", &snap, &err), 0);
	assert_true(policy_skim_unknown(snap.policy, src, skim(REQ("INVITE", "1001", "", ""))));
	assert_true(policy_skim_unknown(snap.policy, src, skim(REQ("REGISTER", "1001", "",
		"Authorization: Digest username=\"1001\"\r\n"))));
	assert_false(policy_skim_unknown(snap.policy, src, skim(REQ("BYE", "1", ";tag=2", ""))));
	policy_free(snap.policy);
}

/* @doc must be rejected with exactly @path. */
static void
expect_error(const char *doc, const char *path)
{
	struct cfg_error err = {0};
	struct snapshot snap;

	assert_int_not_equal(pt_parse(doc, &snap, &err), 0);
	assert_null(snap.policy);
	if (strcmp(err.path, path) != 0)
		print_error("got path \"%s\" (%s), want \"%s\"\n", err.path, err.msg, path);
	assert_string_equal(err.path, path);
	assert_true(err.msg[0] != '\0');
}

static void
test_CFG_3_policy_sections_reject_bad_input_by_path(void **state)
{
	(void)state;
	expect_error("{\"accounts\": [{\"user\": \"a\", \"password\": \"p\", \"pin\": 1}]}",
		     "accounts[0].pin");
	expect_error("{\"accounts\": [{\"user\": \"a\"}]}", "accounts[0]");
	expect_error("{\"accounts\": [{\"user\": \"a\", \"password\": \"p\", \"ha1\": \"x\"}]}",
		     "accounts[0]");
	expect_error("{\"accounts\": [{\"user\": \"a\", \"ha1\": \"xyz\"}]}", "accounts[0].ha1");
	expect_error("{\"accounts\": [{\"password\": \"p\"}]}", "accounts[0].user");
	expect_error("{\"accounts\": [{\"user\": \"a b\", \"password\": \"p\"}]}", "accounts[0].user");
	expect_error("{\"accounts\": [{\"user\": \"a\", \"password\": \"p\", "
		     "\"allowed_ips\": [\"10.0.0.1\", \"10.0.0.0/33\"]}]}",
		     "accounts[0].allowed_ips[1]");
	expect_error("{\"accounts\": [{\"user\": \"a\", \"password\": \"p\"}, "
		     "{\"user\": \"a\", \"password\": \"q\"}]}",
		     "accounts[1].user");
	expect_error("{\"accounts\": [{\"user\": \"a\", \"password\": \"p\", "
		     "\"params\": {\"SS_SIP_AUTHENTICATION_RETRY\": 0}}]}",
		     "accounts[0].params.SS_SIP_AUTHENTICATION_RETRY");
	expect_error("{\"accounts\": {}}", "accounts");
	expect_error("{\"gateways\": [{\"name\": \"A\", \"address\": \"10.0.0.256\"}]}",
		     "gateways[0].address");
	expect_error("{\"gateways\": [{\"name\": \"A\", \"address\": \"10.0.0.0/8\"}]}",
		     "gateways[0].address");
	expect_error("{\"gateways\": [{\"name\": \"A\"}]}", "gateways[0].address");
	expect_error("{\"gateways\": [{\"name\": \"A\", \"address\": \"10.0.0.1\", \"port\": 0}]}",
		     "gateways[0].port");
	expect_error("{\"gateways\": [{\"name\": \"A\", \"address\": \"10.0.0.1\", "
		     "\"prefixes\": [\"88a\"]}]}",
		     "gateways[0].prefixes[0]");
	expect_error("{\"gateways\": [{\"name\": \"A\", \"address\": \"10.0.0.1\"}, "
		     "{\"name\": \"A\", \"address\": \"10.0.0.2\"}]}",
		     "gateways[1].name");
	expect_error("{\"gateways\": [{\"name\": \"A\", \"address\": \"10.0.0.1\", \"x\": 1}]}",
		     "gateways[0].x");
}

static void
test_POLICY_empty_and_many_entries(void **state)
{
	char *doc = malloc(64 * 1024);
	struct cfg_error err = {0};
	struct snapshot snap;
	size_t off;
	int i;

	(void)state;
	assert_int_equal(pt_parse("{}", &snap, &err), 0);
	assert_null(policy_account_by_user(snap.policy, (struct sf_span){(const uint8_t *)"a", 1}));
	assert_null(policy_gateway_by_source(snap.policy, ip("1.2.3.4"), 0));
	policy_free(snap.policy);
	policy_free(NULL);
	assert_non_null(doc);
	off = (size_t)sprintf(doc, "{\"accounts\": [");
	for (i = 0; i < 1000; i++)
		off += (size_t)sprintf(doc + off, "%s{\"user\": \"u%d\", \"password\": \"p\"}",
				       i ? "," : "", i);
	sprintf(doc + off, "]}");
	assert_int_equal(pt_parse(doc, &snap, &err), 0);
	for (i = 0; i < 1000; i++) {
		char u[16];
		int n = sprintf(u, "u%d", i);

		assert_ptr_equal(policy_account_by_user(snap.policy,
							(struct sf_span){(const uint8_t *)u,
									 (uint16_t)n}),
				 &snap.policy->accounts[i]);
	}
	assert_null(policy_account_by_user(snap.policy, (struct sf_span){(const uint8_t *)"u1000",
									   5}));
	policy_free(snap.policy);
	free(doc);
}

/* Lowercase hex of @n bytes. */
static void
hex_str(const uint8_t *b, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
}

/* The registrar hashes no password: HA1 (MD5 and SHA-256) per realm is made at config. */
static void
test_POLICY_ha1_precomputed_for_the_snapshot_realm(void **state)
{
	static const struct {
		const char *domain, *md5, *sha256;
	} v[] = { /* H("1001:" realm ":s3cret"), from Python hashlib */
		{"sipfast.test", "2e05a9f08c43f436f8d3635f70e401f8",
		 "0ce6028106a033fa1ed5a4f90d4cbb83da86ae2d2fc7a8cc64ea06f3b5b19077"},
		{"example.org", "ee0b6e52a024dc6b1db98a969a00185a",
		 "c1fcf62db38e66696effe5bb26634ba5a5f1622ac10362bce7633215c039a18c"},
		{"", "38e38b5a11feba0a54afaa2f83dc7ea3", /* no domain: POLICY_DEFAULT_REALM */
		 "7940e611707c965bfa8a43db70b053c846cb4440497d11634a388fedd00722b7"},
	};
	json_t *doc = json_loads(DOC, 0, NULL);
	struct cfg_error err = {0};
	char hex[65];
	size_t i;

	(void)state;
	assert_non_null(doc);
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) { /* a config update may change it */
		struct snapshot snap;
		const struct policy_account *a, *b;

		memset(&snap, 0, sizeof(snap));
		param_table_defaults(&snap.params);
		snprintf(snap.domain, sizeof(snap.domain), "%s", v[i].domain);
		assert_int_equal(cfg_policy_parse(doc, &snap, &err), 0);
		a = policy_account_by_user(snap.policy, (struct sf_span){(const uint8_t *)"1001", 4});
		b = policy_account_by_user(snap.policy, (struct sf_span){(const uint8_t *)"1002", 4});
		assert_non_null(a);
		assert_non_null(b);
		assert_false(a->has_ha1);
		hex_str(a->ha1, sizeof(a->ha1), hex);
		assert_string_equal(hex, v[i].md5);
		hex_str(a->ha1_sha256, sizeof(a->ha1_sha256), hex);
		assert_string_equal(hex, v[i].sha256);
		assert_int_equal(snap.policy->ha1_realm_len,
				 v[i].domain[0] ? strlen(v[i].domain) : strlen(POLICY_DEFAULT_REALM));
		assert_memory_equal(snap.policy->ha1_realm,
				    v[i].domain[0] ? v[i].domain : POLICY_DEFAULT_REALM,
				    snap.policy->ha1_realm_len);
		/* A configured HA1 is kept as given (MD5 only). */
		assert_true(b->has_ha1);
		hex_str(b->ha1, sizeof(b->ha1), hex);
		assert_string_equal(hex, "0123456789abcdef0123456789abcdef");
		policy_free(snap.policy);
	}
	json_decref(doc);
}

/*
 * The reply budget (issue 12 item 6) on its own clock: a source gets @burst replies at once,
 * then none until time refills its bucket at @rate a second (never above @burst); sources
 * are independent; rate 0 is no budget.
 */
static void
test_POLICY_reply_budget_bites_after_burst_refills_with_time(void **state)
{
	struct reply_budget *b = calloc(1, sizeof(*b));
	uint32_t ip = htonl(0x0a000001), other = htonl(0x0a000002), t = 5000;
	int i;

	(void)state;
	assert_non_null(b);
	for (i = 0; i < 5; i++)
		assert_true(reply_budget_take(b, ip, t, 10, 5));
	assert_false(reply_budget_take(b, ip, t, 10, 5));
	assert_false(reply_budget_take(b, ip, t + 99, 10, 5)); /* 0.99 of a token */
	assert_true(reply_budget_take(b, other, t, 10, 5));
	assert_true(reply_budget_take(b, ip, t + 100, 10, 5)); /* 10/s: one per 100 ms */
	assert_false(reply_budget_take(b, ip, t + 100, 10, 5));
	/* An hour idle: refilled to the burst, not beyond. */
	t += 3600u * 1000u;
	for (i = 0; i < 5; i++)
		assert_true(reply_budget_take(b, ip, t, 10, 5));
	assert_false(reply_budget_take(b, ip, t, 10, 5));
	/* The clock wraps (ms in 32 bits): differences still work. */
	assert_true(reply_budget_take(b, htonl(0x0a000003), UINT32_MAX - 50, 10, 1));
	assert_false(reply_budget_take(b, htonl(0x0a000003), UINT32_MAX - 10, 10, 1));
	assert_true(reply_budget_take(b, htonl(0x0a000003), 60, 10, 1));
	for (i = 0; i < 100; i++)
		assert_true(reply_budget_take(b, ip, t, 0, 1));
	free(b);
}

/*
 * A full table: more sources than slots. The table never grows, every new source is answered
 * within its burst, and a source whose bucket is spent stays in its set (the fullest bucket
 * is evicted): it stays limited while 100,000 one-shot sources pass through.
 */
static void
test_POLICY_reply_budget_bounded_table_keeps_active_source(void **state)
{
	struct reply_budget *b = calloc(1, sizeof(*b));
	uint32_t ip = htonl(0xc0a80001), i;

	(void)state;
	assert_non_null(b);
	assert_int_equal(sizeof(*b), REPLY_BUDGET_SOURCES * sizeof(b->slot[0]));
	for (i = 0; i < 5; i++)
		assert_true(reply_budget_take(b, ip, 1000, 1, 5));
	for (i = 0; i < 100000; i++) {
		assert_true(reply_budget_take(b, htonl(0x0b000000 + i), 1000, 1, 5));
		if (i % 2 == 0)
			assert_false(reply_budget_take(b, ip, 1000, 1, 5));
	}
	free(b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_UNAUTH_9_gateway_known_by_address),
		cmocka_unit_test(test_UNAUTH_5_unknown_source_and_identity_is_unknown),
		cmocka_unit_test(test_UNAUTH_11_from_user_of_account_makes_source_known),
		cmocka_unit_test(test_UNAUTH_7_register_known_by_to_user),
		cmocka_unit_test(test_UNAUTH_2_authorization_username_decides_identity),
		cmocka_unit_test(test_POLICY_allowed_ips_pin_the_account),
		cmocka_unit_test(test_POLICY_account_params_merged_on_globals),
		cmocka_unit_test(test_UNAUTH_8_live_binding_address_is_known),
		cmocka_unit_test(test_classify_suspended_hook_yes_gives_suspended_class),
		cmocka_unit_test(test_classify_in_dialog_needs_to_tag_and_dialog_hook),
		cmocka_unit_test(test_UNAUTH_5_skim_unknown_agrees_with_full_classification),
		cmocka_unit_test(test_GEN_1_skim_defers_unparsable_identity),
		cmocka_unit_test(test_UNAUTH_5_skim_without_accounts),
	};
	const struct CMUnitTest config_tests[] = {
		cmocka_unit_test(test_CFG_3_policy_sections_reject_bad_input_by_path),
		cmocka_unit_test(test_UNAUTH_14_skim_to_tag_at_every_offset),
		cmocka_unit_test(test_POLICY_empty_and_many_entries),
		cmocka_unit_test(test_POLICY_ha1_precomputed_for_the_snapshot_realm),
		cmocka_unit_test(test_POLICY_reply_budget_bites_after_burst_refills_with_time),
		cmocka_unit_test(test_POLICY_reply_budget_bounded_table_keeps_active_source),
	};

	return cmocka_run_group_tests(tests, pt_setup, pt_teardown) |
	       cmocka_run_group_tests(config_tests, NULL, NULL);
}
