/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The silent edge stays silent (issue 12 items 3-6) on the production path: sip_input() with
 * the registrar attached, on one worker and on two (steering), asserting on what goes over
 * the wire and into the verdict counters. LOCK-2 for every method (the suspended hook), one
 * challenge for every account (UNAUTH-1), the per-source reply budget, UNAUTH-8, GEN-2/4.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#include "ctrlplane/param_table.h"
#include "dataplane/pkt_meta.h"
#include "dataplane/policy/policy.h"
#include "ctrlplane/cfg_policy.h"
#include "dataplane/auth/auth.h"
#include "dataplane/auth/authfail.h"
#include "dataplane/registrar/location.h"
#include "dataplane/auth/digest.h"
#include "dataplane/registrar/registrar.h"
#include "dataplane/sip_input.h"
#include "dataplane/steer.h"
#include "tests/unit/eal_fixture.h"

#include "tests/unit/guard_fixture.h"

/* Six wrong REGISTER digests from (@src, 1001) received by worker @rx: suspended (LOCK-7). */
static void
lock_out(struct gfx *t, uint32_t src, uint16_t rx)
{
	char cid[32];
	int i;

	for (i = 1; i <= 6; i++) {
		snprintf(cid, sizeof(cid), "cid-w%d", i);
		req(t, (struct creq){.user = "1001", .call_id = cid, .src = src, .rx_worker = rx});
		assert_has(t->out, "SIP/2.0 401 Unauthorized\r\n");
		req(t, (struct creq){.user = "1001", .password = "bad", .call_id = cid, .src = src,
				     .rx_worker = rx});
		if (i < 6)
			assert_has(t->out, "SIP/2.0 401 Unauthorized\r\n");
		t->now += 1;
	}
	assert_int_equal(counters(t, COUNTER_REG_LOCKOUTS), 1);
}

static const char *const lock2_methods[] = {"INVITE", "OPTIONS", "BYE", "SUBSCRIBE", "MESSAGE",
					    "CANCEL"};

/*
 * LOCK-2 with Off (issue 12 item 3): after the lockout, every request from (X, 1001), with or
 * without credentials, whatever its method, draws nothing and is counted sip_drop_suspended
 * (REGISTER: the registrar's reg_fail_locked). 1001 from another IP is still challenged
 * (LOCK-5), and so is X once the suspension ends (LOCK-3). Failed before the fix: INVITE got
 * 401, OPTIONS 200, BYE/CANCEL 481, SUBSCRIBE/MESSAGE 405.
 */
static void
lock2_off(struct gfx *t, uint16_t rx)
{
	size_t i;

	set_reply(t, false);
	lock_out(t, FX_PEER_IP, rx);
	for (i = 0; i < RTE_DIM(lock2_methods); i++) {
		req(t, (struct creq){.method = lock2_methods[i], .user = "1001", .rx_worker = rx});
		assert_string_equal(t->out, "");
	}
	req(t, (struct creq){.method = "INVITE", .user = "1001", .password = "pw", .rx_worker = rx});
	assert_string_equal(t->out, "");
	req(t, (struct creq){.user = "1001", .password = "pw", .rx_worker = rx});
	assert_string_equal(t->out, "");
	assert_int_equal(verdicts(t, VERDICT_SIP_DROP_SUSPENDED), RTE_DIM(lock2_methods) + 1);
	assert_int_equal(counters(t, COUNTER_REG_FAIL_LOCKED), 1);
	assert_int_equal(counters(t, COUNTER_REG_FAIL_WRONG), 6); /* nothing more counted */
	/* LOCK-5: the same user from another address. */
	req(t, (struct creq){.method = "INVITE", .user = "1001", .src = IP_Y, .rx_worker = rx});
	assert_has(t->out, "SIP/2.0 401 Unauthorized\r\n");
	/* LOCK-3: after the 180 s, challenged again. */
	t->now += 181;
	req(t, (struct creq){.method = "INVITE", .user = "1001", .rx_worker = rx});
	assert_has(t->out, "SIP/2.0 401 Unauthorized\r\n");
}

