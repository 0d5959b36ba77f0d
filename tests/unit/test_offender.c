/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The L3 offender memory (issue 14 item 1, dataplane/offender/offender.h): thresholds and
 * windows on a fake clock, expiry (on the probe and by the sweep), never-remembered sources
 * (gateway, live binding, authenticated), a full bucket counted, clear one / all, the probe on
 * an empty table; the "offender" config section; and through the whole receive path (the
 * guard fixture: net, sip_input, auth, registrar), the drop_l3_offender verdict after the
 * threshold.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <rte_ip.h>

#include "ctrlplane/cfg_offender.h"
#include "ctrlplane/cfg_policy.h"
#include "ctrlplane/config.h"
#include "dataplane/offender/offender.h"
#include "dataplane/pkt_meta.h"
#include "dataplane/registrar/registrar.h"
#include "dataplane/steer.h"
#include "tests/unit/guard_fixture.h"

#define T_SIZE 1024
#define T_THRESHOLD 5
#define T_WINDOW_MS 1000
#define T_REMEMBER_S 10
#define IP_X RTE_IPV4(192u, 0, 2, 7)

static uint32_t
be(uint32_t host)
{
	return rte_cpu_to_be_32(host);
}

/* A bare table, enabled, threshold 5 in 1000 ms, remembered 10 s, clock at 5000 ms. */
static struct offender *
table(void)
{
	struct offender *o = offender_create(T_SIZE, SOCKET_ID_ANY, 0x12345678u);

	assert_non_null(o);
	offender_configure(o, true, T_THRESHOLD, T_WINDOW_MS, T_REMEMBER_S);
	o->now_ms = 5000;
	return o;
}

/* Count @n drops from @ip; the last result. */
static enum offender_count_result
drops(struct offender *o, uint32_t ip, unsigned int n)
{
	enum offender_count_result r = OFFENDER_COUNTED;

	while (n-- > 0)
		r = offender_count(o, ip);
	return r;
}

/* OFFENDER-1: threshold-1 drops in a window are not remembered, the threshold's is. */
static void
test_OFFENDER_1_threshold(void **state)
{
	struct offender *o = table();

	(void)state;
	assert_int_equal(drops(o, be(IP_X), T_THRESHOLD - 1), OFFENDER_COUNTED);
	assert_false(offender_probe(o, be(IP_X)));
	assert_false(offender_is_remembered(o, be(IP_X)));
	assert_int_equal(drops(o, be(IP_X), 1), OFFENDER_AT_THRESHOLD);
	assert_int_equal(offender_remember(o, be(IP_X)), 0);
	assert_int_equal(o->n_remembered, 1);
	assert_true(offender_probe(o, be(IP_X)));
	assert_true(offender_probe(o, be(IP_X)));
	assert_false(offender_probe(o, be(IP_X + 1)));
	assert_int_equal(o->stats.remembered_total, 1);
	offender_free(o);
}

/* OFFENDER-2: drops spread wider than the window never reach the threshold. */
static void
test_OFFENDER_2_window(void **state)
{
	struct offender *o = table();
	unsigned int i;

	(void)state;
	for (i = 0; i < 4 * T_THRESHOLD; i++) {
		assert_int_equal(offender_count(o, be(IP_X)), OFFENDER_COUNTED);
		o->now_ms += T_WINDOW_MS / (T_THRESHOLD - 1) + 1; /* threshold-1 per window */
	}
	assert_int_equal(o->n_remembered, 0);
	/* The same number inside one window does. */
	assert_int_equal(drops(o, be(IP_X), T_THRESHOLD), OFFENDER_AT_THRESHOLD);
	offender_free(o);
}

/* OFFENDER-3: a remembered source is dropped until remember_s, then forgotten on the probe. */
static void
test_OFFENDER_3_expiry_probe(void **state)
{
	struct offender *o = table();

	(void)state;
	drops(o, be(IP_X), T_THRESHOLD);
	assert_int_equal(offender_remember(o, be(IP_X)), 0);
	o->now_ms += T_REMEMBER_S * 1000 - 2;
	assert_true(offender_probe(o, be(IP_X)));
	o->now_ms += 2;
	assert_false(offender_probe(o, be(IP_X)));
	assert_int_equal(o->n_remembered, 0);
	assert_int_equal(o->stats.expired, 1);
	/* The probe is one load again: its filter slot is clear. */
	assert_int_equal(o->filter[offender_filter_slot(offender_hash(o, be(IP_X)))], 0);
	offender_free(o);
}

