/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for the NAT keep-alive scheduler on a simulated millisecond clock: the seed's walk
 * (KA-5, KA-6, KA-7), the even spread, budget shares across workers (KA-16), churn (KA-8,
 * KA-9), parameter changes at the next cycle (KA-13) and the off switch (KA-2).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dataplane/keepalive/schedule.h"
#include "dataplane/params.h"

#define T_CAP 20000u     /* binding ids in the test schedulers */
#define T_MAX_MS 200000u /* simulated milliseconds a recorder can hold */

/* What a simulated run handed out: per binding and per millisecond. */
struct rec {
	uint32_t count[T_CAP];     /* keep-alives per binding */
	uint64_t first[T_CAP];     /* time of the first, UINT64_MAX = none */
	uint64_t last[T_CAP];      /* time of the latest */
	uint64_t max_gap[T_CAP];   /* largest time between two consecutive ones */
	uint32_t per_ms[T_MAX_MS]; /* ids handed out at that millisecond */
	uint64_t total;
};

static struct rec *
rec_new(void)
{
	struct rec *r = calloc(1, sizeof(*r));
	uint32_t i;

	assert_non_null(r);
	for (i = 0; i < T_CAP; i++)
		r->first[i] = UINT64_MAX;
	return r;
}

static void
rec_reset_counts(struct rec *r)
{
	memset(r->count, 0, sizeof(r->count));
}

/* Call ka_sched_due() every @step ms in [@t0, @t1) with small output arrays, as a worker would. */
static void
sim(struct ka_sched *s, struct rec *r, uint64_t t0, uint64_t t1, uint64_t step)
{
	uint32_t ids[7];
	uint64_t t;
	unsigned int n, i;

	for (t = t0; t < t1; t += step) {
		do {
			n = ka_sched_due(s, t, ids, 7);
			for (i = 0; i < n; i++) {
				uint32_t id = ids[i];

				assert_true(id < T_CAP);
				if (r->first[id] == UINT64_MAX)
					r->first[id] = t;
				else if (t - r->last[id] > r->max_gap[id])
					r->max_gap[id] = t - r->last[id];
				r->last[id] = t;
				r->count[id]++;
				if (t < T_MAX_MS)
					r->per_ms[t]++;
				r->total++;
			}
		} while (n == 7);
	}
}

static struct ka_sched_params
params(enum ka_sched_mode mode, uint32_t period_ms, uint32_t interval_ms, uint32_t budget)
{
	return (struct ka_sched_params){.enabled = true,
					.mode = mode,
					.period_ms = period_ms,
					.interval_ms = interval_ms,
					.budget = budget,
					.worker_index = 0,
					.n_workers = 1};
}

static struct ka_sched *
sched_with(const struct ka_sched_params *p, uint32_t n_bindings)
{
	struct ka_sched *s = ka_sched_create(T_CAP, 42);
	uint32_t i;

	assert_non_null(s);
	assert_int_equal(ka_sched_set_params(s, p), 0);
	for (i = 0; i < n_bindings; i++)
		assert_int_equal(ka_sched_add(s, i), 0);
	return s;
}

/* Sum of per-ms counts in [t0, t1). */
static uint64_t
sum_ms(const struct rec *r, uint64_t t0, uint64_t t1)
{
	uint64_t n = 0;

	for (; t0 < t1; t0++)
		n += r->per_ms[t0];
	return n;
}

static void
test_KA_1_one_binding_one_keepalive_every_period(void **state)
{
	struct ka_sched_params p = params(KA_SCHED_SEED_WALK, 30000, 500, 3000);
	struct ka_sched *s = sched_with(&p, 1);
	struct rec *r = rec_new();

	(void)state;
	sim(s, r, 0, 90000, 1);
	assert_int_equal(r->count[0], 3);
	assert_int_equal(r->first[0], 0);
	assert_int_equal(r->max_gap[0], 30000);
	assert_int_equal(r->last[0], 60000);
	free(r);
	ka_sched_free(s);
}