static void
test_LOCK_2_suspended_every_method_off(void **state)
{
	lock2_off(*state, 0);
}

/* LOCK-2 with On (I-3): a 403 to every request, no challenge, for the whole suspension. */
static void
test_LOCK_2_suspended_every_method_on(void **state)
{
	struct gfx *t = *state;
	size_t i;

	set_reply(t, true);
	lock_out(t, FX_PEER_IP, 0);
	for (i = 0; i < RTE_DIM(lock2_methods); i++) {
		req(t, (struct creq){.method = lock2_methods[i], .user = "1001"});
		assert_has(t->out, "SIP/2.0 403 Forbidden\r\n");
		assert_null(strstr(t->out, "Authenticate"));
	}
	req(t, (struct creq){.user = "1001"});
	assert_has(t->out, "SIP/2.0 403 Forbidden\r\n");
	assert_int_equal(verdicts(t, VERDICT_SIP_REJECTED_SUSPENDED), RTE_DIM(lock2_methods));
	assert_int_equal(counters(t, COUNTER_REG_FAIL_WRONG), 6);
}

/*
 * LOCK-2 on two workers: the lockout lives on the source IP's owner; requests received by
 * either worker are judged there (rule S: handed over before they are read), so both stay
 * silent, and every method is counted suspended on the owner whichever worker received it.
 * Each run locks out on one worker and probes from both.
 */
static void
test_LOCK_2_suspended_every_method_any_worker(void **state)
{
	struct gfx *t = *state;
	uint16_t owner = steer_source_owner(rte_cpu_to_be_32(FX_PEER_IP), 2);
	uint16_t other = (uint16_t)(1 - owner);
	size_t i;

	set_reply(t, false);
	lock_out(t, FX_PEER_IP, other);
	for (i = 0; i < RTE_DIM(lock2_methods); i++) {
		assert_int_equal(req(t, (struct creq){.method = lock2_methods[i], .user = "1001",
						      .rx_worker = other}),
				 VERDICT_STEERED);
		assert_string_equal(t->out, "");
		req(t, (struct creq){.method = lock2_methods[i], .user = "1001", .rx_worker = owner});
		assert_string_equal(t->out, "");
	}
	/* Every method, received by either worker: suspended on the owner. */
	assert_int_equal(t->w[owner]->verdicts[VERDICT_SIP_DROP_SUSPENDED],
			 2 * RTE_DIM(lock2_methods));
	assert_int_equal(t->w[other]->verdicts[VERDICT_SIP_DROP_SUSPENDED], 0);
	req(t, (struct creq){.method = "INVITE", .user = "1001", .src = IP_Y, .rx_worker = other});
	assert_has(t->out, "SIP/2.0 401 Unauthorized\r\n");
}

/*
 * LOCK-2 / LOCK-11 from a live binding's address: 1001 registered from X:40000, then six wrong
 * REGISTER digests from the same address lock (X, 1001) out; the binding stays (LOCK-11), and
 * every other request from it naming 1001 gets silence (Off), while another user's name from
 * the same binding address is still served.
 */
static void
test_LOCK_2_suspended_from_live_binding_address_off(void **state)
{
	struct gfx *t = *state;
	size_t i;

	set_reply(t, false);
	req(t, (struct creq){.user = "1001"});
	assert_int_equal(req(t, (struct creq){.user = "1001", .password = "pw"}),
			 VERDICT_SIP_REGISTER_OK);
	lock_out(t, FX_PEER_IP, 0);
	assert_int_equal(location_count(t->w[0]->reg->loc), 1);
	for (i = 0; i < RTE_DIM(lock2_methods); i++) {
		assert_int_equal(req(t, (struct creq){.method = lock2_methods[i], .user = "1001"}),
				 VERDICT_SIP_DROP_SUSPENDED);
		assert_string_equal(t->out, "");
	}
	assert_int_equal(req(t, (struct creq){.method = "OPTIONS", .user = "1002"}),
			 VERDICT_SIP_REPLIED_OPTIONS);
	assert_has(t->out, "SIP/2.0 200 OK\r\n");
}

