/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Steer first, scan once (issue 11 items 1-2) on the production path: sip_input() and
 * sip_resume() with the registrar attached on two workers. Per class of datagram, received
 * by a worker that owns neither its source nor its AoR: it is counted in sip_received exactly
 * once, and its skim/scan passes (sip_scan_passes) are the ones the class needs, whichever
 * workers it crosses. A paid-for hand-off to a full ring is held and answered, not dropped.
 * Asserts on the wire and the counters. Fixture as tests/unit/test_sip_guard.c.
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
#include "dataplane/auth/digest.h"
#include "dataplane/registrar/location.h"
#include "dataplane/registrar/registrar.h"
#include "dataplane/sip_input.h"
#include "dataplane/steer.h"
#include "tests/unit/eal_fixture.h"

#include "tests/unit/guard_fixture.h"

/* Counter deltas across both workers around one request. */
struct delta {
	uint64_t received, passes;
};

static struct delta
delta_now(struct gfx *t)
{
	return (struct delta){counters(t, COUNTER_SIP_RECEIVED),
			      counters(t, COUNTER_SIP_SCAN_PASSES)};
}

static void
assert_read_once(struct gfx *t, struct delta before, uint64_t passes)
{
	struct delta now = delta_now(t);

	assert_int_equal(now.received - before.received, 1);
	assert_int_equal(now.passes - before.passes, passes);
}

/*
 * UNAUTH-5 (Off): an unknown source's REGISTER received by the worker that does not own its
 * address is settled where it landed: the skim's silent drop reads only the shared snapshot,
 * so a flood costs no hand-off (sip_input(), rule S's one exception): one sip_received, one
 * pass, nothing sent, nothing handed over.
 */
static void
test_UNAUTH_5_unknown_drop_settled_where_received_read_once(void **state)
{
	struct gfx *t = *state;
	uint32_t src = ip_owned_by(1);
	struct delta d;

	set_reply(t, false);
	d = delta_now(t);
	assert_int_equal(req(t, (struct creq){.user = "9999", .src = src, .rx_worker = 0}),
			 VERDICT_SIP_DROP_UNKNOWN_REGISTER);
	assert_string_equal(t->out, "");
	assert_int_equal(t->w[0]->verdicts[VERDICT_SIP_DROP_UNKNOWN_REGISTER], 1);
	assert_int_equal(t->w[1]->counters[COUNTER_SIP_RECEIVED], 0); /* the owner saw nothing */
	assert_int_equal(t->w[1]->counters[COUNTER_RX_STEERED_IN], 0);
	assert_read_once(t, d, 1);
}

/*
 * UNAUTH-1 (On): the unknown source's REGISTER is challenged by its source owner: one lazy
 * policy pass, which read to the end (no credentials to stop at), so the reply's resumption
 * reads nothing: one pass, one sip_received. (Before: policy scan, then a reply scan.)
 */
static void
test_UNAUTH_1_unknown_challenge_read_once(void **state)
{
	struct gfx *t = *state;
	uint32_t src = ip_owned_by(1);
	struct delta d;

	set_reply(t, true);
	d = delta_now(t);
	assert_int_equal(req(t, (struct creq){.user = "9999", .src = src, .rx_worker = 0}),
			 VERDICT_STEERED);
	assert_has(t->out, "SIP/2.0 401 Unauthorized\r\n");
	assert_int_equal(t->w[1]->verdicts[VERDICT_SIP_CHALLENGED_UNKNOWN], 1);
	assert_read_once(t, d, 1);
}

/*
 * AUTH-1 (Off): a configured account's REGISTER without credentials: skim (not certainly
 * unknown), the policy pass from the skim's start line, which reads to the end (no
 * credentials to stop at): two passes on the source owner, one sip_received, a 401.
 */
static void
test_AUTH_1_account_challenge_read_once(void **state)
{
	struct gfx *t = *state;
	uint32_t src = ip_owned_by(1);
	struct delta d;

	set_reply(t, false);
	d = delta_now(t);
	assert_int_equal(req(t, (struct creq){.user = "1001", .src = src, .rx_worker = 0}),
			 VERDICT_STEERED);
	assert_has(t->out, "SIP/2.0 401 Unauthorized\r\n");
	assert_int_equal(t->w[1]->verdicts[VERDICT_SIP_REGISTER_CHALLENGED], 1);
	assert_read_once(t, d, 2);
}