static void
test_KA_2_empty_message_sends_nothing(void **state)
{
	struct sf_params sp = {.ka_message_len = 0,
			       .ka_period_s = 10,
			       .ka_send_interval_ms = 500,
			       .ka_send_one_time = 3000};
	struct ka_sched_params p;
	struct ka_sched *s;
	struct rec *r = rec_new();

	(void)state;
	ka_sched_params_from(&p, &sp, KA_SCHED_SPREAD, 0, 1);
	assert_false(p.enabled);
	s = sched_with(&p, 100);
	sim(s, r, 0, 30000, 1);
	assert_int_equal(r->total, 0);
	assert_int_equal(ka_sched_stats(s)->cycles, 0);
	assert_int_equal(ka_sched_count(s), 100); /* bindings stay; only sending is off */

	/* On, then off in the middle of a cycle: nothing more from that moment. */
	sp.ka_message_len = 5;
	ka_sched_params_from(&p, &sp, KA_SCHED_SEED_WALK, 0, 1);
	p.budget = 10;
	assert_int_equal(ka_sched_set_params(s, &p), 0);
	sim(s, r, 30000, 30600, 1);
	assert_int_equal(r->total, 20);
	p.enabled = false;
	assert_int_equal(ka_sched_set_params(s, &p), 0);
	sim(s, r, 30600, 80000, 1);
	assert_int_equal(r->total, 20);
	free(r);
	ka_sched_free(s);
}

static void
test_sched_only_added_ids_are_due(void **state)
{
	struct ka_sched_params p = params(KA_SCHED_SPREAD, 10000, 500, 3000);
	struct ka_sched *s = sched_with(&p, 0);
	struct rec *r = rec_new();
	uint32_t i;

	(void)state;
	/*
	 * Only ids handed to ka_sched_add are walked. Which bindings are NAT is not decided
	 * here (the registrar's reg_is_nat; ka_worker adds NAT bindings only): not KA-3.
	 */
	for (i = 0; i < 200; i += 2)
		assert_int_equal(ka_sched_add(s, i), 0);
	sim(s, r, 0, 30000, 1);
	for (i = 0; i < 200; i++)
		assert_int_equal(r->count[i], i % 2 == 0 ? 3 : 0);
	free(r);
	ka_sched_free(s);
}

static void
test_KA_5_seed_walk_bursts_3_3_3_1_then_silence(void **state)
{
	struct ka_sched_params p = params(KA_SCHED_SEED_WALK, 30000, 500, 3);
	struct ka_sched *s = sched_with(&p, 10);
	struct rec *r = rec_new();
	uint64_t c, t;
	uint32_t i;

	(void)state;
	sim(s, r, 0, 90000, 1);
	for (c = 0; c < 3; c++) {
		uint64_t base = c * 30000;

		assert_int_equal(r->per_ms[base], 3);
		assert_int_equal(r->per_ms[base + 500], 3);
		assert_int_equal(r->per_ms[base + 1000], 3);
		assert_int_equal(r->per_ms[base + 1500], 1);
		for (t = base; t < base + 30000; t++)
			if (t != base && t != base + 500 && t != base + 1000 && t != base + 1500)
				assert_int_equal(r->per_ms[t], 0);
	}
	for (i = 0; i < 10; i++)
		assert_int_equal(r->count[i], 3);
	assert_int_equal(ka_sched_stats(s)->overruns, 0);
	assert_int_equal(ka_sched_stats(s)->max_batch, 3);
	free(r);
	ka_sched_free(s);
}

static void
test_KA_6_seed_walk_5000_bindings_defaults(void **state)
{
	struct sf_params sp = {.ka_message = "HELLO",
			       .ka_message_len = 5,
			       .ka_period_s = 30,
			       .ka_send_interval_ms = 500,
			       .ka_send_one_time = 3000};
	struct ka_sched_params p;
	struct ka_sched *s;
	struct rec *r = rec_new();

	(void)state;
	ka_sched_params_from(&p, &sp, KA_SCHED_SEED_WALK, 0, 1);
	assert_true(p.enabled);
	assert_int_equal(p.period_ms, 30000);
	s = sched_with(&p, 5000);
	sim(s, r, 0, 60000, 1);
	assert_int_equal(r->per_ms[0], 3000);
	assert_int_equal(r->per_ms[500], 2000);
	assert_int_equal(sum_ms(r, 501, 30000), 0);
	assert_int_equal(r->per_ms[30000], 3000);
	assert_int_equal(r->per_ms[30500], 2000);
	assert_int_equal(r->total, 10000);
	free(r);
	ka_sched_free(s);
}