/*
 * Item 4 (I-1): from an address that is neither a gateway nor a binding, a configured user in
 * From is answered only for REGISTER and INVITE (challenged); every other method is treated
 * exactly like an unknown user's: silent with Off, counted per method, 403 with On. Failed
 * before the fix: OPTIONS 200, BYE 481, SUBSCRIBE 405 for 1001 and silence for 9999.
 */
static void
test_I_1_account_name_no_oracle_for_other_methods(void **state)
{
	struct gfx *t = *state;
	static const char *const methods[] = {"OPTIONS", "BYE", "SUBSCRIBE", "MESSAGE", "CANCEL",
					      "INFO"};
	char other[4096];
	size_t i;

	set_reply(t, false);
	for (i = 0; i < RTE_DIM(methods); i++) {
		enum verdict v1 = req(t, (struct creq){.method = methods[i], .user = "1001"});

		assert_string_equal(t->out, "");
		assert_int_equal(req(t, (struct creq){.method = methods[i], .user = "9999"}), v1);
		assert_string_equal(t->out, "");
		assert_int_equal(v1, i == 0 ? VERDICT_SIP_DROP_UNKNOWN_OPTIONS
					    : VERDICT_SIP_DROP_UNKNOWN_OTHER);
	}
	assert_int_equal(verdicts(t, VERDICT_SIP_DROP_UNKNOWN_OPTIONS), 2);
	assert_int_equal(verdicts(t, VERDICT_SIP_DROP_UNKNOWN_OTHER), 2 * (RTE_DIM(methods) - 1));
	assert_int_equal(req(t, (struct creq){.method = "INVITE", .user = "1001"}),
			 VERDICT_SIP_INVITE_CHALLENGED);
	assert_has(t->out, "SIP/2.0 401 Unauthorized\r\n");
	/* The ACK to that 401: never answered, counted as a stray ACK as before. */
	assert_int_equal(req(t, (struct creq){.method = "ACK", .user = "1001"}),
			 VERDICT_SIP_DROP_STRAY_ACK);
	assert_string_equal(t->out, "");
	assert_int_equal(req(t, (struct creq){.user = "1001"}), VERDICT_SIP_REGISTER_CHALLENGED);
	assert_has(t->out, "SIP/2.0 401 Unauthorized\r\n");
	/* On: the same 403 as an unknown user's. */
	set_reply(t, true);
	for (i = 0; i < RTE_DIM(methods); i++) {
		assert_int_equal(req(t, (struct creq){.method = methods[i], .user = "9999"}),
				 VERDICT_SIP_REJECTED_UNKNOWN);
		snprintf(other, sizeof(other), "%s", t->out);
		assert_int_equal(req(t, (struct creq){.method = methods[i], .user = "1001"}),
				 VERDICT_SIP_REJECTED_UNKNOWN);
		assert_has(t->out, "SIP/2.0 403 Forbidden\r\n");
		assert_int_equal(strlen(t->out), strlen(other));
	}
}

/* The header names of response @msg, in order, one per line, into @out. */
static void
header_names(const char *msg, char *out, size_t cap)
{
	const char *p = strstr(msg, "\r\n");
	size_t n = 0;

	out[0] = '\0';
	while (p != NULL && p[2] != '\r') {
		const char *colon = strchr(p + 2, ':');

		assert_non_null(colon);
		n += (size_t)snprintf(out + n, cap - n, "%.*s\n", (int)(colon - (p + 2)), p + 2);
		assert_true(n < cap);
		p = strstr(p + 2, "\r\n");
	}
}

static unsigned int
count_of(const char *msg, const char *needle)
{
	unsigned int n = 0;

	for (const char *p = strstr(msg, needle); p != NULL; p = strstr(p + 1, needle))
		n++;
	return n;
}

