/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Owner hand-off between two hand-built workers: steer_to() and steer_drain() through the
 * per-pair rings, a full ring, steer_owner()'s range and spread, and steer_destroy() freeing
 * what is still queued.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <rte_mbuf.h>
#include <rte_ring.h>

#include "dataplane/pkt_meta.h"
#include "dataplane/sip_input.h"
#include "dataplane/steer.h"
#include "tests/unit/eal_fixture.h"

#define STEER_SPREAD_SAMPLES 100000
#define STEER_SPREAD_TOLERANCE 0.05 /* each owner within 5% of its fair share */

struct steer_pair {
	struct fx *f[2];
	struct worker *w[2];
};

static int
steer_setup(void **state)
{
	struct steer_pair *sp = calloc(1, sizeof(*sp));
	uint16_t i;

	if (sp == NULL)
		return -1;
	*state = sp;
	for (i = 0; i < 2; i++) {
		sp->f[i] = fx_create(i, 2, FX_FRAG_TIMEOUT_MS);
		if (sp->f[i] == NULL)
			return -1;
		sp->w[i] = sp->f[i]->w;
	}
	return steer_create(sp->w, 2, sip_resume);
}

static int
steer_teardown(void **state)
{
	struct steer_pair *sp = *state;
	uint16_t i;

	if (sp->w[0] != NULL && sp->w[1] != NULL)
		steer_destroy(sp->w, 2);
	for (i = 0; i < 2; i++)
		fx_destroy(sp->f[i]);
	free(sp);
	return 0;
}

/* A SIP datagram as udp_input() leaves it for sip_input(): UDP frame plus pkt_meta. */
static struct rte_mbuf *
steer_sip_packet(struct fx *f)
{
	struct rte_mbuf *m = fx_udp_frame(f, FX_SIP_PORT, 64, 2);
	struct pkt_meta *meta = pkt_meta(m);

	memset(meta, 0, sizeof(*meta));
	meta->src_ip = fx_ip(m)->src_addr;
	meta->dst_ip = fx_ip(m)->dst_addr;
	meta->src_port = fx_udp(m)->src_port;
	meta->dst_port = fx_udp(m)->dst_port;
	meta->in_port = f->port;
	meta->payload_off = sizeof(struct rte_ether_hdr) + sizeof(struct rte_ipv4_hdr) +
			    sizeof(struct rte_udp_hdr);
	meta->payload_len = 64;
	rte_ether_addr_copy(&f->peer_mac, &meta->src_mac);
	meta->sip.stage = PKT_SIP_SOURCE; /* as sip_input()'s rule S hands it over */
	return m;
}

/* A bare mbuf that stands for a datagram handed over before it was read. */
static struct rte_mbuf *
steer_bare(struct fx *f)
{
	struct rte_mbuf *m = fx_alloc(f->pool);

	memset(pkt_meta(m), 0, sizeof(struct pkt_meta));
	pkt_sip(m)->stage = PKT_SIP_SOURCE;
	return m;
}

static void
test_steer_to_owner_then_drain_runs_sip_input(void **state)
{
	struct steer_pair *sp = *state;

	assert_int_equal(steer_to(sp->w[0], 1, steer_sip_packet(sp->f[0])), VERDICT_STEERED);
	assert_int_equal(rte_ring_count(sp->w[0]->steer_out[1]), 1);
	assert_ptr_equal(sp->w[0]->steer_out[1], sp->w[1]->steer_in[0]);
	assert_int_equal(steer_drain(sp->w[0]), 0); /* nothing for worker 0 */
	assert_int_equal(steer_drain(sp->w[1]), 1);
	assert_int_equal(sp->w[1]->verdicts[VERDICT_SIP_DROP_MALFORMED], 1);
	assert_int_equal(sp->w[1]->counters[COUNTER_RX_STEERED_IN], 1);
	assert_int_equal(sp->w[0]->counters[COUNTER_RX_STEERED_IN], 0);
	assert_int_equal(steer_drain(sp->w[1]), 0);
	fx_assert_no_leak(sp->f[0]);
	fx_assert_no_leak(sp->f[1]);
}

/*
 * rte_ring_create() without RING_F_EXACT_SZ keeps one slot free: a STEER_RING_SIZE ring
 * holds STEER_RING_SIZE - 1 packets. The next one is dropped and freed.
 */
