/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for the keep-alive transmit side on the net_ring fixture: frames carry exactly the
 * configured payload from the registered local address to the observed public address, with
 * valid IPv4 and UDP checksums (KA-1, KA-4); unknown next hop -> counted skip, no frame, no
 * ARP hold; message changes at the next cycle (KA-13); empty message sends nothing (KA-2).
 * Through the worker wiring (ka_worker.c on a real location shard): a binding unlinked by
 * Expires: 0 or replaced from another address gets nothing from the next tick on (KA-8).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <rte_cycles.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>
#include <rte_udp.h>

#include "dataplane/keepalive/ka_tx.h"
#include "dataplane/keepalive/ka_worker.h"
#include "dataplane/keepalive/schedule.h"
#include "dataplane/net/net_worker.h"
#include "dataplane/registrar/location.h"
#include "dataplane/registrar/registrar.h"
#include "dataplane/worker.h"
#include "tests/unit/eal_fixture.h"

#define KT_BINDINGS 64
#define KT_PUBLIC_IP RTE_IPV4(203u, 0, 113, 5) /* off-link: via the gateway */

/* The registrar's side, as the lookup callback sees it. */
struct kt_table {
	bool nat[KT_BINDINGS];
	struct ka_tx_dst dst[KT_BINDINGS];
};

static bool
kt_lookup(void *ctx, uint32_t id, struct ka_tx_dst *dst)
{
	struct kt_table *t = ctx;

	if (id >= KT_BINDINGS || !t->nat[id])
		return false;
	*dst = t->dst[id];
	return true;
}

/* One test's world: the fixture, a scheduler, the transmit side, a binding table. */
struct kt {
	struct fx *f;
	struct ka_sched *s;
	struct ka_tx *tx;
	struct kt_table table;
};

static void
kt_bind(struct kt *k, uint32_t id, uint32_t dst_ip_host, uint16_t dst_port)
{
	k->table.nat[id] = true;
	k->table.dst[id] = (struct ka_tx_dst){.src_ip = fx_be32(FX_OUR_IP),
					      .dst_ip = fx_be32(dst_ip_host),
					      .src_port = rte_cpu_to_be_16(FX_SIP_PORT),
					      .dst_port = rte_cpu_to_be_16(dst_port),
					      .port_id = k->f->port};
	assert_int_equal(ka_sched_add(k->s, id), 0);
}

static void
kt_configure(struct kt *k, const char *msg, uint16_t len)
{
	struct sf_params *p = &k->f->snap->params;

	memcpy(p->ka_message, msg, len);
	p->ka_message_len = len;
	p->ka_period_s = 30;
	p->ka_send_interval_ms = 500;
	p->ka_send_one_time = 3000;
	assert_int_equal(ka_tx_configure(k->tx, k->s, p, KA_SCHED_SEED_WALK, 0, 1), 0);
}

static int
kt_setup(void **state)
{
	struct kt *k = calloc(1, sizeof(*k));

	if (k == NULL || fx_setup((void **)&k->f) != 0)
		return -1;
	k->s = ka_sched_create(KT_BINDINGS, 3);
	k->tx = ka_tx_create(k->f->pool, kt_lookup, &k->table, SOCKET_ID_ANY);
	if (k->s == NULL || k->tx == NULL)
		return -1;
	if (ka_tx_set_port(k->tx, k->f->port, 0, &k->f->our_mac, k->f->neigh, fx_be32(FX_GW_IP)) !=
	    0)
		return -1;
	*state = k;
	return 0;
}

static int
kt_teardown(void **state)
{
	struct kt *k = *state;

	ka_tx_free(k->tx);
	ka_sched_free(k->s);
	fx_teardown((void **)&k->f);
	free(k);
	return 0;
}