/*
 * REG-1 on two workers, source owner != AoR owner, received by the AoR owner: its skim (reply
 * Off) finds a configured identity, so rule S hands it on to the source owner, which reads and
 * authenticates it (the policy pass, which reads to the end: this request has no User-Agent to
 * stop at; two passes with the skim), rule K hands it with its scan to the AoR owner, which binds and answers
 * without reading it again: one sip_received, two passes in all. (Before: sip_received 3,
 * eight skims and scans: 2 on the receiving worker, 3 on each owner.)
 */
static void
test_REG_1_authenticated_source_and_aor_owners_read_once(void **state)
{
	struct gfx *t = *state;
	uint16_t aor = aor_owner("1001"), src_owner = (uint16_t)(1 - aor);
	uint32_t src = ip_owned_by(src_owner);
	uint64_t rx_before, passes_before;
	struct delta d;

	set_reply(t, false);
	req(t, (struct creq){.user = "1001", .src = src, .rx_worker = aor});
	assert_has(t->out, "SIP/2.0 401 Unauthorized\r\n");
	d = delta_now(t);
	rx_before = t->w[aor]->counters[COUNTER_SIP_RECEIVED];
	passes_before = t->w[aor]->counters[COUNTER_SIP_SCAN_PASSES];
	assert_int_equal(req(t, (struct creq){.user = "1001", .password = "pw", .src = src,
					      .rx_worker = aor}),
			 VERDICT_STEERED);
	assert_has(t->out, "SIP/2.0 200 OK\r\n");
	assert_int_equal(t->w[src_owner]->counters[COUNTER_REG_STEERED_AUTHED], 1);
	assert_int_equal(t->w[aor]->verdicts[VERDICT_SIP_REGISTER_OK], 1);
	assert_int_equal(t->w[aor]->counters[COUNTER_REG_OK], 1);
	/*
	 * The AoR owner received it (its skim found a configured identity, so it went on to
	 * the source owner marked skimmed) and bound it after rule K, but never counted or read
	 * it beyond that one skim.
	 */
	assert_int_equal(t->w[aor]->counters[COUNTER_SIP_RECEIVED], rx_before);
	assert_int_equal(t->w[aor]->counters[COUNTER_SIP_SCAN_PASSES], passes_before + 1);
	assert_read_once(t, d, 2);
}

/*
 * UNAUTH-9: OPTIONS from a gateway's address is trusted by address: answered where it was
 * received (no hand-off), one scan, one sip_received.
 */
static void
test_UNAUTH_9_gateway_options_where_received_read_once(void **state)
{
	struct gfx *t = *state;
	uint16_t rx = (uint16_t)(1 - steer_source_owner(rte_cpu_to_be_32(GW_IP), N_W));
	struct delta d = delta_now(t);

	assert_int_equal(req(t, (struct creq){.method = "OPTIONS", .user = "gw", .src = GW_IP,
					      .rx_worker = rx}),
			 VERDICT_SIP_REPLIED_OPTIONS);
	assert_has(t->out, "SIP/2.0 200 OK\r\n");
	assert_int_equal(counters(t, COUNTER_RX_STEERED_IN), 0);
	assert_read_once(t, d, 1);
}

/*
 * Issue 11 item 2: the ring from the source owner to the AoR owner is full when an
 * authenticated REGISTER is handed on. It is held (steer_held), the source owner takes no
 * new frames meanwhile (steer_backlogged()), and once the AoR owner drained its ring the
 * REGISTER is bound and answered: nothing paid for is lost. (Before: drop_steer_full.)
 */