/* OFFENDER-4: the sweep forgets a source that went quiet, so the table is empty again. */
static void
test_OFFENDER_4_expiry_sweep(void **state)
{
	struct offender *o = table();

	(void)state;
	drops(o, be(IP_X), T_THRESHOLD);
	assert_int_equal(offender_remember(o, be(IP_X)), 0);
	assert_int_equal(offender_sweep(o, T_SIZE / OFFENDER_WAYS), 0);
	assert_int_equal(o->n_remembered, 1);
	o->now_ms += T_REMEMBER_S * 1000 + 1;
	assert_int_equal(offender_sweep(o, T_SIZE / OFFENDER_WAYS), 1);
	assert_int_equal(o->n_remembered, 0);
	assert_int_equal(o->stats.expired, 1);
	offender_free(o);
}

/* Up to @n addresses (host order, from 198.51.0.0 up) that share IP_X's bucket. */
static unsigned int
same_bucket(const struct offender *o, uint32_t *out, unsigned int n)
{
	uint32_t want = (uint32_t)(offender_hash(o, be(IP_X)) >> 16) & o->bucket_mask;
	uint32_t ip;
	unsigned int k = 0;

	for (ip = RTE_IPV4(198u, 51, 0, 1); k < n && ip < RTE_IPV4(198u, 52, 0, 0); ip++)
		if (((uint32_t)(offender_hash(o, be(ip)) >> 16) & o->bucket_mask) == want)
			out[k++] = ip;
	return k;
}

/* OFFENDER-5: a bucket of live remembered sources refuses a new one, counted table_full. */
static void
test_OFFENDER_5_table_full(void **state)
{
	struct offender *o = table();
	uint32_t ips[OFFENDER_WAYS];
	unsigned int i;

	(void)state;
	assert_int_equal(same_bucket(o, ips, OFFENDER_WAYS), OFFENDER_WAYS);
	for (i = 0; i < OFFENDER_WAYS; i++) {
		assert_int_equal(drops(o, be(ips[i]), T_THRESHOLD), OFFENDER_AT_THRESHOLD);
		assert_int_equal(offender_remember(o, be(ips[i])), 0);
	}
	assert_int_equal(offender_count(o, be(IP_X)), OFFENDER_NO_ROOM);
	assert_int_equal(o->stats.table_full, 1);
	assert_false(offender_probe(o, be(IP_X)));
	for (i = 0; i < OFFENDER_WAYS; i++)
		assert_true(offender_probe(o, be(ips[i])));
	/* Once one expires its way is taken again. */
	o->now_ms += T_REMEMBER_S * 1000 + 1;
	assert_int_equal(offender_count(o, be(IP_X)), OFFENDER_COUNTED);
	offender_free(o);
}

/* OFFENDER-6: candidates never crowd out a bucket: the one with the fewest drops gives way. */
static void
test_OFFENDER_6_candidate_eviction(void **state)
{
	struct offender *o = table();
	uint32_t ips[OFFENDER_WAYS];
	unsigned int i;

	(void)state;
	assert_int_equal(same_bucket(o, ips, OFFENDER_WAYS), OFFENDER_WAYS);
	for (i = 0; i < OFFENDER_WAYS; i++)
		drops(o, be(ips[i]), i == 0 ? 1 : T_THRESHOLD - 1);
	assert_int_equal(drops(o, be(IP_X), 1), OFFENDER_COUNTED); /* takes ips[0]'s way */
	assert_int_equal(o->stats.table_full, 0);
	assert_int_equal(offender_count(o, be(ips[1])), OFFENDER_AT_THRESHOLD);
	offender_free(o);
}