/* Assert @m is a keep-alive to @dst_ip:@dst_port via @mac carrying @msg; frees @m. */
static void
kt_assert_keepalive(struct kt *k, struct rte_mbuf *m, uint32_t dst_ip, uint16_t dst_port,
		    const struct rte_ether_addr *mac, const char *msg, uint16_t len)
{
	struct rte_ipv4_hdr *ip = fx_assert_ipv4_out(k->f, m, mac);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);

	assert_int_equal(rte_pktmbuf_pkt_len(m),
			 sizeof(struct rte_ether_hdr) + sizeof(*ip) + sizeof(*udp) + len);
	assert_true(rte_pktmbuf_is_contiguous(m));
	assert_int_equal(ip->src_addr, fx_be32(FX_OUR_IP));
	assert_int_equal(ip->dst_addr, fx_be32(dst_ip));
	assert_int_equal(ip->next_proto_id, IPPROTO_UDP);
	assert_int_equal(ip->time_to_live, 64);
	assert_int_equal(ip->hdr_checksum, 0 + rte_ipv4_cksum(&(struct rte_ipv4_hdr){
						   .version_ihl = ip->version_ihl,
						   .total_length = ip->total_length,
						   .packet_id = ip->packet_id,
						   .fragment_offset = ip->fragment_offset,
						   .time_to_live = ip->time_to_live,
						   .next_proto_id = ip->next_proto_id,
						   .src_addr = ip->src_addr,
						   .dst_addr = ip->dst_addr}));
	assert_int_equal(rte_be_to_cpu_16(udp->src_port), FX_SIP_PORT);
	assert_int_equal(rte_be_to_cpu_16(udp->dst_port), dst_port);
	assert_int_equal(rte_be_to_cpu_16(udp->dgram_len), sizeof(*udp) + len);
	assert_int_not_equal(udp->dgram_cksum, 0);
	assert_int_equal(rte_ipv4_udptcp_cksum_verify(ip, udp), 0);
	assert_memory_equal(udp + 1, msg, len);
	rte_pktmbuf_free(m);
}

static void
test_KA_1_frame_from_registered_address_to_public_source(void **state)
{
	struct kt *k = *state;
	struct rte_ether_addr gw_mac;
	struct rte_mbuf *out[4];

	fx_mac(&gw_mac, 254);
	assert_true(neigh_learn(k->f->neigh, fx_be32(FX_GW_IP), &gw_mac));
	kt_configure(k, "HELLO", 5);
	kt_bind(k, 0, KT_PUBLIC_IP, 40001);
	assert_int_equal(ka_tx_poll(k->tx, k->s, 0), 1);
	assert_int_equal(fx_tx(k->f, out, RTE_DIM(out)), 1);
	kt_assert_keepalive(k, out[0], KT_PUBLIC_IP, 40001, &gw_mac, "HELLO", 5);
	/* Nothing more until the next cycle, then exactly one again (KA-12: no retransmission). */
	assert_int_equal(ka_tx_poll(k->tx, k->s, 29999), 0);
	assert_int_equal(fx_tx_discard(k->f), 0);
	assert_int_equal(ka_tx_poll(k->tx, k->s, 30000), 1);
	assert_int_equal(fx_tx(k->f, out, RTE_DIM(out)), 1);
	kt_assert_keepalive(k, out[0], KT_PUBLIC_IP, 40001, &gw_mac, "HELLO", 5);
	assert_int_equal(ka_tx_counters(k->tx)[KA_TX_SENT], 2);
	fx_assert_no_leak(k->f);
}

static void
test_KA_4_payload_is_exactly_the_message_for_every_binding(void **state)
{
	struct kt *k = *state;
	struct rte_mbuf *out[KT_BINDINGS];
	uint32_t i;
	unsigned int n;

	assert_true(neigh_learn(k->f->neigh, fx_be32(FX_PEER_IP), &k->f->peer_mac));
	kt_configure(k, "ping\r\n", 6);
	/* On-link peer, many source ports: checksums patched right for each. */
	for (i = 0; i < 40; i++)
		kt_bind(k, i, FX_PEER_IP, (uint16_t)(1024 + i * 1543));
	assert_int_equal(ka_tx_poll(k->tx, k->s, 0), 40);
	n = fx_tx(k->f, out, RTE_DIM(out));
	assert_int_equal(n, 40);
	for (i = 0; i < n; i++)
		kt_assert_keepalive(k, out[i], FX_PEER_IP, (uint16_t)(1024 + i * 1543),
				    &k->f->peer_mac, "ping\r\n", 6);
	fx_assert_no_leak(k->f);
}

static void
test_KA_4_longest_message_odd_length(void **state)
{
	struct kt *k = *state;
	char msg[SF_PARAMS_KA_MESSAGE_MAX - 1];
	struct rte_mbuf *out[2];

	fx_pattern((uint8_t *)msg, sizeof(msg), 5);
	assert_true(neigh_learn(k->f->neigh, fx_be32(FX_PEER_IP), &k->f->peer_mac));
	kt_configure(k, msg, sizeof(msg));
	kt_bind(k, 9, FX_PEER_IP, 65535);
	assert_int_equal(ka_tx_poll(k->tx, k->s, 5), 1);
	assert_int_equal(fx_tx(k->f, out, RTE_DIM(out)), 1);
	kt_assert_keepalive(k, out[0], FX_PEER_IP, 65535, &k->f->peer_mac, msg, sizeof(msg));
	fx_assert_no_leak(k->f);
}