static void
test_REG_1_authenticated_held_on_full_ring_then_answered(void **state)
{
	struct gfx *t = *state;
	uint16_t aor = aor_owner("1001"), src_owner = (uint16_t)(1 - aor);
	uint32_t src = ip_owned_by(src_owner);
	struct rte_ring *r = t->w[src_owner]->steer_out[aor];
	unsigned int i, cap = rte_ring_get_capacity(r);
	struct rte_mbuf *m;

	set_reply(t, false);
	req(t, (struct creq){.user = "1001", .src = src, .rx_worker = src_owner});
	assert_has(t->out, "SIP/2.0 401 Unauthorized\r\n");
	/* Fill the ring with datagrams handed over unread (they turn out malformed: empty). */
	for (i = 0; i < cap; i++) {
		m = fx_alloc(t->f[aor]->pool);
		memset(pkt_meta(m), 0, sizeof(struct pkt_meta));
		pkt_sip(m)->stage = PKT_SIP_SOURCE;
		assert_int_equal(steer_to(t->w[src_owner], aor, m), VERDICT_STEERED);
	}
	assert_int_equal(rte_ring_count(r), cap);
	assert_int_equal(req(t, (struct creq){.user = "1001", .password = "pw", .src = src,
					      .rx_worker = src_owner}),
			 VERDICT_STEERED);
	assert_int_equal(counters(t, COUNTER_STEER_HELD), 1);
	assert_int_equal(verdicts(t, VERDICT_DROP_STEER_FULL_PAID), 0);
	assert_int_equal(verdicts(t, VERDICT_DROP_STEER_FULL_SOURCE), 0);
	assert_false(steer_backlogged(t->w[src_owner])); /* drained by req() */
	assert_has(t->out, "SIP/2.0 200 OK\r\n");
	assert_int_equal(t->w[aor]->verdicts[VERDICT_SIP_REGISTER_OK], 1);
	assert_int_equal(t->w[aor]->verdicts[VERDICT_SIP_DROP_MALFORMED], cap);
}

/* steer_hold(): held in order behind a full ring, backlogged until the ring has room. */
static void
test_steer_hold_keeps_order_and_backlog(void **state)
{
	struct gfx *t = *state;
	struct rte_ring *r = t->w[0]->steer_out[1];
	unsigned int i, cap = rte_ring_get_capacity(r);
	struct rte_mbuf *held[3], *m;

	for (i = 0; i < cap; i++) {
		m = fx_alloc(t->f[0]->pool);
		assert_int_equal(steer_hold(t->w[0], 1, m), VERDICT_STEERED);
	}
	assert_false(steer_backlogged(t->w[0]));
	for (i = 0; i < RTE_DIM(held); i++) {
		held[i] = fx_alloc(t->f[1]->pool);
		assert_int_equal(steer_hold(t->w[0], 1, held[i]), VERDICT_STEERED);
	}
	assert_true(steer_backlogged(t->w[0]));
	assert_int_equal(t->w[0]->counters[COUNTER_STEER_HELD], RTE_DIM(held));
	/* Make room by hand (the consumer's side), then the producer's drain moves them on. */
	for (i = 0; i < cap; i++) {
		assert_int_equal(rte_ring_sc_dequeue(r, (void **)&m), 0);
		rte_pktmbuf_free(m);
	}
	steer_drain(t->w[0]);
	assert_false(steer_backlogged(t->w[0]));
	for (i = 0; i < RTE_DIM(held); i++) {
		assert_int_equal(rte_ring_sc_dequeue(r, (void **)&m), 0);
		assert_ptr_equal(m, held[i]);
		rte_pktmbuf_free(m);
	}
}

#define G_TEST2(fn) cmocka_unit_test_setup_teardown(fn, gfx_setup2, gfx_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		G_TEST2(test_UNAUTH_5_unknown_drop_settled_where_received_read_once),
		G_TEST2(test_UNAUTH_1_unknown_challenge_read_once),
		G_TEST2(test_AUTH_1_account_challenge_read_once),
		G_TEST2(test_REG_1_authenticated_source_and_aor_owners_read_once),
		G_TEST2(test_UNAUTH_9_gateway_options_where_received_read_once),
		G_TEST2(test_REG_1_authenticated_held_on_full_ring_then_answered),
		G_TEST2(test_steer_hold_keeps_order_and_backlog),
	};

	if (fx_eal_init() != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