static void
KA_7_check(enum ka_sched_mode mode)
{
	struct ka_sched_params p = params(mode, 10000, 1000, 1);
	struct ka_sched *s = sched_with(&p, 15);
	struct rec *r = rec_new();
	const struct ka_sched_stats *st = ka_sched_stats(s);
	uint32_t i;

	assert_int_equal(ka_sched_capacity(s), 10);
	assert_true(ka_sched_count(s) > ka_sched_capacity(s)); /* the capacity warning */
	sim(s, r, 0, 10000, 1);
	assert_int_equal(st->overruns, 0); /* the first cycle has not ended yet */
	sim(s, r, 10000, 40000, 1);
	/* Four cycles started, three ended short by 5: the walk restarts from the top. */
	assert_int_equal(st->cycles, 4);
	assert_int_equal(st->overruns, 3);
	assert_int_equal(st->not_reached, 15);
	assert_int_equal(st->last_not_reached, 5);
	for (i = 0; i < 15; i++)
		assert_int_equal(r->count[i], i < 10 ? 4 : 0);
	assert_int_equal(st->max_batch, 1);
	free(r);
	ka_sched_free(s);
}

static void
test_KA_7_overrun_restarts_from_top_and_counts_not_reached(void **state)
{
	(void)state;
	KA_7_check(KA_SCHED_SEED_WALK);
	KA_7_check(KA_SCHED_SPREAD);
}

static void
KA_8_check(enum ka_sched_mode mode)
{
	struct ka_sched_params p = params(mode, 10000, 500, 50);
	struct ka_sched *s = sched_with(&p, 1000);
	struct rec *r = rec_new();
	uint32_t ids[64];
	unsigned int n;
	uint32_t i;

	sim(s, r, 0, 2000, 1);
	/* The next id the walk would hand out, then a random sample, leave mid-cycle. */
	n = ka_sched_due(s, 2500, ids, 1);
	assert_int_equal(n, 1);
	assert_int_equal(ka_sched_remove(s, ids[0]), 0);
	for (i = 0; i < 1000; i += 7)
		ka_sched_remove(s, i);
	assert_int_equal(ka_sched_remove(s, 7), -ENOENT);
	rec_reset_counts(r);
	sim(s, r, 2500, 40000, 1);
	for (i = 0; i < 1000; i++) {
		if (i % 7 == 0 || i == ids[0])
			assert_int_equal(r->count[i], 0);
		else
			assert_true(r->count[i] >= 3 && r->count[i] <= 4);
	}
	assert_int_equal(ka_sched_stats(s)->overruns, 0);
	free(r);
	ka_sched_free(s);
}

static void
test_KA_8_removed_binding_gets_nothing_from_next_tick(void **state)
{
	(void)state;
	KA_8_check(KA_SCHED_SEED_WALK);
	KA_8_check(KA_SCHED_SPREAD);
}

static void
KA_9_check(enum ka_sched_mode mode, uint64_t within_ms)
{
	struct ka_sched_params p = params(mode, 10000, 500, 100);
	struct ka_sched *s = sched_with(&p, 1000);
	struct rec *r = rec_new();
	uint64_t t;
	uint32_t id = 1000;

	/* One new binding every 97 ms over two cycles. */
	for (t = 0; t < 20000; t += 97) {
		sim(s, r, t, t + 97, 1);
		assert_int_equal(ka_sched_add(s, id), 0);
		assert_int_equal(ka_sched_add(s, id), -EEXIST);
		id++;
	}
	sim(s, r, 20000 - 20000 % 97 + 97, 60000, 1);
	/* First keep-alive within @within_ms of the registration. */
	for (id = 1000, t = 0; t < 20000; t += 97, id++)
		assert_true(r->first[id] - t <= within_ms);
	assert_int_equal(ka_sched_stats(s)->overruns, 0);
	free(r);
	ka_sched_free(s);
}