static void
test_unknown_neighbour_is_skipped_and_counted_without_arp(void **state)
{
	struct kt *k = *state;

	kt_configure(k, "HELLO", 5);
	kt_bind(k, 0, FX_PEER_IP, 40001);   /* on-link, never seen */
	kt_bind(k, 1, KT_PUBLIC_IP, 40002); /* off-link, gateway never seen */
	assert_int_equal(ka_tx_poll(k->tx, k->s, 0), 0);
	assert_int_equal(fx_tx_discard(k->f), 0); /* no frame and no ARP request */
	assert_int_equal(ka_tx_counters(k->tx)[KA_TX_SKIPPED_NO_NEIGHBOUR], 2);
	assert_int_equal(ka_tx_counters(k->tx)[KA_TX_SENT], 0);
	assert_int_equal(k->f->w->net->n_hold, 0);
	fx_assert_no_leak(k->f);
}

static void
test_binding_gone_at_lookup_is_skipped(void **state)
{
	struct kt *k = *state;

	assert_true(neigh_learn(k->f->neigh, fx_be32(FX_PEER_IP), &k->f->peer_mac));
	kt_configure(k, "HELLO", 5);
	kt_bind(k, 0, FX_PEER_IP, 40001);
	k->table.nat[0] = false; /* e.g. re-registered without NAT, before the registrar told us */
	assert_int_equal(ka_tx_poll(k->tx, k->s, 0), 0);
	assert_int_equal(fx_tx_discard(k->f), 0);
	assert_int_equal(ka_tx_counters(k->tx)[KA_TX_SKIPPED_GONE], 1);
	fx_assert_no_leak(k->f);
}

static void
test_KA_2_empty_message_sends_nothing(void **state)
{
	struct kt *k = *state;
	uint64_t t;

	assert_true(neigh_learn(k->f->neigh, fx_be32(FX_PEER_IP), &k->f->peer_mac));
	kt_configure(k, "", 0);
	kt_bind(k, 0, FX_PEER_IP, 40001);
	for (t = 0; t < 100000; t += 250)
		assert_int_equal(ka_tx_poll(k->tx, k->s, t), 0);
	assert_int_equal(fx_tx_discard(k->f), 0);
	fx_assert_no_leak(k->f);
}

/* kt_configure with one keep-alive per 500 ms interval: a walk of n bindings takes n ticks. */
static void
kt_configure_one_per_tick(struct kt *k, const char *msg, uint16_t len)
{
	struct sf_params *p = &k->f->snap->params;

	memcpy(p->ka_message, msg, len);
	p->ka_message_len = len;
	p->ka_period_s = 30;
	p->ka_send_interval_ms = 500;
	p->ka_send_one_time = 1;
	assert_int_equal(ka_tx_configure(k->tx, k->s, p, KA_SCHED_SEED_WALK, 0, 1), 0);
}

/*
 * KA-13: MESSAGE changed mid-cycle while a binding is still due in that cycle: the rest of the
 * cycle keeps the old payload ("next cycle", not "at once"); the next cycle carries the new one.
 */
static void
test_KA_13_new_message_waits_for_next_cycle_start(void **state)
{
	struct kt *k = *state;
	struct rte_mbuf *out[2];

	assert_true(neigh_learn(k->f->neigh, fx_be32(FX_PEER_IP), &k->f->peer_mac));
	kt_configure_one_per_tick(k, "HELLO", 5);
	kt_bind(k, 0, FX_PEER_IP, 40001);
	kt_bind(k, 1, FX_PEER_IP, 40002);
	assert_int_equal(ka_tx_poll(k->tx, k->s, 0), 1);
	assert_int_equal(fx_tx(k->f, out, 2), 1);
	kt_assert_keepalive(k, out[0], FX_PEER_IP, 40001, &k->f->peer_mac, "HELLO", 5);
	kt_configure_one_per_tick(k, "KEEP", 4); /* mid-cycle update; binding 1 still due */
	assert_int_equal(ka_tx_poll(k->tx, k->s, 500), 1);
	assert_int_equal(fx_tx(k->f, out, 2), 1);
	kt_assert_keepalive(k, out[0], FX_PEER_IP, 40002, &k->f->peer_mac, "HELLO", 5);
	assert_int_equal(ka_tx_poll(k->tx, k->s, 30000), 1);
	assert_int_equal(fx_tx(k->f, out, 2), 1);
	kt_assert_keepalive(k, out[0], FX_PEER_IP, 40001, &k->f->peer_mac, "KEEP", 4);
	assert_int_equal(ka_tx_poll(k->tx, k->s, 30500), 1);
	assert_int_equal(fx_tx(k->f, out, 2), 1);
	kt_assert_keepalive(k, out[0], FX_PEER_IP, 40002, &k->f->peer_mac, "KEEP", 4);
	fx_assert_no_leak(k->f);
}

