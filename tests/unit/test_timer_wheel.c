/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The timing wheel (dataplane/timer) against a brute-force model: every owner keeps its own
 * "pending, due at" copy; random start / stop / restart sequences (also from inside callbacks)
 * and random clock steps are applied to both, and after every poll each due timer has fired
 * exactly once, on time (at the first poll whose now reached it), and nothing else has. Start
 * clocks sit just below the points where every level's index wraps (2^32 ticks and 2^40), and
 * the runs step past 2^32 ticks, so every level wraps at least once. Then the bounded work per
 * poll, the lateness counters, the horizon and the callback rules.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dataplane/timer/timer_wheel.h"

_Static_assert(sizeof(struct tw_node) == 24, "a timer node is 24 bytes");

#define OWNER_OF(n) ((struct owner *)((char *)(n) - offsetof(struct owner, node)))

struct owner {
	uint32_t id;
	struct tw_node node;
	bool m_pending;    /* the model */
	uint64_t m_expire;
	uint64_t armed_poll; /* poll number at whose start it was last armed */
	uint32_t fired;
	uint64_t dbg_cur, dbg_now; /* the wheel when last armed */
};

struct model {
	struct tw_wheel w;
	struct owner *o;
	uint32_t n;
	uint64_t rng;
	uint64_t poll_no;   /* polls run so far */
	uint64_t prev_now;  /* now of the previous poll */
	bool exact;         /* unlimited budget: a due timer fires at the first poll reaching it */
	uint64_t max_delay; /* largest random delay */
	uint64_t fires;
	bool cb_ops;        /* callbacks restart themselves / stop others */
};

static uint64_t
rnd(struct model *m)
{
	m->rng ^= m->rng << 13;
	m->rng ^= m->rng >> 7;
	m->rng ^= m->rng << 17;
	return m->rng;
}

/* Delays over every level: 0..300, .. 2^14, .. 2^20, .. 2^26, .. max_delay. */
static uint64_t
rnd_delay(struct model *m)
{
	uint64_t r = rnd(m), cap;

	switch (r % 6) {
	case 0: cap = 300; break;
	case 1: cap = 1u << 14; break;
	case 2: cap = 1u << 20; break;
	case 3: cap = 1u << 26; break;
	case 4: cap = m->max_delay; break;
	default: cap = 4; break;
	}
	if (cap > m->max_delay)
		cap = m->max_delay;
	return (r >> 8) % (cap + 1);
}

static void
m_arm(struct model *m, struct owner *o, uint64_t expire)
{
	int rc = tw_start(&m->w, &o->node, 1, expire);

	if (rc != 0)
		fail_msg("start %u at %llu: %d (wheel at %llu, now %llu)", o->id,
			 (unsigned long long)expire, rc, (unsigned long long)m->w.cur,
			 (unsigned long long)m->w.now);
	o->dbg_cur = m->w.cur;
	o->dbg_now = m->w.now;
	o->m_pending = true;
	o->m_expire = expire;
	o->armed_poll = m->poll_no + 1;
}

static void
m_stop(struct model *m, struct owner *o)
{
	assert_int_equal(tw_stop(&m->w, &o->node), o->m_pending);
	o->m_pending = false;
}

static void
on_fire(struct tw_wheel *w, struct tw_node *n, uint64_t now, void *arg)
{
	struct model *m = arg;
	struct owner *o = OWNER_OF(n);

	assert_ptr_equal(w, &m->w);
	assert_false(tw_pending(n));
	if (!o->m_pending)
		fail_msg("timer %u fired while the model has it stopped", o->id);
	if (o->m_expire > now)
		fail_msg("timer %u due %llu fired early at %llu", o->id,
			 (unsigned long long)o->m_expire, (unsigned long long)now);
	if (m->exact && o->m_expire <= m->prev_now && o->armed_poll < m->poll_no)
		fail_msg("timer %u due %llu fired late at %llu (previous poll at %llu)", o->id,
			 (unsigned long long)o->m_expire, (unsigned long long)now,
			 (unsigned long long)m->prev_now);
	o->m_pending = false;
	o->fired++;
	m->fires++;
	if (m->cb_ops) {
		uint64_t r = rnd(m);

		if (r % 4 == 0) /* restart itself, at least one tick ahead */
			m_arm(m, o, now + 1 + rnd_delay(m) % (m->max_delay - 1));
		if (r % 5 == 0) /* stop another one, due or not */
			m_stop(m, &m->o[(r >> 16) % m->n]);
		if (r % 7 == 0) /* (re)start another one */
			m_arm(m, &m->o[(r >> 24) % m->n], now + 1 + rnd_delay(m) % (m->max_delay - 1));
	}
}