static void
test_KA_9_binding_added_mid_cycle_first_keepalive_within_two_periods(void **state)
{
	(void)state;
	KA_9_check(KA_SCHED_SEED_WALK, 2 * 10000);
	/* Spread: about one period (the phase drifts a little as the list grows by 10 %). */
	KA_9_check(KA_SCHED_SPREAD, 12000);
}

/* Every binding exactly once per cycle, with churn, in both modes. */
static void
KA_12_check(enum ka_sched_mode mode)
{
	struct ka_sched_params p = params(mode, 10000, 500, 200);
	struct ka_sched *s = sched_with(&p, 2000);
	struct rec *r = rec_new();
	uint64_t c;
	uint32_t i;

	for (c = 0; c < 4; c++) {
		rec_reset_counts(r);
		/* Remove and re-add a few ids mid-cycle: churn must not duplicate the others. */
		sim(s, r, c * 10000, c * 10000 + 4321, 1);
		for (i = 0; i < 2000; i += 101)
			assert_int_equal(ka_sched_remove(s, i), 0);
		sim(s, r, c * 10000 + 4321, (c + 1) * 10000, 1);
		for (i = 0; i < 2000; i++)
			if (i % 101 != 0)
				assert_int_equal(r->count[i], 1);
		for (i = 0; i < 2000; i += 101)
			assert_int_equal(ka_sched_add(s, i), 0);
	}
	free(r);
	ka_sched_free(s);
}

static void
test_KA_12_each_binding_exactly_once_per_cycle(void **state)
{
	(void)state;
	KA_12_check(KA_SCHED_SEED_WALK);
	KA_12_check(KA_SCHED_SPREAD);
}

static void
test_KA_13_period_change_applies_at_next_cycle_start(void **state)
{
	struct ka_sched_params p = params(KA_SCHED_SEED_WALK, 30000, 500, 3000);
	struct ka_sched *s = sched_with(&p, 3);
	struct rec *r = rec_new();
	uint64_t cyc;

	(void)state;
	sim(s, r, 0, 10000, 1);
	assert_int_equal(r->total, 3);
	cyc = ka_sched_cycle(s);
	p.period_ms = 15000;
	assert_int_equal(ka_sched_set_params(s, &p), 0);
	sim(s, r, 10000, 30000, 1);
	assert_int_equal(ka_sched_cycle(s), cyc); /* the running cycle keeps 30 s */
	assert_int_equal(r->total, 3);
	sim(s, r, 30000, 75000, 1);
	/* Cycles at 30, 45, 60 s: the list is kept, every binding in each. */
	assert_int_equal(r->per_ms[30000], 3);
	assert_int_equal(r->per_ms[45000], 3);
	assert_int_equal(r->per_ms[60000], 3);
	assert_int_equal(r->total, 12);
	assert_int_equal(ka_sched_count(s), 3);
	assert_int_equal(ka_sched_stats(s)->overruns, 0);
	free(r);
	ka_sched_free(s);
}

static void
test_KA_13_interval_and_budget_change_keep_schedule(void **state)
{
	struct ka_sched_params p = params(KA_SCHED_SPREAD, 10000, 500, 1000);
	struct ka_sched *s = sched_with(&p, 5000);
	struct rec *r = rec_new();
	uint32_t i;

	(void)state;
	sim(s, r, 0, 3000, 1);
	p.interval_ms = 300; /* 34 ticks; 5000 / 34 = 148 per tick */
	p.budget = 200;
	assert_int_equal(ka_sched_set_params(s, &p), 0);
	sim(s, r, 3000, 10000, 1);
	assert_int_equal(ka_sched_stats(s)->max_batch, 250); /* 5000 / 20 under the old ones */
	rec_reset_counts(r);
	sim(s, r, 10000, 20200, 1);
	/* The new cycle starts at 10200 (grid of 300 ms), paced 147 or 148 per tick. */
	assert_int_equal(sum_ms(r, 10000, 10200), 0);
	for (i = 0; i < 34; i++) {
		uint64_t n = r->per_ms[10200 + i * 300];

		assert_true(n == 147 || n == 148);
	}
	for (i = 0; i < 5000; i++)
		assert_int_equal(r->count[i], 1);
	free(r);
	ka_sched_free(s);
}