/*
 * Item 5 (UNAUTH-1, I-2): the 401 to an ha1-only account (2001) and to an unknown user (9999,
 * reply On) carry the same header lines in the same order, both offers (MD5 and SHA-256), and
 * are the same size (same-length names). Failed before the fix: 2001 got one
 * WWW-Authenticate line (no SHA-256), 9999 two.
 */
static void
test_UNAUTH_1_challenge_same_for_ha1_account_and_unknown_user(void **state)
{
	struct gfx *t = *state;
	char a[4096], names_a[1024], names_b[1024];
	size_t len_a, len_b;

	set_reply(t, true);
	assert_int_equal(send_req(t, (struct creq){.user = "2001"}, &len_a),
			 VERDICT_SIP_REGISTER_CHALLENGED);
	snprintf(a, sizeof(a), "%s", t->out);
	assert_int_equal(send_req(t, (struct creq){.user = "9999"}, &len_b),
			 VERDICT_SIP_CHALLENGED_UNKNOWN);
	assert_has(a, "SIP/2.0 401 Unauthorized\r\n");
	assert_int_equal(count_of(a, "WWW-Authenticate:"), 2);
	assert_int_equal(count_of(t->out, "WWW-Authenticate:"), 2);
	assert_has(a, "algorithm=SHA-256");
	assert_has(a, "algorithm=MD5");
	header_names(a, names_a, sizeof(names_a));
	header_names(t->out, names_b, sizeof(names_b));
	assert_string_equal(names_a, names_b);
	assert_int_equal(len_a, len_b);
	/* A password account's challenge too. */
	assert_int_equal(send_req(t, (struct creq){.user = "1001"}, &len_b),
			 VERDICT_SIP_REGISTER_CHALLENGED);
	header_names(t->out, names_b, sizeof(names_b));
	assert_string_equal(names_a, names_b);
	assert_int_equal(len_a, len_b);
}

/*
 * Item 5, the ha1 account offered SHA-256: it cannot verify a SHA-256 answer, so the answer is
 * a wrong one (reg_fail_wrong, counts toward the lockout, config/README.md); its MD5 answer
 * with the right password binds.
 */
static void
test_UNAUTH_1_ha1_account_sha256_answer_is_wrong(void **state)
{
	struct gfx *t = *state;

	set_reply(t, false);
	req(t, (struct creq){.user = "2001"});
	assert_int_equal(req(t, (struct creq){.user = "2001", .password = "pw2", .sha256 = true}),
			 VERDICT_SIP_REGISTER_CHALLENGED);
	assert_int_equal(counters(t, COUNTER_REG_FAIL_WRONG), 1);
	assert_int_equal(req(t, (struct creq){.user = "2001", .password = "pw2"}),
			 VERDICT_SIP_REGISTER_OK);
	assert_has(t->out, "SIP/2.0 200 OK\r\n");
	assert_int_equal(counters(t, COUNTER_REG_FAIL_WRONG), 1);
}

/*
 * Item 6: the reply budget. rate 2/s, burst 3: an unknown source (On) gets 3 answers, then
 * nothing (sip_drop_reply_budget), then 2 more a second later; a configured account's
 * challenges spend the same bucket. A gateway is never limited.
 */