static void
m_check(struct model *m, uint64_t now)
{
	uint32_t i, pending = 0;

	for (i = 0; i < m->n; i++) {
		struct owner *o = &m->o[i];

		assert_int_equal(tw_pending(&o->node), o->m_pending);
		if (!o->m_pending)
			continue;
		pending++;
		if (o->m_expire <= now && !tw_backlog(&m->w)) {
			struct tw_node **pp = o->node.pprev;
			long l0 = pp - &m->w.l0[0], ln = pp - &m->w.ln[0][0];

			fail_msg("timer %u due %llu not fired by %llu (wheel at %llu, l0 %ld, ln %ld; "
				 "armed at cur %llu now %llu, poll %llu of %llu)",
				 o->id, (unsigned long long)o->m_expire, (unsigned long long)now,
				 (unsigned long long)m->w.cur, l0, ln, (unsigned long long)o->dbg_cur,
				 (unsigned long long)o->dbg_now, (unsigned long long)o->armed_poll,
				 (unsigned long long)m->poll_no);
		}
		if (tw_expiry(&m->w, &o->node) != o->m_expire)
			fail_msg("timer %u: wheel says due %llu, model %llu", o->id,
				 (unsigned long long)tw_expiry(&m->w, &o->node),
				 (unsigned long long)o->m_expire);
	}
	assert_int_equal(tw_count(&m->w), pending);
}

static void
m_setup(struct model *m, uint32_t n, uint64_t seed, uint64_t t0, uint64_t max_delay)
{
	uint32_t i;

	memset(m, 0, sizeof(*m));
	m->o = calloc(n, sizeof(*m->o));
	assert_non_null(m->o);
	m->n = n;
	m->rng = seed;
	m->max_delay = max_delay;
	for (i = 0; i < n; i++) {
		m->o[i].id = i;
		tw_node_init(&m->o[i].node);
	}
	tw_init(&m->w, t0);
	assert_int_equal(tw_set_handler(&m->w, 1, on_fire, m), 0);
	m->prev_now = t0;
}

/* Poll @now until no backlog, each poll with @budget (UINT32_MAX = exact mode). */
static void
m_poll(struct model *m, uint64_t now, unsigned int budget, bool ops_between)
{
	unsigned int guard = 0;

	do {
		m->poll_no++;
		assert_true(tw_poll(&m->w, now, budget) >= 0);
		m->prev_now = now;
		if (ops_between && tw_backlog(&m->w)) {
			struct owner *o = &m->o[rnd(m) % m->n];

			if (rnd(m) & 1)
				m_stop(m, o);
			else
				m_arm(m, o, now + rnd_delay(m));
		}
		assert_true(++guard < 2000000u);
	} while (tw_backlog(&m->w));
	m_check(m, now);
}