/* OFFENDER-7: clear one source, then all; an empty table's probe is one load and says no. */
static void
test_OFFENDER_7_clear(void **state)
{
	struct offender *o = table();

	(void)state;
	drops(o, be(IP_X), T_THRESHOLD);
	offender_remember(o, be(IP_X));
	drops(o, be(IP_X + 1), T_THRESHOLD);
	offender_remember(o, be(IP_X + 1));
	assert_int_equal(o->n_remembered, 2);
	assert_int_equal(offender_clear(o, true, be(IP_X + 2)), 0);
	assert_int_equal(offender_clear(o, true, be(IP_X)), 1);
	assert_false(offender_probe(o, be(IP_X)));
	assert_true(offender_probe(o, be(IP_X + 1)));
	assert_int_equal(offender_clear(o, false, 0), 1);
	assert_int_equal(o->n_remembered, 0);
	assert_false(offender_probe(o, be(IP_X + 1)));
	assert_int_equal(o->stats.cleared, 2);
	/* Counting starts afresh after a clear. */
	assert_int_equal(drops(o, be(IP_X), T_THRESHOLD - 1), OFFENDER_COUNTED);
	offender_free(o);
}

/* OFFENDER-8: the probe on an empty or absent table; turning the memory off forgets. */
static void
test_OFFENDER_8_empty_and_off(void **state)
{
	struct offender *o = table();

	(void)state;
	assert_false(offender_probe(NULL, be(IP_X)));
	assert_false(offender_probe(o, be(IP_X)));
	drops(o, be(IP_X), T_THRESHOLD);
	offender_remember(o, be(IP_X));
	offender_configure(o, false, T_THRESHOLD, T_WINDOW_MS, T_REMEMBER_S);
	assert_int_equal(o->n_remembered, 0);
	assert_false(offender_probe(o, be(IP_X)));
	assert_int_equal(drops(o, be(IP_X), 3 * T_THRESHOLD), OFFENDER_COUNTED); /* off: no count */
	offender_free(o);
}

/* --- the worker's side, on the guard fixture (auth, registrar, gateway 10.99.0.2) ------- */

static int
wsetup(void **state)
{
	struct gfx *t;

	if (gfx_setup(state) != 0)
		return -1;
	t = *state;
	t->f[0]->snap->offender = (struct sf_offender_cfg){
		.enabled = true, .threshold = T_THRESHOLD, .window_ms = T_WINDOW_MS,
		.remember_s = T_REMEMBER_S};
	if (offender_worker_init(t->w[0], T_SIZE) != 0)
		return -1;
	offender_config_changed(t->w[0]);
	t->w[0]->offender->now_ms = 5000;
	return 0;
}

static int
wteardown(void **state)
{
	struct gfx *t = *state;

	offender_worker_fini(t->w[0]);
	return gfx_teardown(state);
}

static const struct policy_hooks *
hooks(struct gfx *t)
{
	return &t->w[0]->reg->hooks;
}

/* OFFENDER-9: a gateway's address is never remembered (counted offender exempt). */
static void
test_OFFENDER_9_never_gateway(void **state)
{
	struct gfx *t = *state;
	struct worker *w = t->w[0];

	offender_learn(w, be(GW_IP), rte_cpu_to_be_16(5060), hooks(t));
	offender_learn(w, be(GW_IP), rte_cpu_to_be_16(5060), hooks(t));
	for (unsigned int i = 0; i < 3 * T_THRESHOLD; i++)
		offender_learn(w, be(GW_IP), rte_cpu_to_be_16(5060), hooks(t));
	assert_false(offender_is_remembered(w->offender, be(GW_IP)));
	assert_int_equal(w->offender->n_remembered, 0);
	assert_true(w->offender->stats.exempt >= 1);
	/* Another source at the same rate is. */
	for (unsigned int i = 0; i < T_THRESHOLD; i++)
		offender_learn(w, be(IP_X), rte_cpu_to_be_16(5060), hooks(t));
	assert_true(offender_is_remembered(w->offender, be(IP_X)));
}

/*
 * OFFENDER-10: a source that authenticated (digest verified: the REGISTER of 1001 here) is
 * never remembered, nor is the address of its live binding; and a source remembered before
 * it authenticated is forgotten when it does.
 */