static void
test_UNAUTH_reply_budget_bites_refills_gateway_exempt(void **state)
{
	struct gfx *t = *state;
	int i;

	set_reply(t, true);
	set_budget(t, 2, 3);
	for (i = 0; i < 3; i++) {
		assert_int_equal(req(t, (struct creq){.method = "OPTIONS", .user = "9999"}),
				 VERDICT_SIP_REJECTED_UNKNOWN);
		assert_has(t->out, "SIP/2.0 403 Forbidden\r\n");
	}
	assert_int_equal(req(t, (struct creq){.method = "OPTIONS", .user = "9999"}),
			 VERDICT_SIP_DROP_REPLY_BUDGET);
	assert_string_equal(t->out, "");
	assert_int_equal(req(t, (struct creq){.user = "9999"}), VERDICT_SIP_DROP_REPLY_BUDGET);
	assert_int_equal(req(t, (struct creq){.user = "1001"}), VERDICT_SIP_DROP_REPLY_BUDGET);
	assert_int_equal(req(t, (struct creq){.method = "INVITE", .user = "1001"}),
			 VERDICT_SIP_DROP_REPLY_BUDGET);
	assert_string_equal(t->out, "");
	/* Another source has its own bucket. */
	assert_int_equal(req(t, (struct creq){.user = "1001", .src = IP_Y}),
			 VERDICT_SIP_REGISTER_CHALLENGED);
	/* Refill: 2 a second. */
	t->now += 1;
	assert_int_equal(req(t, (struct creq){.user = "1001"}), VERDICT_SIP_REGISTER_CHALLENGED);
	assert_int_equal(req(t, (struct creq){.method = "INVITE", .user = "1001"}),
			 VERDICT_SIP_INVITE_CHALLENGED);
	assert_int_equal(req(t, (struct creq){.user = "1001"}), VERDICT_SIP_DROP_REPLY_BUDGET);
	assert_int_equal(verdicts(t, VERDICT_SIP_DROP_REPLY_BUDGET), 5);
	/* A gateway: 20 OPTIONS, 20 answers. */
	for (i = 0; i < 20; i++) {
		assert_int_equal(req(t, (struct creq){.method = "OPTIONS", .user = "9999",
						      .src = GW_IP}),
				 VERDICT_SIP_REPLIED_OPTIONS);
		assert_has(t->out, "SIP/2.0 200 OK\r\n");
	}
	/* rate 0: no budget. */
	set_budget(t, 0, 1);
	assert_int_equal(req(t, (struct creq){.user = "1001"}), VERDICT_SIP_REGISTER_CHALLENGED);
}

/*
 * UNAUTH-8 (Off): INVITE from the IP:port of 1001's live binding is handled normally:
 * challenged (the call engine authenticates it), and the source is trusted by address, so
 * the reply budget does not apply (a spent bucket of its IP changes nothing).
 */
static void
test_UNAUTH_8_invite_from_live_binding_challenged(void **state)
{
	struct gfx *t = *state;
	int i;

	set_reply(t, false);
	req(t, (struct creq){.user = "1001"});
	assert_int_equal(req(t, (struct creq){.user = "1001", .password = "pw"}),
			 VERDICT_SIP_REGISTER_OK);
	set_budget(t, 1, 1);
	for (i = 0; i < 5; i++) {
		assert_int_equal(req(t, (struct creq){.method = "INVITE", .user = "1002"}),
				 VERDICT_SIP_INVITE_CHALLENGED);
		assert_has(t->out, "SIP/2.0 401 Unauthorized\r\n");
	}
	/* An OPTIONS from the binding is answered too (a known source, not I-1's account case). */
	assert_int_equal(req(t, (struct creq){.method = "OPTIONS", .user = "1002"}),
			 VERDICT_SIP_REPLIED_OPTIONS);
	assert_int_equal(verdicts(t, VERDICT_SIP_DROP_REPLY_BUDGET), 0);
}

/* GEN-2 on the production path: responses from a gateway, a binding or anyone: dropped. */
static void
test_GEN_2_responses_from_any_source_dropped_silently(void **state)
{
	struct gfx *t = *state;
	static const char resp[] = "SIP/2.0 200 OK\r\n"
				   "Via: SIP/2.0/UDP 10.99.0.1:5060;branch=z9hG4bK-x\r\n"
				   "From: <sip:1001@" REALM ">;tag=a\r\nTo: <sip:1001@" REALM
				   ">;tag=b\r\nCall-ID: r1\r\nCSeq: 1 OPTIONS\r\n"
				   "Content-Length: 0\r\n\r\n";
	static const uint32_t srcs[] = {GW_IP, FX_PEER_IP, IP_Y};
	size_t i;
	bool on;

	for (on = false;; on = true) {
		set_reply(t, on);
		for (i = 0; i < RTE_DIM(srcs); i++) {
			assert_int_equal(fx_rx(t->f[0], fx_sip_frame(t->f[0], srcs[i], FX_PEER_PORT,
								     resp)),
					 VERDICT_SIP_DROP_RESPONSE);
			assert_int_equal(fx_tx_discard(t->f[0]), 0);
		}
		if (on)
			break;
	}
	assert_int_equal(verdicts(t, VERDICT_SIP_DROP_RESPONSE), 2 * RTE_DIM(srcs));
}