/* Random ops and clock steps; big jumps carry the clock past @span ticks from the start. */
static void
run_model(uint64_t seed, uint64_t t0, unsigned int budget, bool cb_ops, uint64_t span)
{
	struct model *m = calloc(1, sizeof(*m));
	uint64_t now = t0;
	unsigned int step, used_levels = 0;

	assert_non_null(m);
	/* Below the horizon by more than the largest clock step: inside a poll the wheel's
	 * position lags now by up to that step. */
	m_setup(m, 1500, seed, t0, budget == UINT32_MAX ? TW_MAX_DELAY - (1u << 29) : 1u << 30);
	m->exact = budget == UINT32_MAX;
	m->cb_ops = cb_ops;
	for (step = 0; now - t0 < span || step < 20000; step++) {
		unsigned int k, nops = (unsigned int)(rnd(m) % 40);
		uint64_t r;

		for (k = 0; k < nops; k++) {
			struct owner *o = &m->o[rnd(m) % m->n];

			r = rnd(m);
			if (r % 5 == 0)
				m_stop(m, o);
			else if (r % 5 == 1 && o->m_pending) { /* restart keeps the kind */
				o->m_expire = now + rnd_delay(m);
				o->armed_poll = m->poll_no + 1;
				assert_int_equal(tw_restart(&m->w, &o->node, o->m_expire), 0);
			}
			else if (r % 5 == 2) /* in the past: fires at the next poll, late */
				m_arm(m, o, now - (r >> 32) % 1000 % (now + 1));
			else
				m_arm(m, o, now + rnd_delay(m));
		}
		r = rnd(m);
		switch (r % 8) {
		case 0: now += 1; break;
		case 1: now += (r >> 8) % 300; break;
		case 2: now += (r >> 8) % (1u << 16); break;
		case 3: now += (r >> 8) % (1u << 22); break;
		case 4: now += (r >> 8) % (1ull << 28); break; /* crosses level-3 slots */
		default: now += (r >> 8) % 64; break;
		}
		m_poll(m, now, budget, budget != UINT32_MAX);
		for (k = 0; k < TW_LEVELS - 1; k++)
			used_levels |= (m->w.ln_map[k] != 0) << k;
	}
	assert_true(m->fires > 1000);
	/* Every upper level held timers, and the clock crossed 2^32 (all levels' index wrap). */
	assert_int_equal(used_levels, (1u << (TW_LEVELS - 1)) - 1);
	assert_true((now >> 32) != (t0 >> 32));
	assert_true(m->w.stats.cascaded > 1000);
	free(m->o);
	free(m);
}

/* Just below 2^32: every level's index is 63 and the next boundary cascades all of them. */
#define T_ALL_WRAP ((1ull << 32) - 300)

static void
test_model_exact_from_level_wrap(void **state)
{
	(void)state;
	run_model(0x9e3779b97f4a7c15ull, T_ALL_WRAP, UINT32_MAX, false, 5ull << 32);
}

static void
test_model_exact_high_clock_and_callback_ops(void **state)
{
	(void)state;
	run_model(0x1234567887654321ull, (1ull << 40) - 70000, UINT32_MAX, true, 5ull << 32);
	run_model(0x0badc0ffee0ddf00ull, 0, UINT32_MAX, true, 1ull << 33);
}

/* Small random budgets with ops between the polls of a backlog: same final state. */
static void
test_model_small_budgets(void **state)
{
	(void)state;
	run_model(0xfeedfacecafebeefull, T_ALL_WRAP, 7, true, 3ull << 32);
	run_model(0x5555aaaa3333ccccull, 12345, 64, false, 1ull << 32);
}

/* ---- bounded work, lateness ---- */

static uint64_t n_fired;
static uint64_t last_expiry;
static bool order_ok;

static void
count_fire(struct tw_wheel *w, struct tw_node *n, uint64_t now, void *arg)
{
	uint64_t *expiries = arg;
	struct owner *o = OWNER_OF(n);

	(void)w;
	(void)now;
	if (expiries != NULL) {
		if (expiries[o->id] < last_expiry)
			order_ok = false;
		last_expiry = expiries[o->id];
	}
	n_fired++;
}

