/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The lock-free neighbour table: what it learns and refuses, slot tags that keep colliding
 * hosts apart, and that concurrent learners never leave a torn entry for a reader.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>

#include "dataplane/net/neigh.h"
#include "tests/unit/eal_fixture.h"

#define NET_OTHER RTE_IPV4(10u, 99, 0, 21)
#define NEIGH_RACE_READS 2000000 /* lookups while both writers are storing */

/* The table is plain memory and needs no EAL; 512 KiB is too big for the stack. */
static int
neigh_setup(void **state)
{
	struct neigh_table *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return -1;
	neigh_init(t, fx_be32(FX_OUR_IP), FX_PREFIX_LEN);
	*state = t;
	return 0;
}

static int
neigh_teardown(void **state)
{
	free(*state);
	return 0;
}

static bool
neigh_has(const struct neigh_table *t, uint32_t ip, const struct rte_ether_addr *want)
{
	struct rte_ether_addr mac;

	if (!neigh_lookup(t, fx_be32(ip), &mac))
		return false;
	return want == NULL || rte_is_same_ether_addr(&mac, want);
}

static void
test_neigh_learn_then_lookup(void **state)
{
	struct neigh_table *t = *state;
	struct rte_ether_addr mac, other;

	fx_mac(&mac, 7);
	fx_mac(&other, 8);
	assert_false(neigh_has(t, FX_PEER_IP, NULL));
	assert_true(neigh_learn(t, fx_be32(FX_PEER_IP), &mac));
	assert_true(neigh_has(t, FX_PEER_IP, &mac));
	assert_false(neigh_has(t, FX_PEER_IP, &other));
	assert_false(neigh_has(t, RTE_IPV4(10u, 99, 0, 8), NULL));
}

static void
test_neigh_off_link_ignored(void **state)
{
	struct neigh_table *t = *state;
	struct rte_ether_addr mac;

	fx_mac(&mac, 7);
	assert_false(neigh_is_onlink(t, fx_be32(RTE_IPV4(10u, 98, 0, 7))));
	assert_true(neigh_is_onlink(t, fx_be32(FX_PEER_IP)));
	assert_false(neigh_learn(t, fx_be32(RTE_IPV4(10u, 98, 0, 7)), &mac));
	assert_false(neigh_has(t, RTE_IPV4(10u, 98, 0, 7), NULL));
	/* Same host bits as an on-link address must not be found either. */
	assert_true(neigh_learn(t, fx_be32(FX_PEER_IP), &mac));
	assert_false(neigh_has(t, RTE_IPV4(10u, 98, 0, 7), NULL));
}

static void
test_neigh_network_and_broadcast_ignored(void **state)
{
	struct neigh_table *t = *state;
	struct rte_ether_addr mac;

	fx_mac(&mac, 7);
	assert_false(neigh_learn(t, fx_be32(RTE_IPV4(10u, 99, 0, 0)), &mac));
	assert_false(neigh_learn(t, fx_be32(RTE_IPV4(10u, 99, 0, 255)), &mac));
	assert_false(neigh_has(t, RTE_IPV4(10u, 99, 0, 0), NULL));
	assert_false(neigh_has(t, RTE_IPV4(10u, 99, 0, 255), NULL));
}

static void
test_neigh_multicast_and_zero_mac_ignored(void **state)
{
	struct neigh_table *t = *state;
	struct rte_ether_addr mcast, zero, bcast;

	fx_mac(&mcast, 7);
	mcast.addr_bytes[0] = 0x01; /* group bit */
	memset(&zero, 0, sizeof(zero));
	memset(&bcast, 0xff, sizeof(bcast));
	assert_false(neigh_learn(t, fx_be32(FX_PEER_IP), &mcast));
	assert_false(neigh_learn(t, fx_be32(FX_PEER_IP), &zero));
	assert_false(neigh_learn(t, fx_be32(FX_PEER_IP), &bcast));
	assert_false(neigh_has(t, FX_PEER_IP, NULL));
}