/*
 * GEN-4: every deliberate drop with Off is counted under its own reason: unknown source per
 * method and scanner, suspended, final reject, malformed (by scan status), response.
 */
static void
test_GEN_4_deliberate_drops_counted_by_reason(void **state)
{
	struct gfx *t = *state;
	struct worker *w = t->w[0];

	set_reply(t, false);
	req(t, (struct creq){.method = "OPTIONS", .user = "9999"});
	req(t, (struct creq){.method = "INVITE", .user = "9999"});
	req(t, (struct creq){.user = "9999"});
	req(t, (struct creq){.method = "NOTIFY", .user = "9999"});
	assert_int_equal(w->verdicts[VERDICT_SIP_DROP_UNKNOWN_OPTIONS], 1);
	assert_int_equal(w->verdicts[VERDICT_SIP_DROP_UNKNOWN_INVITE], 1);
	assert_int_equal(w->verdicts[VERDICT_SIP_DROP_UNKNOWN_REGISTER], 1);
	assert_int_equal(w->verdicts[VERDICT_SIP_DROP_UNKNOWN_OTHER], 1);
	assert_int_equal(fx_rx(t->f[0], fx_sip_frame(t->f[0], IP_Y, FX_PEER_PORT,
						     "OPTIONS sip:x SIP/2.0\r\n"
						     "User-Agent: friendly-scanner\r\n\r\n")),
			 VERDICT_SIP_DROP_SCANNER_UA);
	assert_int_equal(fx_rx(t->f[0], fx_sip_frame(t->f[0], IP_Y, FX_PEER_PORT, "HELLO\r\n")),
			 VERDICT_SIP_DROP_MALFORMED);
	/* Unknown user with credentials: final reject, silent (I-2/I-3). */
	req(t, (struct creq){.user = "1001"});
	req(t, (struct creq){.user = "8888", .password = "x"});
	lock_out(t, FX_PEER_IP, 0);
	req(t, (struct creq){.method = "INVITE", .user = "1001"});
	assert_string_equal(t->out, "");
	assert_int_equal(w->verdicts[VERDICT_SIP_DROP_SUSPENDED], 1);
	assert_true(w->verdicts[VERDICT_SIP_DROP_REGISTER_REJECTED] >= 1);
	assert_int_equal(w->counters[COUNTER_REG_LOCKOUTS], 1);
	assert_int_equal(fx_tx_discard(t->f[0]), 0);
}

/*
 * Item 6, the amplification factor (BENCHMARKS.md): the smallest requests that draw the largest
 * reply to a source that is not authenticated, a compact-form REGISTER (reply On, any user;
 * Off, a configured one) challenged with both offers, realm "sipfast.test". Prints reply /
 * request bytes and bounds it, so a change that grows the challenge shows up here.
 */