static void
test_bounded_work_spreads_a_backlog(void **state)
{
	struct tw_wheel *w = calloc(1, sizeof(*w));
	struct owner *o = calloc(10000, sizeof(*o));
	unsigned int i, polls = 0;
	int rc;

	(void)state;
	tw_init(w, 1000);
	assert_int_equal(tw_set_handler(w, 0, count_fire, NULL), 0);
	for (i = 0; i < 10000; i++) {
		o[i].id = i;
		assert_int_equal(tw_start(w, &o[i].node, 0, 1500), 0);
	}
	n_fired = 0;
	/* Not due yet: nothing fires; the cascade of the 10,000 from level 1 into level 0 at
	 * tick 1280 is work too, spread over polls of 100 (one step to 1280, then 100 moves). */
	while (tw_poll(w, 1499, 100) == 0 && tw_backlog(w))
		polls++;
	assert_int_equal(polls, 100);
	assert_false(tw_backlog(w));
	assert_int_equal(w->stats.cascaded, 10000);
	assert_int_equal(n_fired, 0);
	polls = 0;
	w->stats.budget_exhausted = 0;
	/* Due: 100 per poll, the rest waits, counted as a budget stop. */
	rc = tw_poll(w, 1500, 100);
	assert_int_equal(rc, 100);
	assert_true(tw_backlog(w));
	assert_int_equal(w->stats.budget_exhausted, 1);
	assert_int_equal(tw_count(w), 9900);
	while (tw_backlog(w)) {
		rc = tw_poll(w, 1500 + polls / 10, 100);
		assert_true(rc >= 0 && rc <= 100);
		polls++;
	}
	assert_int_equal(n_fired, 10000);
	assert_int_equal(tw_count(w), 0);
	assert_int_equal(w->stats.fired, 10000);
	assert_int_equal(w->stats.budget_exhausted, 1 + 98);
	/* Lateness: the last ones were fired at 1500 + 9: bucket 4-15. */
	assert_int_equal(w->stats.late_max, 9);
	assert_int_equal(w->stats.late_hist[0] + w->stats.late_hist[1] + w->stats.late_hist[2] +
				 w->stats.late_hist[3],
			 10000);
	assert_int_equal(w->stats.late_hist[0], 100 + 10 * 100); /* the first 10 loop polls are at 1500 too */
	free(o);
	free(w);
}

/* After a stall of 2 h, 1,000 timers spread over 1 h come out in expiry order, at most
 * @budget units of work per poll, with the lateness each one really had. */
static void
test_stall_catch_up_in_order_with_lateness(void **state)
{
	struct tw_wheel *w = calloc(1, sizeof(*w));
	struct owner *o = calloc(1000, sizeof(*o));
	uint64_t *exp = calloc(1000, sizeof(*exp));
	const uint64_t t0 = 77777;
	unsigned int i, polls = 0;

	(void)state;
	tw_init(w, t0);
	assert_int_equal(tw_set_handler(w, 3, count_fire, exp), 0);
	for (i = 0; i < 1000; i++) {
		o[i].id = i;
		exp[i] = t0 + 1 + (uint64_t)i * 3600; /* 1 ms .. 1 h, distinct */
		assert_int_equal(tw_start(w, &o[i].node, 3, exp[i]), 0);
	}
	n_fired = 0;
	last_expiry = 0;
	order_ok = true;
	while (n_fired < 1000) {
		int rc = tw_poll(w, t0 + 7200000, 64);

		assert_true(rc >= 0 && rc <= 64);
		assert_true(++polls < 100000);
	}
	assert_true(order_ok);
	assert_true(polls > 1000 / 64);
	/* The first was 2 h - 1 ms late, the last 1 h + 3.6 s - 1 ms late: all in the top bucket. */
	assert_int_equal(w->stats.late_max, 7200000 - 1);
	assert_int_equal(w->stats.late_hist[TW_LATE_BUCKETS - 1], 1000);
	free(exp);
	free(o);
	free(w);
}

static void
test_late_buckets(void **state)
{
	static const uint64_t late[] = { 0, 1, 2, 3, 4, 15, 16, 63, 64, 255, 256, 1023, 1024,
					 1ull << 40 };
	static const unsigned int bucket[] = { 0, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7 };
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(late) / sizeof(late[0]); i++)
		assert_int_equal(tw_late_bucket(late[i]), bucket[i]);
}