static void
test_OFFENDER_10_never_authenticated_or_bound(void **state)
{
	struct gfx *t = *state;
	struct worker *w = t->w[0];
	uint32_t ip = be(FX_PEER_IP);
	uint16_t port = rte_cpu_to_be_16(FX_PEER_PORT);

	assert_int_equal(req(t, (struct creq){.user = "1001"}), VERDICT_SIP_REGISTER_CHALLENGED);
	assert_int_equal(req(t, (struct creq){.user = "1001", .password = "pw"}),
			 VERDICT_SIP_REGISTER_OK);
	assert_true(offender_is_authed(w->offender, ip));
	for (unsigned int i = 0; i < 3 * T_THRESHOLD; i++)
		offender_learn(w, ip, port, hooks(t));
	assert_false(offender_is_remembered(w->offender, ip));
	/* The binding alone (the authenticated mark gone) still exempts the address. */
	memset(w->offender->authed, 0, OFFENDER_AUTHED_SLOTS * sizeof(*w->offender->authed));
	assert_true(w->reg->hooks.binding_live(w->reg->hooks.ctx, ip, port));
	for (unsigned int i = 0; i < 3 * T_THRESHOLD; i++)
		offender_learn(w, ip, port, hooks(t));
	assert_false(offender_is_remembered(w->offender, ip));
	/* Remembered first, then a digest verifies from it: forgotten. */
	for (unsigned int i = 0; i < T_THRESHOLD; i++)
		offender_learn(w, be(IP_X), port, hooks(t));
	assert_true(offender_is_remembered(w->offender, be(IP_X)));
	offender_auth_ok(w, be(IP_X));
	assert_false(offender_is_remembered(w->offender, be(IP_X)));
}

/*
 * OFFENDER-11 (UNAUTH-5 flood): unknown REGISTERs from one source are silent drops until the
 * threshold; from then on the source is dropped at L3 (drop_l3_offender), before any SIP
 * byte, and after remember_s it is read again. A gateway flooding OPTIONS is answered every
 * time.
 */
static void
test_OFFENDER_11_sip_input_verdict(void **state)
{
	struct gfx *t = *state;
	struct worker *w = t->w[0];
	struct creq scan = {.method = "REGISTER", .user = "9999", .src = IP_X};
	unsigned int i;
	uint64_t received;

	set_reply(t, false);
	for (i = 0; i < T_THRESHOLD; i++)
		assert_int_equal(req(t, scan), VERDICT_SIP_DROP_UNKNOWN_REGISTER);
	received = w->counters[COUNTER_SIP_RECEIVED];
	for (i = 0; i < 3; i++)
		assert_int_equal(req(t, scan), VERDICT_DROP_L3_OFFENDER);
	assert_int_equal(w->counters[COUNTER_SIP_RECEIVED], received); /* no SIP byte read */
	assert_int_equal(verdicts(t, VERDICT_DROP_L3_OFFENDER), 3);
	/* Other sources are not affected. */
	assert_int_equal(req(t, (struct creq){.method = "OPTIONS", .user = "9999",
					      .src = IP_X + 1}),
			 VERDICT_SIP_DROP_UNKNOWN_OPTIONS);
	/* A gateway flooding OPTIONS: every one answered. */
	for (i = 0; i < 4 * T_THRESHOLD; i++)
		assert_int_equal(req(t, (struct creq){.method = "OPTIONS", .user = "gw",
						      .src = GW_IP}),
				 VERDICT_SIP_REPLIED_OPTIONS);
	/* remember_s later the source is read (and dropped as unknown) again. */
	w->offender->now_ms += T_REMEMBER_S * 1000;
	assert_int_equal(req(t, scan), VERDICT_SIP_DROP_UNKNOWN_REGISTER);
}

/* OFFENDER-12 (UNAUTH-2): with SS_REPLY_UNAUTHORIZED On, 403s to an unknown source count. */
static void
test_OFFENDER_12_rejected_unknown_on(void **state)
{
	struct gfx *t = *state;
	struct creq inv = {.method = "INVITE", .user = "9999", .src = IP_X};
	unsigned int i;

	set_reply(t, true);
	set_budget(t, 0, 1); /* no reply budget: every 403 goes out */
	for (i = 0; i < T_THRESHOLD; i++)
		assert_int_equal(req(t, inv), VERDICT_SIP_REJECTED_UNKNOWN);
	assert_int_equal(req(t, inv), VERDICT_DROP_L3_OFFENDER);
}