/* A NAT binding of @user from FX_PEER_IP:@port, registered on our SIP address. */
static void
kt_put(struct location *loc, const char *user, uint16_t port, bool nat, uint32_t now)
{
	struct location_binding b;

	memset(&b, 0, sizeof(b));
	assert_int_equal(location_binding_set_text(&b, (struct sf_span){(const uint8_t *)user,
									(uint16_t)strlen(user)},
						   (struct sf_span){NULL, 0}), 0);
	b.nat = nat;
	b.src_ip = fx_be32(FX_PEER_IP);
	b.src_port = rte_cpu_to_be_16(port);
	b.local_ip = fx_be32(FX_OUR_IP);
	b.local_port = rte_cpu_to_be_16(FX_SIP_PORT);
	b.expires_at_s = now + 300;
	b.granted_s = 300;
	assert_int_equal(location_put(loc, &b), 0);
}

/* Poll the worker at @ms on the TSC clock; return the destination ports of what it sent. */
static unsigned int
kt_worker_poll(struct kt *k, uint64_t ms, uint16_t *ports, unsigned int max)
{
	struct rte_mbuf *out[16];
	unsigned int n, i;

	ka_worker_poll(k->f->w, ms * RTE_MAX(rte_get_tsc_hz() / 1000, (uint64_t)1));
	n = fx_tx(k->f, out, RTE_DIM(out));
	assert_true(n <= max);
	for (i = 0; i < n; i++) {
		struct rte_ipv4_hdr *ip = fx_assert_ipv4_out(k->f, out[i], &k->f->peer_mac);
		struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);

		assert_memory_equal(udp + 1, "HELLO", 5);
		ports[i] = rte_be_to_cpu_16(udp->dst_port);
		rte_pktmbuf_free(out[i]);
	}
	return n;
}

static void
test_KA_8_expires_0_and_replaced_binding_leave_at_once(void **state)
{
	struct kt *k = *state;
	struct fx *f = k->f;
	size_t qsz = rte_rcu_qsbr_get_memsize(RTE_MAX_LCORE);
	struct rte_rcu_qsbr *qs = rte_zmalloc(NULL, qsz, RTE_CACHE_LINE_SIZE);
	struct sf_params *p = &f->snap->params;
	struct registrar_shared *sh;
	struct location *loc;
	uint16_t ports[16];
	uint64_t t;

	assert_non_null(qs);
	assert_int_equal(rte_rcu_qsbr_init(qs, RTE_MAX_LCORE), 0);
	f->w->qsbr = qs;
	sh = registrar_shared_create(1);
	assert_non_null(sh);
	assert_int_equal(registrar_worker_init(f->w, sh, 16), 0);
	loc = f->w->reg->loc;
	assert_int_equal(ka_worker_init(f->w, location_capacity(loc)), 0);
	assert_true(neigh_learn(f->neigh, fx_be32(FX_PEER_IP), &f->peer_mac));
	memcpy(p->ka_message, "HELLO", 5);
	p->ka_message_len = 5;
	p->ka_period_s = 10;
	p->ka_send_interval_ms = 500;
	p->ka_send_one_time = 1; /* one keep-alive per tick: the list order shows */
	ka_worker_configure(f->w);

	kt_put(loc, "a", 40001, true, 1000);
	kt_put(loc, "b", 40002, true, 1000);
	kt_put(loc, "c", 40003, true, 1000);
	kt_put(loc, "d", 40005, true, 1000);
	kt_put(loc, "n", 40009, false, 1000); /* non-NAT: never scheduled (KA-3) */
	assert_int_equal(kt_worker_poll(k, 0, ports, 1), 1);
	assert_int_equal(ports[0], 40001);
	/* Before tick 1: b unregisters (Expires: 0), c re-registers from another port. */
	assert_int_equal(location_remove(loc, (struct sf_span){(const uint8_t *)"b", 1}), 0);
	kt_put(loc, "c", 40004, true, 1000);
	for (t = 1; t < 10000; t++) {
		unsigned int n = kt_worker_poll(k, t, ports, 1);

		if (t == 500) {
			assert_int_equal(n, 1);
			assert_int_equal(ports[0], 40005); /* d: b and the old c are gone */
		} else if (t == 1000) {
			assert_int_equal(n, 1);
			assert_int_equal(ports[0], 40004); /* the replacement, at the tail */
		} else {
			assert_int_equal(n, 0); /* nothing to 40002/40003, nothing extra */
		}
	}
	/* Next cycles: a, d and the replacement only, in that order. */
	for (t = 10000; t < 30000; t += 250) {
		unsigned int n = kt_worker_poll(k, t, ports, 1);

		if (t % 10000 == 0)
			assert_true(n == 1 && ports[0] == 40001);
		else if (t % 10000 == 500)
			assert_true(n == 1 && ports[0] == 40005);
		else if (t % 10000 == 1000)
			assert_true(n == 1 && ports[0] == 40004);
		else
			assert_int_equal(n, 0);
	}
	ka_worker_fini(f->w);
	registrar_worker_fini(f->w);
	registrar_shared_destroy(sh);
	f->w->qsbr = NULL;
	rte_free(qs);
	fx_assert_no_leak(f);
}