/* A timer due at exactly now + 0 fires on the poll at now with lateness 0; one polled 5 ms
 * after its time records 5. */
static void
test_lateness_recorded_per_firing(void **state)
{
	struct tw_wheel w;
	struct owner a = { 0 }, b = { 0 };

	(void)state;
	tw_init(&w, 500);
	assert_int_equal(tw_set_handler(&w, 2, count_fire, NULL), 0);
	n_fired = 0;
	assert_int_equal(tw_start(&w, &a.node, 2, 510), 0);
	assert_int_equal(tw_start(&w, &b.node, 2, 520), 0);
	assert_int_equal(tw_poll(&w, 510, 1000), 1);
	assert_int_equal(w.stats.late_hist[0], 1);
	assert_int_equal(tw_poll(&w, 525, 1000), 1);
	assert_int_equal(w.stats.late_hist[3], 1); /* 5 ms */
	assert_int_equal(w.stats.late_max, 5);
	assert_int_equal(w.stats.fired, 2);
}

/* ---- horizon, API rules ---- */

static void
test_horizon_and_refusals(void **state)
{
	struct tw_wheel *w = calloc(1, sizeof(*w));
	struct owner a = { 0 }, b = { 0 };
	const uint64_t t0 = 3;
	uint64_t now;

	(void)state;
	tw_init(w, t0);
	assert_int_equal(tw_start(w, &a.node, 1, t0 + 10), -EINVAL); /* no handler for kind 1 */
	assert_int_equal(tw_set_handler(w, TW_KINDS, count_fire, NULL), -EINVAL);
	assert_int_equal(tw_set_handler(w, 1, count_fire, NULL), 0);
	assert_int_equal(tw_start(w, &a.node, TW_KINDS, t0 + 10), -EINVAL);
	assert_true(TW_MAX_DELAY >= 24ull * 3600 * 1000); /* 24 h at 1 ms */
	assert_int_equal(tw_start(w, &a.node, 1, t0 + TW_MAX_DELAY + 1), -ERANGE);
	assert_false(tw_pending(&a.node));
	assert_int_equal(w->stats.refused, 3);
	assert_int_equal(tw_start(w, &a.node, 1, t0 + TW_MAX_DELAY), 0);
	assert_int_equal(tw_start(w, &b.node, 1, t0 + 24ull * 3600 * 1000), 0);
	/* A refused restart leaves the pending timer as it was. */
	assert_int_equal(tw_restart(w, &b.node, t0 + TW_MAX_DELAY + 5), -ERANGE);
	assert_int_equal(tw_expiry(w, &b.node), t0 + 24ull * 3600 * 1000);
	n_fired = 0;
	now = t0 + 24ull * 3600 * 1000 - 1;
	assert_int_equal(tw_poll(w, now, UINT32_MAX), 0);
	assert_int_equal(tw_poll(w, now + 1, UINT32_MAX), 1);
	assert_int_equal(w->stats.late_max, 0);
	now = t0 + TW_MAX_DELAY - 1;
	assert_int_equal(tw_poll(w, now, UINT32_MAX), 0);
	assert_true(tw_pending(&a.node));
	assert_int_equal(tw_poll(w, now + 1, UINT32_MAX), 1);
	assert_false(tw_pending(&a.node));
	assert_int_equal(w->stats.late_max, 0);
	assert_int_equal(n_fired, 2);
	free(w);
}

static struct tw_wheel *reent_w;
static int reent_rc;
static unsigned int self_restarts;

static void
reentrant_fire(struct tw_wheel *w, struct tw_node *n, uint64_t now, void *arg)
{
	(void)n;
	(void)arg;
	reent_rc = tw_poll(w, now, 10);
}

static void
self_restart_at_now(struct tw_wheel *w, struct tw_node *n, uint64_t now, void *arg)
{
	(void)arg;
	self_restarts++;
	assert_int_equal(tw_start(w, n, 5, now), 0);
}