static void
test_steer_full_ring_drops_and_frees(void **state)
{
	struct steer_pair *sp = *state;
	struct rte_ring *r = sp->w[0]->steer_out[1];
	unsigned int i, cap = rte_ring_get_capacity(r);

	assert_int_equal(cap, STEER_RING_SIZE - 1);
	for (i = 0; i < cap; i++)
		assert_int_equal(steer_to(sp->w[0], 1, steer_bare(sp->f[0])), VERDICT_STEERED);
	/* worker 0's pool may be empty by now: take the extra mbuf from worker 1's */
	assert_int_equal(steer_to(sp->w[0], 1, steer_sip_packet(sp->f[1])),
			 VERDICT_DROP_STEER_FULL_SOURCE);
	assert_int_equal(rte_mempool_avail_count(sp->f[1]->pool), sp->f[1]->pool->size);
	assert_int_equal(rte_ring_count(r), cap);
	while (steer_drain(sp->w[1]) > 0)
		;
	assert_int_equal(sp->w[1]->verdicts[VERDICT_SIP_DROP_MALFORMED], cap);
	assert_int_equal(sp->w[1]->counters[COUNTER_RX_STEERED_IN], cap);
	fx_assert_no_leak(sp->f[0]);
	fx_assert_no_leak(sp->f[1]);
}

static void
test_steer_destroy_frees_queued_mbufs(void **state)
{
	struct steer_pair *sp = *state;
	unsigned int i;

	for (i = 0; i < 10; i++)
		assert_int_equal(steer_to(sp->w[0], 1, steer_sip_packet(sp->f[0])),
				 VERDICT_STEERED);
	for (i = 0; i < 5; i++)
		assert_int_equal(steer_to(sp->w[1], 0, steer_sip_packet(sp->f[1])),
				 VERDICT_STEERED);
	assert_int_equal(rte_mempool_avail_count(sp->f[0]->pool), sp->f[0]->pool->size - 10);
	steer_destroy(sp->w, 2);
	assert_null(sp->w[0]->steer_out[1]);
	assert_null(sp->w[1]->steer_in[0]);
	assert_null(sp->w[1]->steer_out[0]);
	fx_assert_no_leak(sp->f[0]);
	fx_assert_no_leak(sp->f[1]);
}

/* xorshift32: a fixed, repeatable stream of hashes. */
static uint32_t
steer_next_hash(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static void
test_steer_owner_always_in_range(void **state)
{
	static const uint32_t edges[] = {0, 1, UINT32_MAX / 2, UINT32_MAX / 2 + 1, UINT32_MAX - 1,
					 UINT32_MAX};
	uint32_t seed = 0x9e3779b9;
	uint16_t n;
	unsigned int i;

	(void)state;
	for (n = 1; n <= SF_MAX_WORKERS; n++) {
		for (i = 0; i < RTE_DIM(edges); i++)
			assert_true(steer_owner(edges[i], n) < n);
		for (i = 0; i < 10000; i++)
			assert_true(steer_owner(steer_next_hash(&seed), n) < n);
		assert_int_equal(steer_owner(0, n), 0);
		assert_int_equal(steer_owner(UINT32_MAX, n), n - 1);
	}
}

static void
steer_expect_uniform(uint16_t n)
{
	unsigned int count[SF_MAX_WORKERS] = {0};
	double fair = (double)STEER_SPREAD_SAMPLES / n;
	uint32_t seed = 0x12345678;
	unsigned int i;

	for (i = 0; i < STEER_SPREAD_SAMPLES; i++)
		count[steer_owner(steer_next_hash(&seed), n)]++;
	for (i = 0; i < n; i++) {
		assert_true(count[i] > fair * (1 - STEER_SPREAD_TOLERANCE));
		assert_true(count[i] < fair * (1 + STEER_SPREAD_TOLERANCE));
	}
}

static void
test_steer_owner_spreads_uniformly(void **state)
{
	(void)state;
	steer_expect_uniform(2);
	steer_expect_uniform(3);
}

static int
steer_group_setup(void **state)
{
	(void)state;
	return fx_eal_init();
}

#define STEER_TEST(fn) cmocka_unit_test_setup_teardown(fn, steer_setup, steer_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		STEER_TEST(test_steer_to_owner_then_drain_runs_sip_input),
		STEER_TEST(test_steer_full_ring_drops_and_frees),
		STEER_TEST(test_steer_destroy_frees_queued_mbufs),
		cmocka_unit_test(test_steer_owner_always_in_range),
		cmocka_unit_test(test_steer_owner_spreads_uniformly),
	};

	return cmocka_run_group_tests(tests, steer_group_setup, NULL);
}