static void
test_UNAUTH_reply_amplification_factor(void **state)
{
	struct gfx *t = *state;
	static const char *const reqs[] = {
		/* compact names, one-character values where the scanner takes them */
		"REGISTER sip:a SIP/2.0\r\nv:SIP/2.0/UDP a;branch=z9hG4bK1\r\nf:<sip:1@a>;tag=1\r\n"
		"t:<sip:1@a>\r\ni:1\r\nCSeq:1 REGISTER\r\n\r\n",
		"REGISTER sip:a SIP/2.0\r\nv:SIP/2.0/UDP a;branch=z9hG4bK1\r\nf:<sip:1@a>;tag=1\r\n"
		"t:<sip:1@a>\r\ni:1\r\nCSeq:1 REGISTER\r\nl:0\r\n\r\n",
		"REGISTER sip:a SIP/2.0\r\nv:SIP/2.0/UDP a;branch=z9hG4bK1\r\nf:sip:1@a;tag=1\r\n"
		"t:sip:1@a\r\ni:1\r\nCSeq:1 REGISTER\r\n\r\n",
		"REGISTER sip:a SIP/2.0\r\nv:SIP/2.0/UDP a\r\nf:sip:1@a;tag=1\r\n"
		"t:sip:1@a\r\ni:1\r\nCSeq:1 REGISTER\r\n\r\n",
		"REGISTER sip:a SIP/2.0\r\nv:SIP/2.0/UDP a\r\nf:sip:1@a\r\n"
		"t:sip:1@a\r\ni:1\r\nCSeq:1 REGISTER\r\n\r\n",
		"REGISTER sip:a SIP/2.0\r\nv:SIP/2.0/UDP a\r\nf:sip:a\r\n"
		"t:sip:1@a\r\ni:1\r\nCSeq:1 REGISTER\r\n\r\n",
		"REGISTER sip:a SIP/2.0\r\nv:SIP/2.0/UDP a\r\nf:sip:1001@a\r\n"
		"t:sip:a\r\ni:1\r\nCSeq:1 REGISTER\r\n\r\n",
		"INVITE sip:a SIP/2.0\r\nv:SIP/2.0/UDP a;branch=z9hG4bK1\r\nf:sip:1001@a;tag=1\r\n"
		"t:sip:a\r\ni:1\r\nCSeq:1 INVITE\r\n\r\n",
	};
	struct rte_mbuf *m[4];
	double worst = 0;
	size_t i, worst_req = 0, worst_rep = 0;
	bool on;

	for (on = false;; on = true) {
		set_reply(t, on);
		for (i = 0; i < RTE_DIM(reqs); i++) {
			size_t qlen = strlen(reqs[i]), rlen;
			enum verdict v = fx_rx(t->f[0], fx_sip_frame(t->f[0], IP_Y, FX_PEER_PORT,
								     reqs[i]));

			if (fx_tx(t->f[0], m, RTE_DIM(m)) != 1)
				continue;
			rlen = rte_pktmbuf_pkt_len(m[0]) - sizeof(struct rte_ether_hdr) -
			       sizeof(struct rte_ipv4_hdr) - sizeof(struct rte_udp_hdr);
			rte_pktmbuf_free(m[0]);
			print_message("amplification reply %s req %zu: %zu -> %zu bytes (%.2fx) v=%d\n",
				      on ? "On" : "Off", i, qlen, rlen, (double)rlen / (double)qlen,
				      (int)v);
			if ((double)rlen / (double)qlen > worst) {
				worst = (double)rlen / (double)qlen;
				worst_req = qlen;
				worst_rep = rlen;
			}
		}
		if (on)
			break;
	}
	print_message("amplification worst: %zu -> %zu bytes, %.2fx\n", worst_req, worst_rep,
		      worst);
	assert_true(worst > 1.0); /* something was challenged */
	assert_true(worst < 6.0);
}

/*
 * UNAUTH-5 (Off) with the registrar attached: REGISTER, INVITE, OPTIONS and any other request
 * from an unknown source naming an unknown user: zero datagrams, one drop per request under
 * its method's reason, and no state: no challenge issued, no auth-failure entry, no binding.
 */