/* ka_tx_more(): true only when a poll stopped at KA_TX_POLL_MAX with ids still due now. */
static void
test_poll_bound_and_more(void **state)
{
	struct kt *k = *state;
	struct ka_sched *s = ka_sched_create(600, 7);
	const uint64_t *c = ka_tx_counters(k->tx);
	uint32_t i;

	assert_non_null(s);
	kt_configure(k, "HELLO", 5);
	assert_int_equal(ka_tx_configure(k->tx, s, &k->f->snap->params, KA_SCHED_SEED_WALK, 0, 1),
			 0);
	for (i = 0; i < 600; i++) /* ids >= KT_BINDINGS are unknown to the lookup: skipped */
		assert_int_equal(ka_sched_add(s, i), 0);
	ka_tx_poll(k->tx, s, 0);
	assert_true(ka_tx_more(k->tx)); /* 256 handed out, 344 still due at this ms */
	assert_int_equal(c[KA_TX_SKIPPED_GONE], KA_TX_POLL_MAX);
	ka_tx_poll(k->tx, s, 0);
	assert_true(ka_tx_more(k->tx));
	ka_tx_poll(k->tx, s, 0);
	assert_false(ka_tx_more(k->tx)); /* the last 88: the list is done */
	assert_int_equal(c[KA_TX_SKIPPED_GONE], 600);
	ka_tx_poll(k->tx, s, 1);
	assert_false(ka_tx_more(k->tx));
	assert_int_equal(c[KA_TX_SKIPPED_GONE], 600);
	assert_int_equal(fx_tx_discard(k->f), 0);
	ka_sched_free(s);
	fx_assert_no_leak(k->f);
}

static void
test_pool_too_small_is_refused(void **state)
{
	struct kt *k = *state;
	struct rte_mempool *tiny = rte_pktmbuf_pool_create("kt_tiny", 63, 0, 0, 256, SOCKET_ID_ANY);

	assert_non_null(tiny);
	assert_null(ka_tx_create(tiny, kt_lookup, &k->table, SOCKET_ID_ANY));
	assert_null(ka_tx_create(k->f->pool, NULL, NULL, SOCKET_ID_ANY));
	assert_int_equal(ka_tx_set_port(k->tx, SF_MAX_PORTS, 0, &k->f->our_mac, k->f->neigh, 0),
			 -EINVAL);
	rte_mempool_free(tiny);
}

static int
kt_group_setup(void **state)
{
	(void)state;
	return fx_eal_init();
}

#define KT_TEST(fn) cmocka_unit_test_setup_teardown(fn, kt_setup, kt_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    KT_TEST(test_KA_1_frame_from_registered_address_to_public_source),
	    KT_TEST(test_KA_4_payload_is_exactly_the_message_for_every_binding),
	    KT_TEST(test_KA_4_longest_message_odd_length),
	    KT_TEST(test_unknown_neighbour_is_skipped_and_counted_without_arp),
	    KT_TEST(test_binding_gone_at_lookup_is_skipped),
	    KT_TEST(test_KA_2_empty_message_sends_nothing),
	    KT_TEST(test_KA_13_new_message_waits_for_next_cycle_start),
	    KT_TEST(test_KA_8_expires_0_and_replaced_binding_leave_at_once),
	    KT_TEST(test_poll_bound_and_more),
	    KT_TEST(test_pool_too_small_is_refused),
	};

	return cmocka_run_group_tests(tests, kt_group_setup, NULL);
}