/* OFFENDER-13 (GEN-1): malformed datagrams from one source count too (On and Off). */
static void
test_OFFENDER_13_malformed(void **state)
{
	struct gfx *t = *state;
	unsigned int i;

	set_reply(t, false);

	for (i = 0; i < T_THRESHOLD; i++)
		assert_int_equal(fx_rx(t->f[0], fx_sip_frame(t->f[0], IP_X, 5060,
							       "NOT SIP AT ALL\r\n\r\n")),
				 VERDICT_SIP_DROP_MALFORMED);
	assert_int_equal(fx_rx(t->f[0], fx_sip_frame(t->f[0], IP_X, 5060, "x\r\n\r\n")),
			 VERDICT_DROP_L3_OFFENDER);
}

/* OFFENDER-14: a config that makes a remembered address a gateway forgets it. */
static void
test_OFFENDER_14_config_gateway_forgets(void **state)
{
	struct gfx *t = *state;
	struct worker *w = t->w[0];
	struct snapshot snap = *t->f[0]->snap;
	const struct snapshot *old = w->cfg;
	struct cfg_error err = {0};
	json_t *doc;

	for (unsigned int i = 0; i < T_THRESHOLD; i++)
		offender_learn(w, be(IP_X), 0, hooks(t));
	assert_true(offender_is_remembered(w->offender, be(IP_X)));
	doc = json_loads("{\"gateways\": [{\"name\": \"gw2\", \"address\": \"192.0.2.7\"}]}", 0,
			 NULL);
	assert_non_null(doc);
	assert_int_equal(cfg_policy_parse(doc, &snap, &err), 0);
	json_decref(doc);
	w->cfg = &snap;
	offender_config_changed(w);
	assert_false(offender_is_remembered(w->offender, be(IP_X)));
	assert_int_equal(w->offender->n_remembered, 0);
	w->cfg = old;
	policy_free(snap.policy);
}

static int
wsetup2(void **state)
{
	struct gfx *t;
	uint16_t i;

	if (gfx_setup2(state) != 0)
		return -1;
	t = *state;
	for (i = 0; i < t->n; i++) {
		t->f[i]->snap->offender = (struct sf_offender_cfg){
			.enabled = true, .threshold = T_THRESHOLD, .window_ms = T_WINDOW_MS,
			.remember_s = T_REMEMBER_S};
		if (offender_worker_init(t->w[i], T_SIZE) != 0)
			return -1;
		offender_config_changed(t->w[i]);
		t->w[i]->offender->now_ms = 5000;
	}
	return 0;
}

static int
wteardown2(void **state)
{
	struct gfx *t = *state;
	uint16_t i;

	for (i = 0; i < t->n; i++)
		offender_worker_fini(t->w[i]);
	return gfx_teardown(state);
}

/*
 * OFFENDER-16 (two workers): the skim drop is settled where the frame landed (rule S's
 * exception), so the receiving worker learns the source and drops it at L3 even when another
 * worker owns the source IP; a malformed datagram is decided on the source owner after the
 * hand-off, so that worker remembers it (docs/ARCHITECTURE.md "Offender memory": per worker).
 */
static void
test_OFFENDER_16_two_workers_learn_where_decided(void **state)
{
	struct gfx *t = *state;
	uint32_t src = ip_owned_by(1), bad = src + 1;
	unsigned int i;

	set_reply(t, false);
	while (steer_source_owner(rte_cpu_to_be_32(bad), N_W) != 1)
		bad++;
	for (i = 0; i < T_THRESHOLD; i++)
		assert_int_equal(req(t, (struct creq){.user = "9999", .src = src, .rx_worker = 0}),
				 VERDICT_SIP_DROP_UNKNOWN_REGISTER);
	assert_true(offender_is_remembered(t->w[0]->offender, be(src)));
	assert_false(offender_is_remembered(t->w[1]->offender, be(src)));
	assert_int_equal(req(t, (struct creq){.user = "9999", .src = src, .rx_worker = 0}),
			 VERDICT_DROP_L3_OFFENDER);
	for (i = 0; i < T_THRESHOLD; i++) {
		fx_rx(t->f[0], fx_sip_frame(t->f[0], bad, 5060, "NOT SIP AT ALL\r\n\r\n"));
		drain_steer(t);
	}
	assert_int_equal(verdicts(t, VERDICT_SIP_DROP_MALFORMED), T_THRESHOLD);
	assert_true(offender_is_remembered(t->w[1]->offender, be(bad)));
	assert_false(offender_is_remembered(t->w[0]->offender, be(bad)));
}