static void
test_spread_rate_is_flat_and_within_budget(void **state)
{
	struct ka_sched_params p = params(KA_SCHED_SPREAD, 30000, 500, 3000);
	struct ka_sched *s = sched_with(&p, 10000);
	struct rec *r = rec_new();
	uint32_t k, lo = UINT32_MAX, hi = 0;

	(void)state;
	sim(s, r, 0, 60000, 1);
	/* 10000 over 60 ticks: 166 or 167 each, every tick, both cycles. */
	for (k = 0; k < 120; k++) {
		uint32_t n = r->per_ms[k * 500];

		lo = n < lo ? n : lo;
		hi = n > hi ? n : hi;
		assert_int_equal(sum_ms(r, k * 500 + 1, k * 500 + 500), 0);
	}
	assert_int_equal(lo, 166);
	assert_int_equal(hi, 167);
	for (k = 0; k < 10000; k++) {
		assert_int_equal(r->count[k], 2);
		assert_int_equal(r->max_gap[k], 30000); /* same phase every cycle */
	}
	assert_true(ka_sched_stats(s)->max_batch <= 3000);
	free(r);
	ka_sched_free(s);
}

static void
test_spread_small_list_one_every_few_ticks(void **state)
{
	struct ka_sched_params p = params(KA_SCHED_SPREAD, 30000, 500, 3);
	struct ka_sched *s = sched_with(&p, 10);
	struct rec *r = rec_new();
	uint32_t k;

	(void)state;
	sim(s, r, 0, 30000, 1);
	/* 10 over 60 ticks: one every sixth tick, never two together (no spike at 0). */
	for (k = 0; k < 60; k++)
		assert_int_equal(r->per_ms[k * 500], k % 6 == 5 ? 1 : 0);
	assert_int_equal(ka_sched_stats(s)->max_batch, 1);
	free(r);
	ka_sched_free(s);
}

static void
test_spread_registration_burst_gets_jittered_phases(void **state)
{
	struct ka_sched_params p = params(KA_SCHED_SPREAD, 30000, 500, 3000);
	struct ka_sched *s = sched_with(&p, 10000);
	struct rec *r = rec_new();
	uint32_t i, ticks = 0;
	uint8_t seen[60] = {0};

	(void)state;
	sim(s, r, 0, 7000, 1);
	/* 200 terminals behind one NAT register in the same millisecond. */
	for (i = 10000; i < 10200; i++)
		assert_int_equal(ka_sched_add(s, i), 0);
	sim(s, r, 7000, 60000, 1);
	for (i = 10000; i < 10200; i++) {
		assert_true(r->count[i] >= 1 && r->count[i] <= 2);
		assert_true(r->first[i] - 7000 <= 30000);
		seen[(r->last[i] % 30000) / 500] = 1;
	}
	for (i = 0; i < 60; i++)
		ticks += seen[i];
	assert_true(ticks >= 40); /* spread over the cycle, not one burst */
	for (i = 0; i < 60; i++) {
		uint32_t n = r->per_ms[30000 + i * 500];

		assert_true(n == 170 || n == 169 || n == 171);
	}
	free(r);
	ka_sched_free(s);
}

/*
 * The spread mode key ("keepalive": {"spread"}, issue 6): a mode change mid-cycle finishes the
 * running cycle in the old mode and applies at the next cycle start; the list, its bindings
 * and the counters are kept, so every binding still gets exactly one keep-alive per cycle.
 */