static void
test_neigh_relearn_writes_only_on_change(void **state)
{
	struct neigh_table *t = *state;
	struct rte_ether_addr mac, other;

	fx_mac(&mac, 7);
	fx_mac(&other, 8);
	assert_true(neigh_learn(t, fx_be32(FX_PEER_IP), &mac));
	assert_false(neigh_learn(t, fx_be32(FX_PEER_IP), &mac));
	assert_true(neigh_has(t, FX_PEER_IP, &mac));
	assert_true(neigh_learn(t, fx_be32(FX_PEER_IP), &other));
	assert_true(neigh_has(t, FX_PEER_IP, &other));
}

/* ARP-8: a pinned address (static gateway_mac) is never relearned; pending requests expire. */
static void
test_ARP_8_neigh_pin_and_pending(void **state)
{
	struct neigh_table *t = *state;
	struct rte_ether_addr mac, other;
	uint64_t unit = UINT64_C(1) << NEIGH_PENDING_SHIFT, now = 1000 * unit;

	fx_mac(&mac, 7);
	fx_mac(&other, 8);
	neigh_pin(t, fx_be32(FX_GW_IP), &mac);
	assert_false(neigh_learn(t, fx_be32(FX_GW_IP), &other));
	assert_true(neigh_has(t, FX_GW_IP, &mac));
	assert_true(neigh_learn(t, fx_be32(FX_PEER_IP), &other)); /* others still learn */
	assert_false(neigh_awaited(t, fx_be32(FX_PEER_IP), now));
	neigh_asked(t, fx_be32(FX_PEER_IP), now + 10 * unit);
	assert_true(neigh_awaited(t, fx_be32(FX_PEER_IP), now));
	assert_true(neigh_awaited(t, fx_be32(FX_PEER_IP), now + 10 * unit));
	assert_false(neigh_awaited(t, fx_be32(FX_PEER_IP), now + 11 * unit));
	assert_false(neigh_awaited(t, fx_be32(NET_OTHER), now));
}

/* In a /8 the host part has 24 bits: 10.0.1.5 and 10.1.1.5 share the low 16 (0x0105). */
static void
test_neigh_slot_collision_does_not_alias(void **state)
{
	const uint32_t a = RTE_IPV4(10u, 0, 1, 5), b = RTE_IPV4(10u, 1, 1, 5);
	struct neigh_table *t = *state;
	struct rte_ether_addr mac_a, mac_b;

	assert_int_equal(a & 0xffff, b & 0xffff);
	neigh_init(t, fx_be32(RTE_IPV4(10u, 0, 0, 1)), 8);
	fx_mac(&mac_a, 0xa);
	fx_mac(&mac_b, 0xb);
	assert_true(neigh_learn(t, fx_be32(a), &mac_a));
	assert_true(neigh_has(t, a, &mac_a));
	assert_false(neigh_has(t, b, NULL));
	/* b takes the shared slot: a is forgotten, never answered with b's MAC. */
	assert_true(neigh_learn(t, fx_be32(b), &mac_b));
	assert_true(neigh_has(t, b, &mac_b));
	assert_false(neigh_has(t, a, NULL));
	assert_false(neigh_has(t, RTE_IPV4(10u, 255, 1, 5), NULL));
}

/* For a /16 the table is a direct map: every host fits at once. */
static void
test_neigh_prefix_16_holds_every_host(void **state)
{
	struct neigh_table *t = *state;
	struct rte_ether_addr mac;
	uint32_t host;

	neigh_init(t, fx_be32(RTE_IPV4(172u, 16, 0, 1)), 16);
	for (host = 1; host < 0xffff; host++) {
		fx_mac(&mac, (uint16_t)host);
		assert_true(neigh_learn(t, fx_be32(RTE_IPV4(172u, 16, 0, 0) | host), &mac));
	}
	for (host = 1; host < 0xffff; host++) {
		fx_mac(&mac, (uint16_t)host);
		assert_true(neigh_has(t, RTE_IPV4(172u, 16, 0, 0) | host, &mac));
	}
}

struct neigh_writer {
	struct neigh_table *t;
	struct rte_ether_addr mac; /* what this thread keeps writing */
	struct rte_ether_addr alt; /* what it writes in between, so every store changes */
	bool *stop;                /* set by the reader when it is done */
	unsigned int *n_started;   /* writers that have begun storing */
	unsigned long n_changes;   /* stores that changed the entry */
};