/* --- the "offender" config section ------------------------------------------------------ */

static void
cfg_expect_error(const char *section, const char *path)
{
	struct snapshot snap = {0};
	struct sf_runtime rt = {0};
	struct cfg_error err = {0};
	json_t *o = json_loads(section, 0, NULL);

	assert_non_null(o);
	assert_int_equal(cfg_offender_parse(o, &snap, &rt, &err), -EINVAL);
	if (strcmp(err.path, path) != 0)
		print_error("%s: path %s, expected %s (%s)\n", section, err.path, path, err.msg);
	assert_string_equal(err.path, path);
	json_decref(o);
}

/* OFFENDER-15: defaults when absent; every key validated, the error names it. */
static void
test_OFFENDER_15_config(void **state)
{
	struct snapshot snap = {0};
	struct sf_runtime rt = {0};
	struct cfg_error err = {0};
	json_t *o;

	(void)state;
	assert_int_equal(cfg_offender_parse(NULL, &snap, &rt, &err), 0);
	assert_true(snap.offender.enabled);
	assert_int_equal(snap.offender.threshold, SF_OFFENDER_THRESHOLD_DEFAULT);
	assert_int_equal(snap.offender.window_ms, SF_OFFENDER_WINDOW_MS_DEFAULT);
	assert_int_equal(snap.offender.remember_s, SF_OFFENDER_REMEMBER_S_DEFAULT);
	assert_int_equal(rt.offender_table_size, SF_OFFENDER_TABLE_SIZE_DEFAULT);
	o = json_loads("{\"enabled\": false, \"threshold\": 3, \"window_ms\": 500, "
		       "\"remember_s\": 2, \"table_size\": 4096}", 0, NULL);
	assert_int_equal(cfg_offender_parse(o, &snap, &rt, &err), 0);
	json_decref(o);
	assert_false(snap.offender.enabled);
	assert_int_equal(snap.offender.threshold, 3);
	assert_int_equal(snap.offender.window_ms, 500);
	assert_int_equal(snap.offender.remember_s, 2);
	assert_int_equal(rt.offender_table_size, 4096);
	cfg_expect_error("{\"treshold\": 3}", "offender.treshold");
	cfg_expect_error("{\"threshold\": 0}", "offender.threshold");
	cfg_expect_error("{\"window_ms\": 1}", "offender.window_ms");
	cfg_expect_error("{\"remember_s\": 0}", "offender.remember_s");
	cfg_expect_error("{\"remember_s\": \"5\"}", "offender.remember_s");
	cfg_expect_error("{\"table_size\": 5000}", "offender.table_size");
	cfg_expect_error("{\"table_size\": 512}", "offender.table_size");
	cfg_expect_error("{\"enabled\": 1}", "offender.enabled");
	cfg_expect_error("[1]", "offender");
}

#define W_TEST(fn) cmocka_unit_test_setup_teardown(fn, wsetup, wteardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_OFFENDER_1_threshold),
		cmocka_unit_test(test_OFFENDER_2_window),
		cmocka_unit_test(test_OFFENDER_3_expiry_probe),
		cmocka_unit_test(test_OFFENDER_4_expiry_sweep),
		cmocka_unit_test(test_OFFENDER_5_table_full),
		cmocka_unit_test(test_OFFENDER_6_candidate_eviction),
		cmocka_unit_test(test_OFFENDER_7_clear),
		cmocka_unit_test(test_OFFENDER_8_empty_and_off),
		W_TEST(test_OFFENDER_9_never_gateway),
		W_TEST(test_OFFENDER_10_never_authenticated_or_bound),
		W_TEST(test_OFFENDER_11_sip_input_verdict),
		W_TEST(test_OFFENDER_12_rejected_unknown_on),
		W_TEST(test_OFFENDER_13_malformed),
		W_TEST(test_OFFENDER_14_config_gateway_forgets),
		cmocka_unit_test(test_OFFENDER_15_config),
		cmocka_unit_test_setup_teardown(test_OFFENDER_16_two_workers_learn_where_decided,
						wsetup2, wteardown2),
	};

	if (fx_eal_init() != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