static void
free_owner(struct tw_wheel *w, struct tw_node *n, uint64_t now, void *arg)
{
	(void)w;
	(void)now;
	(void)arg;
	free(OWNER_OF(n)); /* ASan: the wheel must not touch the node afterwards */
}

static void
test_callback_rules(void **state)
{
	struct tw_wheel w;
	struct owner a = { 0 }, *heap[3];
	unsigned int i;

	(void)state;
	tw_init(&w, 0);
	reent_w = &w;
	assert_int_equal(tw_set_handler(&w, 4, reentrant_fire, NULL), 0);
	assert_int_equal(tw_start(&w, &a.node, 4, 1), 0);
	assert_int_equal(tw_poll(&w, 1, 100), 1);
	assert_int_equal(reent_rc, -EBUSY);

	/* A callback restarting itself at now fires again in the same poll, up to the budget. */
	assert_int_equal(tw_set_handler(&w, 5, self_restart_at_now, NULL), 0);
	assert_int_equal(tw_start(&w, &a.node, 5, 2), 0);
	assert_int_equal(tw_poll(&w, 2, 10), 10);
	assert_int_equal(self_restarts, 10);
	assert_true(tw_pending(&a.node));
	assert_true(tw_stop(&w, &a.node));
	assert_false(tw_stop(&w, &a.node));

	/* Owners freed from their callbacks, several in one slot. */
	assert_int_equal(tw_set_handler(&w, 6, free_owner, NULL), 0);
	for (i = 0; i < 3; i++) {
		heap[i] = calloc(1, sizeof(*heap[i]));
		assert_non_null(heap[i]);
		assert_int_equal(tw_start(&w, &heap[i]->node, 6, 5), 0);
	}
	assert_int_equal(tw_poll(&w, 5, 100), 3);
	assert_int_equal(tw_count(&w), 0);
}

/* Stop and restart of timers that sit in a cascade spread over polls by a tiny budget. */
static void
test_stop_during_spread_cascade(void **state)
{
	struct tw_wheel *w = calloc(1, sizeof(*w));
	struct owner *o = calloc(300, sizeof(*o));
	unsigned int i;

	(void)state;
	tw_init(w, 0);
	assert_int_equal(tw_set_handler(w, 0, count_fire, NULL), 0);
	for (i = 0; i < 300; i++) /* all in level 1, slot of block 1 (256..511) */
		assert_int_equal(tw_start(w, &o[i].node, 0, 256 + i % 200), 0);
	n_fired = 0;
	/* Walk to the boundary: 256 empty level-0 steps are one step, then the cascade starts. */
	assert_int_equal(tw_poll(w, 256, 5), 0);
	assert_true(w->cascade_level != 0);
	for (i = 0; i < 300; i += 2)
		tw_stop(w, &o[i].node);
	assert_int_equal(tw_start(w, &o[0].node, 0, 256 + 64 * 256), 0); /* same level-1 index */
	while (n_fired < 150 || tw_backlog(w))
		assert_true(tw_poll(w, 600, 5) >= 0);
	assert_int_equal(n_fired, 150);
	assert_int_equal(tw_count(w), 1);
	assert_int_equal(tw_expiry(w, &o[0].node), 256 + 64 * 256);
	assert_int_equal(tw_poll(w, 256 + 64 * 256, UINT32_MAX), 1);
	assert_int_equal(tw_count(w), 0);
	free(o);
	free(w);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_model_exact_from_level_wrap),
		cmocka_unit_test(test_model_exact_high_clock_and_callback_ops),
		cmocka_unit_test(test_model_small_budgets),
		cmocka_unit_test(test_bounded_work_spreads_a_backlog),
		cmocka_unit_test(test_stall_catch_up_in_order_with_lateness),
		cmocka_unit_test(test_late_buckets),
		cmocka_unit_test(test_lateness_recorded_per_firing),
		cmocka_unit_test(test_horizon_and_refusals),
		cmocka_unit_test(test_callback_rules),
		cmocka_unit_test(test_stop_during_spread_cascade),
	};

	return cmocka_run_group_tests_name("timer_wheel", tests, NULL, NULL);
}