static void *
neigh_writer_main(void *arg)
{
	struct neigh_writer *wr = arg;
	unsigned long i;

	__atomic_fetch_add(wr->n_started, 1, __ATOMIC_RELEASE);
	for (i = 0; !__atomic_load_n(wr->stop, __ATOMIC_RELAXED); i++)
		if (neigh_learn(wr->t, fx_be32(FX_PEER_IP), (i & 1) ? &wr->alt : &wr->mac))
			wr->n_changes++;
	return NULL;
}

/* Fill @mac with @byte in every octet but the first, which stays a unicast local one. */
static void
neigh_fill_mac(struct rte_ether_addr *mac, uint8_t first, uint8_t byte)
{
	memset(mac, byte, sizeof(*mac));
	mac->addr_bytes[0] = first;
}

static bool
neigh_is_one_of(const struct rte_ether_addr *mac, const struct neigh_writer *wr, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (rte_is_same_ether_addr(mac, &wr[i].mac) ||
		    rte_is_same_ether_addr(mac, &wr[i].alt))
			return true;
	return false;
}

/*
 * Look the contended entry up NEIGH_RACE_READS times; returns how many lookups hit and counts
 * in *n_torn the hits that were not a MAC anyone wrote (asserted after the writers stopped).
 */
static unsigned long
neigh_race_read(const struct neigh_table *t, const struct neigh_writer *wr, unsigned long *n_torn)
{
	struct rte_ether_addr mac;
	unsigned long i, hits = 0;

	for (i = 0; i < NEIGH_RACE_READS; i++) {
		if (!neigh_lookup(t, fx_be32(FX_PEER_IP), &mac))
			continue;
		if (!neigh_is_one_of(&mac, wr, 2))
			(*n_torn)++;
		hits++;
	}
	return hits;
}

static void
test_neigh_concurrent_learners_never_tear(void **state)
{
	struct neigh_table *t = *state;
	struct neigh_writer wr[2];
	unsigned int n_started = 0, i;
	unsigned long hits, n_torn = 0;
	bool stop = false;
	pthread_t th[2];

	memset(wr, 0, sizeof(wr));
	neigh_fill_mac(&wr[0].mac, 0x02, 0xaa);
	neigh_fill_mac(&wr[0].alt, 0x06, 0x33);
	neigh_fill_mac(&wr[1].mac, 0x0a, 0x55);
	neigh_fill_mac(&wr[1].alt, 0x0e, 0xcc);
	for (i = 0; i < 2; i++) {
		wr[i].t = t;
		wr[i].stop = &stop;
		wr[i].n_started = &n_started;
		assert_int_equal(pthread_create(&th[i], NULL, neigh_writer_main, &wr[i]), 0);
	}
	while (__atomic_load_n(&n_started, __ATOMIC_ACQUIRE) < 2)
		;
	hits = neigh_race_read(t, wr, &n_torn);
	__atomic_store_n(&stop, true, __ATOMIC_RELAXED);
	for (i = 0; i < 2; i++)
		assert_int_equal(pthread_join(th[i], NULL), 0);
	assert_int_equal(n_torn, 0);
	assert_true(hits > 0);
	assert_true(wr[0].n_changes > 0 && wr[1].n_changes > 0);
	assert_int_equal(neigh_race_read(t, wr, &n_torn), NEIGH_RACE_READS);
	assert_int_equal(n_torn, 0);
	assert_false(neigh_has(t, RTE_IPV4(10u, 99, 0, 8), NULL));
	print_message("%lu lookups hit while %lu + %lu changing stores ran; none torn\n", hits,
		      wr[0].n_changes, wr[1].n_changes);
}

#define NEIGH_TEST(fn) cmocka_unit_test_setup_teardown(fn, neigh_setup, neigh_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		NEIGH_TEST(test_neigh_learn_then_lookup),
		NEIGH_TEST(test_neigh_off_link_ignored),
		NEIGH_TEST(test_neigh_network_and_broadcast_ignored),
		NEIGH_TEST(test_neigh_multicast_and_zero_mac_ignored),
		NEIGH_TEST(test_neigh_relearn_writes_only_on_change),
		NEIGH_TEST(test_ARP_8_neigh_pin_and_pending),
		NEIGH_TEST(test_neigh_slot_collision_does_not_alias),
		NEIGH_TEST(test_neigh_prefix_16_holds_every_host),
		NEIGH_TEST(test_neigh_concurrent_learners_never_tear),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