static void
test_UNAUTH_5_unknown_source_zero_replies_no_state(void **state)
{
	struct gfx *t = *state;
	static const char *const methods[] = {"REGISTER", "INVITE", "OPTIONS", "SUBSCRIBE", "BYE"};
	size_t i;

	set_reply(t, false);
	for (i = 0; i < RTE_DIM(methods); i++) {
		req(t, (struct creq){.method = methods[i], .user = "9999"});
		assert_string_equal(t->out, "");
		req(t, (struct creq){.method = methods[i], .user = "9999", .password = "x"});
		assert_string_equal(t->out, "");
	}
	assert_int_equal(verdicts(t, VERDICT_SIP_DROP_UNKNOWN_REGISTER), 2);
	assert_int_equal(verdicts(t, VERDICT_SIP_DROP_UNKNOWN_INVITE), 2);
	assert_int_equal(verdicts(t, VERDICT_SIP_DROP_UNKNOWN_OPTIONS), 2);
	assert_int_equal(verdicts(t, VERDICT_SIP_DROP_UNKNOWN_OTHER), 4);
	assert_int_equal(counters(t, COUNTER_REG_CHALLENGES), 0);
	assert_int_equal(counters(t, COUNTER_REG_FAIL_UNKNOWN_USER), 0);
	assert_int_equal(authfail_count(t->w[0]->auth->af), 0);
	assert_int_equal(location_count(t->w[0]->reg->loc), 0);
}

/*
 * UNAUTH-6 (Off): the same unknown-source INVITE (same branch, CSeq, Call-ID) retransmitted
 * 10 times over 30 s: still zero datagrams out, no cached response, ten drops.
 */
static void
test_UNAUTH_6_unknown_invite_retransmitted_30s_stays_silent(void **state)
{
	struct gfx *t = *state;
	static const char inv[] = "INVITE sip:5551234@10.99.0.1 SIP/2.0\r\n"
				  "Via: SIP/2.0/UDP 10.99.0.9:5060;branch=z9hG4bK-r6\r\n"
				  "Max-Forwards: 70\r\nFrom: <sip:9999@x>;tag=a\r\n"
				  "To: <sip:5551234@10.99.0.1>\r\nCall-ID: r6@x\r\n"
				  "CSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n";
	int i;

	set_reply(t, false);
	for (i = 0; i < 10; i++) {
		assert_int_equal(fx_rx(t->f[0], fx_sip_frame(t->f[0], IP_Y, FX_PEER_PORT, inv)),
				 VERDICT_SIP_DROP_UNKNOWN_INVITE);
		assert_int_equal(fx_tx_discard(t->f[0]), 0);
		t->now += 3;
	}
	assert_int_equal(verdicts(t, VERDICT_SIP_DROP_UNKNOWN_INVITE), 10);
	assert_int_equal(counters(t, COUNTER_TX_PACKETS), 0);
}

#define G_TEST(fn) cmocka_unit_test_setup_teardown(fn, gfx_setup, gfx_teardown)
#define G_TEST2(fn) cmocka_unit_test_setup_teardown(fn, gfx_setup2, gfx_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		G_TEST(test_LOCK_2_suspended_every_method_off),
		G_TEST(test_LOCK_2_suspended_every_method_on),
		G_TEST2(test_LOCK_2_suspended_every_method_any_worker),
		G_TEST(test_LOCK_2_suspended_from_live_binding_address_off),
		G_TEST(test_I_1_account_name_no_oracle_for_other_methods),
		G_TEST(test_UNAUTH_1_challenge_same_for_ha1_account_and_unknown_user),
		G_TEST(test_UNAUTH_1_ha1_account_sha256_answer_is_wrong),
		G_TEST(test_UNAUTH_reply_budget_bites_refills_gateway_exempt),
		G_TEST(test_UNAUTH_8_invite_from_live_binding_challenged),
		G_TEST(test_GEN_2_responses_from_any_source_dropped_silently),
		G_TEST(test_GEN_4_deliberate_drops_counted_by_reason),
		G_TEST(test_UNAUTH_reply_amplification_factor),
		G_TEST(test_UNAUTH_5_unknown_source_zero_replies_no_state),
		G_TEST(test_UNAUTH_6_unknown_invite_retransmitted_30s_stays_silent),
	};

	if (fx_eal_init() != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