static void
test_spread_mode_change_applies_at_next_cycle_keeping_schedule(void **state)
{
	struct ka_sched_params p = params(KA_SCHED_SEED_WALK, 10000, 500, 30);
	struct ka_sched *s = sched_with(&p, 100);
	struct rec *r = rec_new();
	uint32_t k;

	(void)state;
	sim(s, r, 0, 251, 1);
	assert_int_equal(r->per_ms[0], 30);
	p.mode = KA_SCHED_SPREAD; /* seed -> even, mid-cycle */
	assert_int_equal(ka_sched_set_params(s, &p), 0);
	sim(s, r, 251, 10000, 1);
	/* Cycle 0 ends in the seed walk: 30, 30, 30, 10 then silence. */
	assert_int_equal(r->per_ms[500], 30);
	assert_int_equal(r->per_ms[1000], 30);
	assert_int_equal(r->per_ms[1500], 10);
	assert_int_equal(sum_ms(r, 1501, 10000), 0);
	sim(s, r, 10000, 15001, 1);
	p.mode = KA_SCHED_SEED_WALK; /* and back, mid-cycle */
	assert_int_equal(ka_sched_set_params(s, &p), 0);
	sim(s, r, 15001, 30000, 1);
	/* Cycle 1 is even: 100 over 20 ticks = 5 at every tick. */
	for (k = 0; k < 20; k++)
		assert_int_equal(r->per_ms[10000 + k * 500], 5);
	/* Cycle 2 is the seed walk again. */
	assert_int_equal(r->per_ms[20000], 30);
	assert_int_equal(r->per_ms[21500], 10);
	assert_int_equal(sum_ms(r, 21501, 30000), 0);
	for (k = 0; k < 100; k++)
		assert_int_equal(r->count[k], 3);
	assert_int_equal(ka_sched_count(s), 100);
	assert_int_equal(ka_sched_stats(s)->overruns, 0);
	assert_int_equal(ka_sched_cycle(s), 3);
	free(r);
	ka_sched_free(s);
}

static void
test_KA_16_worker_shares_add_up_to_budget(void **state)
{
	static const uint32_t budgets[] = {1, 2, 3, 5, 7, 3000, 100000};
	struct ka_sched_params p = params(KA_SCHED_SEED_WALK, 30000, 500, 1);
	uint32_t b, n, i, g;

	(void)state;
	for (b = 0; b < sizeof(budgets) / sizeof(budgets[0]); b++) {
		for (n = 1; n <= 8; n++) {
			uint64_t per_worker[8] = {0};

			p.budget = budgets[b];
			p.n_workers = (uint16_t)n;
			for (g = 0; g < 840; g++) { /* lcm(1..8) ticks */
				uint32_t sum = 0;

				for (i = 0; i < n; i++) {
					p.worker_index = (uint16_t)i;
					uint32_t share = ka_sched_share(&p, (uint64_t)g * 500);

					sum += share;
					per_worker[i] += share;
				}
				assert_int_equal(sum, budgets[b]);
			}
			/* Over n ticks every worker gets the same: nobody starves when b < n. */
			for (i = 1; i < n; i++)
				assert_int_equal(per_worker[i], per_worker[0]);
		}
	}
}

static void
test_KA_16_workers_together_never_exceed_budget_per_tick(void **state)
{
	struct ka_sched *w[3];
	struct rec *r = rec_new();
	uint64_t t;
	uint32_t i, k;

	(void)state;
	for (i = 0; i < 3; i++) {
		struct ka_sched_params p =
		    params(i == 1 ? KA_SCHED_SPREAD : KA_SCHED_SEED_WALK, 10000, 500, 7);

		p.worker_index = (uint16_t)i;
		p.n_workers = 3;
		w[i] = ka_sched_create(T_CAP, 7 + i);
		assert_non_null(w[i]);
		assert_int_equal(ka_sched_set_params(w[i], &p), 0);
		for (k = 0; k < 300; k++)
			assert_int_equal(ka_sched_add(w[i], i * 1000 + k), 0);
	}
	/* Workers start at different moments; ticks still line up on the 500 ms grid. */
	for (t = 0; t < 30000; t++)
		for (i = 0; i < 3; i++)
			if (t >= i * 130)
				sim(w[i], r, t, t + 1, 1);
	/* A late starter serves its first tick late, inside that tick; later ticks on time. */
	for (k = 0; k < 60; k++) {
		assert_true(sum_ms(r, k * 500, k * 500 + 500) <= 7);
		if (k > 0)
			assert_int_equal(sum_ms(r, k * 500 + 1, k * 500 + 500), 0);
	}
	for (i = 0; i < 3; i++)
		ka_sched_free(w[i]);
	free(r);
}

static void
test_stalled_worker_never_bursts_more_than_share(void **state)
{
	struct ka_sched_params p = params(KA_SCHED_SPREAD, 10000, 500, 100);
	struct ka_sched *s = sched_with(&p, 1000);
	struct rec *r = rec_new();

	(void)state;
	sim(s, r, 0, 1, 1);
	sim(s, r, 7000, 7001, 1); /* stalled 7 s in the cycle: catch-up capped */
	assert_int_equal(r->per_ms[7000], 100);
	sim(s, r, 45123, 45124, 1); /* stalled several cycles */
	assert_true(r->per_ms[45123] <= 100);
	assert_true(ka_sched_stats(s)->overruns >= 1);
	free(r);
	ka_sched_free(s);
}

static void
test_api_errors(void **state)
{
	struct ka_sched_params p = params(KA_SCHED_SPREAD, 10000, 500, 100);
	struct ka_sched *s = ka_sched_create(10, 1);
	uint8_t small[16];

	(void)state;
	assert_non_null(s);
	assert_null(ka_sched_init(small, sizeof(small), 10, 1));
	assert_int_equal(ka_sched_add(s, 10), -EINVAL);
	assert_int_equal(ka_sched_remove(s, 3), -ENOENT);
	assert_int_equal(ka_sched_remove(s, 99), -ENOENT);
	assert_false(ka_sched_has(s, 99));
	p.interval_ms = 0;
	assert_int_equal(ka_sched_set_params(s, &p), -EINVAL);
	p.interval_ms = 500;
	p.budget = 0;
	assert_int_equal(ka_sched_set_params(s, &p), -EINVAL);
	p.budget = 1;
	p.worker_index = 1;
	assert_int_equal(ka_sched_set_params(s, &p), -EINVAL);
	p.worker_index = 0;
	p.period_ms = 10001;
	assert_int_equal(ka_sched_ticks(&p), 21);
	assert_int_equal(ka_sched_size(1000000) - ka_sched_size(0), 12000000);
	ka_sched_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_KA_1_one_binding_one_keepalive_every_period),
	    cmocka_unit_test(test_KA_2_empty_message_sends_nothing),
	    cmocka_unit_test(test_sched_only_added_ids_are_due),
	    cmocka_unit_test(test_KA_5_seed_walk_bursts_3_3_3_1_then_silence),
	    cmocka_unit_test(test_KA_6_seed_walk_5000_bindings_defaults),
	    cmocka_unit_test(test_KA_7_overrun_restarts_from_top_and_counts_not_reached),
	    cmocka_unit_test(test_KA_8_removed_binding_gets_nothing_from_next_tick),
	    cmocka_unit_test(test_KA_9_binding_added_mid_cycle_first_keepalive_within_two_periods),
	    cmocka_unit_test(test_KA_12_each_binding_exactly_once_per_cycle),
	    cmocka_unit_test(test_KA_13_period_change_applies_at_next_cycle_start),
	    cmocka_unit_test(test_KA_13_interval_and_budget_change_keep_schedule),
	    cmocka_unit_test(test_spread_rate_is_flat_and_within_budget),
	    cmocka_unit_test(test_spread_small_list_one_every_few_ticks),
	    cmocka_unit_test(test_spread_registration_burst_gets_jittered_phases),
	    cmocka_unit_test(test_spread_mode_change_applies_at_next_cycle_keeping_schedule),
	    cmocka_unit_test(test_KA_16_worker_shares_add_up_to_budget),
	    cmocka_unit_test(test_KA_16_workers_together_never_exceed_budget_per_tick),
	    cmocka_unit_test(test_stalled_worker_never_bursts_more_than_share),
	    cmocka_unit_test(test_api_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
