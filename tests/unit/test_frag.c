/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv4 fragments both ways: reassembly of datagrams to the SIP port (in order, out of order,
 * overlapping, timed out, too many pieces) with exact verdicts and no leaked mbuf, and
 * fragmentation of a datagram we send above the MTU, checked on the wire and reassembled again.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <rte_cycles.h>
#include <rte_ip.h>
#include <rte_ip_frag.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#include "dataplane/net/net.h"
#include "dataplane/net/net_worker.h"
#include "tests/unit/eal_fixture.h"

#define FRAG_DGRAM_MAX 4096     /* bytes of IP payload a test datagram may have */
#define FRAG_ID 0x5151
#define FRAG_TIMEOUT_MS 20      /* the timeout test's reassembly timeout */
#define FRAG_SEND_LEN 4000      /* UDP payload udp_send() must fragment */
#define FRAG_PIECE 1480         /* IP payload per fragment at MTU 1500 */

/* A whole UDP datagram from the peer to our SIP port, before it is cut into fragments. */
struct frag_dgram {
	struct rte_ipv4_hdr ip;      /* as the unfragmented datagram's header */
	uint16_t l4_len;             /* UDP header + payload */
	uint8_t l4[FRAG_DGRAM_MAX];  /* UDP header + payload */
};

static void
frag_dgram_init(struct frag_dgram *d, uint16_t l4_len)
{
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)d->l4;

	assert_true(l4_len <= sizeof(d->l4) && l4_len >= sizeof(*udp));
	memset(&d->ip, 0, sizeof(d->ip));
	d->ip.version_ihl = RTE_IPV4_VHL_DEF;
	d->ip.total_length = rte_cpu_to_be_16((uint16_t)(sizeof(d->ip) + l4_len));
	d->ip.packet_id = rte_cpu_to_be_16(FRAG_ID);
	d->ip.time_to_live = 64;
	d->ip.next_proto_id = IPPROTO_UDP;
	d->ip.src_addr = fx_be32(FX_PEER_IP);
	d->ip.dst_addr = fx_be32(FX_OUR_IP);
	d->l4_len = l4_len;
	udp->src_port = rte_cpu_to_be_16(FX_PEER_PORT);
	udp->dst_port = rte_cpu_to_be_16(FX_SIP_PORT);
	udp->dgram_len = rte_cpu_to_be_16(l4_len);
	udp->dgram_cksum = 0;
	fx_pattern(d->l4 + sizeof(*udp), l4_len - sizeof(*udp), 11);
	udp->dgram_cksum = rte_ipv4_udptcp_cksum(&d->ip, udp);
}

/* One fragment frame: @len bytes of @d's IP payload from @ofs (a multiple of 8). */
static struct rte_mbuf *
frag_piece(struct fx *f, const struct frag_dgram *d, uint16_t ofs, uint16_t len, bool more)
{
	struct rte_mbuf *m;
	struct rte_ipv4_hdr *ip;

	assert_int_equal(ofs % 8, 0);
	assert_true(ofs + len <= d->l4_len);
	m = fx_ipv4_frame(f, FX_PEER_IP, FX_OUR_IP, IPPROTO_UDP, d->l4 + ofs, len);
	ip = fx_ip(m);
	ip->packet_id = d->ip.packet_id;
	ip->fragment_offset = rte_cpu_to_be_16((uint16_t)((ofs / 8) |
							  (more ? RTE_IPV4_HDR_MF_FLAG : 0)));
	fx_ip_recksum(m);
	return m;
}

/* Free the death row as the worker loop does after each burst; returns how many it held. */
static uint32_t
frag_reap(struct fx *f)
{
	uint32_t n = f->w->net->death_row.cnt;

	rte_ip_frag_free_death_row(&f->w->net->death_row, 0);
	return n;
}

/* 3000 bytes of IP payload in three pieces: [0,1480) [1480,2960) [2960,3000). */
static enum verdict
frag_send_piece_3000(struct fx *f, const struct frag_dgram *d, unsigned int i)
{
	static const uint16_t ofs[] = {0, FRAG_PIECE, 2 * FRAG_PIECE};
	uint16_t end = i == 2 ? d->l4_len : (uint16_t)(ofs[i] + FRAG_PIECE);

	return fx_rx(f, frag_piece(f, d, ofs[i], (uint16_t)(end - ofs[i]), i != 2));
}

static void
frag_expect_order(struct fx *f, const unsigned int order[3])
{
	struct frag_dgram *d = malloc(sizeof(*d));

	assert_non_null(d);
	frag_dgram_init(d, 3000);
	assert_int_equal(frag_send_piece_3000(f, d, order[0]), VERDICT_FRAG_HELD);
	assert_int_equal(frag_send_piece_3000(f, d, order[1]), VERDICT_FRAG_HELD);
	assert_int_equal(frag_send_piece_3000(f, d, order[2]), VERDICT_SIP_DROP_MALFORMED);
	free(d);
	assert_int_equal(f->w->verdicts[VERDICT_SIP_DROP_MALFORMED], 1);
	assert_int_equal(f->w->verdicts[VERDICT_FRAG_HELD], 2);
	assert_int_equal(f->w->verdicts[VERDICT_DROP_FRAG], 0);
	assert_int_equal(frag_reap(f), 0);
	assert_int_equal(fx_tx_discard(f), 0);
	fx_assert_no_leak(f);
}

static void
test_frag_in_order_reassembles_once(void **state)
{
	static const unsigned int order[3] = {0, 1, 2};

	frag_expect_order(*state, order);
}

static void
test_frag_last_first_reassembles_once(void **state)
{
	static const unsigned int order[3] = {2, 1, 0};

	frag_expect_order(*state, order);
}

static void
test_frag_middle_first_reassembles_once(void **state)
{
	static const unsigned int order[3] = {1, 2, 0};

	frag_expect_order(*state, order);
}

/*
 * rte_ip_frag does not look for overlaps; it sums fragment lengths. Three pieces that overlap
 * by 480 bytes sum past the total once the last one arrives: all three are refused together.
 */
static void
test_frag_overlap_is_refused_when_sizes_exceed_total(void **state)
{
	struct fx *f = *state;
	struct frag_dgram *d = malloc(sizeof(*d));

	assert_non_null(d);
	frag_dgram_init(d, 3000);
	assert_int_equal(fx_rx(f, frag_piece(f, d, 0, 1480, true)), VERDICT_FRAG_HELD);
	assert_int_equal(fx_rx(f, frag_piece(f, d, 1000, 1480, true)), VERDICT_FRAG_HELD);
	assert_int_equal(fx_rx(f, frag_piece(f, d, 2480, 520, false)), VERDICT_DROP_FRAG);
	free(d);
	assert_int_equal(frag_reap(f), 3);
	assert_int_equal(f->w->verdicts[VERDICT_SIP_DROP_MALFORMED], 0);
	assert_int_equal(fx_tx_discard(f), 0);
	fx_assert_no_leak(f);
}

/*
 * An 8-byte overlap plus an 8-byte hole: the lengths add up to the total, so rte_ip_frag tries
 * to chain the pieces, finds the hole, and refuses all three; nothing reaches SIP.
 */
static void
test_frag_overlap_with_hole_is_refused(void **state)
{
	struct fx *f = *state;
	struct frag_dgram *d = malloc(sizeof(*d));

	assert_non_null(d);
	frag_dgram_init(d, 3000);
	assert_int_equal(fx_rx(f, frag_piece(f, d, 0, 1480, true)), VERDICT_FRAG_HELD);
	assert_int_equal(fx_rx(f, frag_piece(f, d, 1472, 1480, true)), VERDICT_FRAG_HELD);
	assert_int_equal(fx_rx(f, frag_piece(f, d, 2960, 40, false)), VERDICT_DROP_FRAG);
	free(d);
	assert_int_equal(frag_reap(f), 3);
	assert_int_equal(f->w->verdicts[VERDICT_SIP_DROP_MALFORMED], 0);
	fx_assert_no_leak(f);
}

/* A duplicate of the first piece invalidates the whole datagram. */
static void
test_frag_duplicate_first_is_refused(void **state)
{
	struct fx *f = *state;
	struct frag_dgram *d = malloc(sizeof(*d));

	assert_non_null(d);
	frag_dgram_init(d, 3000);
	assert_int_equal(frag_send_piece_3000(f, d, 0), VERDICT_FRAG_HELD);
	assert_int_equal(frag_send_piece_3000(f, d, 0), VERDICT_DROP_FRAG);
	assert_int_equal(frag_reap(f), 2);
	/* The rest then starts a new, incomplete datagram. */
	assert_int_equal(frag_send_piece_3000(f, d, 1), VERDICT_FRAG_HELD);
	assert_int_equal(frag_send_piece_3000(f, d, 2), VERDICT_FRAG_HELD);
	free(d);
	assert_int_equal(f->w->verdicts[VERDICT_SIP_DROP_MALFORMED], 0);
	fx_assert_no_leak(f);
}

static int
frag_setup_short_timeout(void **state)
{
	*state = fx_create(0, 1, FRAG_TIMEOUT_MS);
	return *state == NULL ? -1 : 0;
}

static void
test_frag_timeout_discards_first_piece(void **state)
{
	struct fx *f = *state;
	struct frag_dgram *d = malloc(sizeof(*d));

	assert_non_null(d);
	frag_dgram_init(d, 3000);
	assert_int_equal(frag_send_piece_3000(f, d, 0), VERDICT_FRAG_HELD);
	rte_delay_ms(FRAG_TIMEOUT_MS + 10);
	frag_send_piece_3000(f, d, 1);
	assert_int_equal(frag_reap(f), 1); /* the timed-out first piece */
	assert_int_equal(frag_send_piece_3000(f, d, 2), VERDICT_FRAG_HELD);
	free(d);
	assert_int_equal(f->w->verdicts[VERDICT_SIP_DROP_MALFORMED], 0);
	assert_int_equal(fx_tx_discard(f), 0);
	fx_assert_no_leak(f);
}

/*
 * A piece that arrives for a timed-out entry replaces the old pieces and is KEPT (the datagram
 * even completes with it below), but frag_reassemble() reads "death row grew" as "this piece
 * was refused" and reports VERDICT_DROP_FRAG.
 */
static void
test_regression_frag_stale_entry_reuse_reported_as_drop(void **state)
{
	struct fx *f = *state;
	struct frag_dgram *d = malloc(sizeof(*d));
	enum verdict v;

	assert_non_null(d);
	frag_dgram_init(d, 3000);
	assert_int_equal(frag_send_piece_3000(f, d, 0), VERDICT_FRAG_HELD);
	rte_delay_ms(FRAG_TIMEOUT_MS + 10);
	v = frag_send_piece_3000(f, d, 1);
	frag_reap(f);
	assert_int_equal(frag_send_piece_3000(f, d, 2), VERDICT_FRAG_HELD);
	assert_int_equal(frag_send_piece_3000(f, d, 0), VERDICT_SIP_DROP_MALFORMED);
	free(d);
	assert_int_equal(v, VERDICT_FRAG_HELD);
	fx_assert_no_leak(f);
}

/*
 * rte_ip_frag keeps at most RTE_LIBRTE_IP_FRAG_MAX_FRAG pieces (first, last and the middle
 * ones). A datagram cut into 8-byte pieces overflows on the piece that needs a 9th slot: every
 * kept piece and that one go to the death row together.
 */
static void
test_frag_too_many_pieces_are_refused(void **state)
{
	const uint16_t n = RTE_LIBRTE_IP_FRAG_MAX_FRAG + 1;
	struct fx *f = *state;
	struct frag_dgram *d = malloc(sizeof(*d));
	uint16_t i;

	assert_non_null(d);
	frag_dgram_init(d, (uint16_t)(8 * n));
	/* The first piece plus MAX_FRAG - 2 middle ones fit. */
	for (i = 0; i < RTE_LIBRTE_IP_FRAG_MAX_FRAG - 1; i++)
		assert_int_equal(fx_rx(f, frag_piece(f, d, (uint16_t)(8 * i), 8, true)),
				 VERDICT_FRAG_HELD);
	assert_int_equal(fx_rx(f, frag_piece(f, d, (uint16_t)(8 * i), 8, true)),
			 VERDICT_DROP_FRAG);
	assert_int_equal(frag_reap(f), RTE_LIBRTE_IP_FRAG_MAX_FRAG);
	/* The last piece starts a fresh entry that can never complete. */
	assert_int_equal(fx_rx(f, frag_piece(f, d, (uint16_t)(8 * (n - 1)), 8, false)),
			 VERDICT_FRAG_HELD);
	free(d);
	assert_int_equal(f->w->verdicts[VERDICT_SIP_DROP_MALFORMED], 0);
	assert_int_equal(f->w->verdicts[VERDICT_DROP_FRAG], 1);
	fx_assert_no_leak(f);
}

/* udp_send() FRAG_SEND_LEN pattern bytes to the peer's MAC; the payload is in a big buffer. */
static void
frag_udp_send_big(struct fx *f)
{
	struct rte_mbuf *m = fx_alloc(f->big_pool);

	fx_pattern(fx_append(m, FRAG_SEND_LEN), FRAG_SEND_LEN, 21);
	assert_int_equal(udp_send(f->w, f->port, m, fx_be32(FX_OUR_IP),
				  rte_cpu_to_be_16(FX_SIP_PORT), fx_be32(FX_PEER_IP),
				  rte_cpu_to_be_16(FX_SIP_PORT), &f->peer_mac),
			 0);
}

/* Check fragment @i of 3 on the wire and copy its payload into @flat at its offset. */
static void
frag_check_piece(struct fx *f, struct rte_mbuf *m, unsigned int i, uint8_t *flat,
		 uint16_t *packet_id)
{
	const uint16_t l4_len = sizeof(struct rte_udp_hdr) + FRAG_SEND_LEN;
	struct rte_ipv4_hdr *ip = fx_assert_ipv4_out(f, m, &f->peer_mac);
	uint16_t total = rte_be_to_cpu_16(ip->total_length);
	uint16_t fo = rte_be_to_cpu_16(ip->fragment_offset);
	uint16_t ofs = (uint16_t)((fo & RTE_IPV4_HDR_OFFSET_MASK) * 8);
	uint16_t len = (uint16_t)(total - sizeof(*ip));

	assert_true(total <= FX_MTU);
	assert_int_equal(ofs, i * FRAG_PIECE);
	assert_int_equal(len, i < 2 ? FRAG_PIECE : l4_len - 2 * FRAG_PIECE);
	assert_int_equal((fo & RTE_IPV4_HDR_MF_FLAG) != 0, i < 2);
	assert_int_equal(fo & RTE_IPV4_HDR_DF_FLAG, 0);
	assert_int_equal(ip->src_addr, fx_be32(FX_OUR_IP));
	assert_int_equal(ip->dst_addr, fx_be32(FX_PEER_IP));
	assert_int_equal(ip->next_proto_id, IPPROTO_UDP);
	if (i == 0)
		*packet_id = ip->packet_id;
	assert_int_equal(ip->packet_id, *packet_id);
	fx_read(m, sizeof(struct rte_ether_hdr) + sizeof(*ip), len, flat + ofs);
}

/* The datagram put back together from @flat: UDP header, checksum and payload as sent. */
static void
frag_check_flat(const uint8_t *flat)
{
	const uint16_t l4_len = sizeof(struct rte_udp_hdr) + FRAG_SEND_LEN;
	const struct rte_udp_hdr *udp = (const struct rte_udp_hdr *)flat;
	struct rte_ipv4_hdr ip;
	uint8_t *want = malloc(FRAG_SEND_LEN);

	assert_non_null(want);
	memset(&ip, 0, sizeof(ip));
	ip.version_ihl = RTE_IPV4_VHL_DEF;
	ip.total_length = rte_cpu_to_be_16((uint16_t)(sizeof(ip) + l4_len));
	ip.next_proto_id = IPPROTO_UDP;
	ip.src_addr = fx_be32(FX_OUR_IP);
	ip.dst_addr = fx_be32(FX_PEER_IP);
	assert_int_equal(rte_be_to_cpu_16(udp->dgram_len), l4_len);
	assert_int_equal(rte_be_to_cpu_16(udp->src_port), FX_SIP_PORT);
	assert_int_not_equal(udp->dgram_cksum, 0);
	assert_int_equal(rte_ipv4_udptcp_cksum_verify(&ip, udp), 0);
	fx_pattern(want, FRAG_SEND_LEN, 21);
	assert_memory_equal(udp + 1, want, FRAG_SEND_LEN);
	free(want);
}

/*
 * A sent fragment turned around as a NIC would deliver it to us (one contiguous segment, peer
 * to us). Swapping source and destination keeps the UDP checksum valid.
 */
static struct rte_mbuf *
frag_turn_around(struct fx *f, const struct rte_mbuf *sent)
{
	uint16_t len = (uint16_t)rte_pktmbuf_pkt_len(sent);
	struct rte_mbuf *m = fx_alloc(f->pool);
	struct rte_ether_hdr *eth;
	struct rte_ipv4_hdr *ip;
	uint32_t tmp;

	fx_read(sent, 0, len, fx_append(m, len));
	eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	rte_ether_addr_copy(&f->our_mac, &eth->dst_addr);
	rte_ether_addr_copy(&f->peer_mac, &eth->src_addr);
	ip = fx_ip(m);
	tmp = ip->src_addr;
	ip->src_addr = ip->dst_addr;
	ip->dst_addr = tmp;
	fx_ip_recksum(m);
	return m;
}

static void
test_frag_udp_send_fragments_to_mtu_and_reassembles(void **state)
{
	struct fx *f = *state;
	struct rte_mbuf *out[8];
	uint16_t packet_id = 0;
	uint8_t *flat = calloc(1, FRAG_DGRAM_MAX + 64);
	unsigned int i, n;

	assert_non_null(flat);
	frag_udp_send_big(f);
	assert_int_equal(f->w->counters[COUNTER_TX_FRAGMENTS], 3);
	n = fx_tx(f, out, RTE_DIM(out));
	assert_int_equal(n, 3);
	for (i = 0; i < n; i++)
		frag_check_piece(f, out[i], i, flat, &packet_id);
	frag_check_flat(flat);
	free(flat);
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = frag_turn_around(f, out[i]);

		rte_pktmbuf_free(out[i]);
		assert_int_equal(fx_rx(f, m), i < 2 ? VERDICT_FRAG_HELD : VERDICT_SIP_DROP_MALFORMED);
	}
	assert_int_equal(f->w->verdicts[VERDICT_SIP_DROP_MALFORMED], 1);
	assert_int_equal(frag_reap(f), 0);
	fx_assert_no_leak(f);
}

/*
 * Issue 12 defect 1 (fragment flood empties the mbuf pool). The production table size
 * (runtime.frag_max_flows = 4096 per worker, 16 per bucket, as ctrlplane/ports.c builds it),
 * a timeout long enough that nothing expires during the flood (the worst case), and
 * FLOOD_SOURCES sources each sending FLOOD_PIECES fragments of a datagram that never
 * completes. Before the fix the tables held the received mbufs themselves: a 1,023-mbuf pool
 * was empty after ~1,000 fragments.
 */
#define FLOOD_SOURCES 4096
#define FLOOD_PIECES 7           /* offsets 0..48, MF set: the datagram never completes */
#define FLOOD_TIMEOUT_MS 10000
#define FLOOD_POOL_FLOOR (FX_POOL_SIZE - SF_BURST) /* at most one burst in flight */

static void
flood_production_table(struct fx *f)
{
	uint64_t ms = rte_get_tsc_hz() / 1000;

	rte_ip_frag_table_destroy(f->w->net->frag_tbl);
	f->w->net->frag_tbl = rte_ip_frag_table_create(4096 / 16 + 1, 16, 4096, ms * FLOOD_TIMEOUT_MS,
						  0);
	assert_non_null(f->w->net->frag_tbl);
	f->w->net->frag_window_cycles = ms * FLOOD_TIMEOUT_MS;
}

/* An 8-byte fragment at @ofs of datagram @id from @src (host order), MF set. */
static struct rte_mbuf *
flood_piece(struct fx *f, uint32_t src, uint16_t id, uint16_t ofs)
{
	static const uint8_t junk[8] = "fragfrag";
	struct rte_mbuf *m = fx_ipv4_frame(f, src, FX_OUR_IP, IPPROTO_UDP, junk, sizeof(junk));
	struct rte_ipv4_hdr *ip = fx_ip(m);

	ip->packet_id = rte_cpu_to_be_16(id);
	ip->fragment_offset = rte_cpu_to_be_16((uint16_t)((ofs / 8) | RTE_IPV4_HDR_MF_FLAG));
	fx_ip_recksum(m);
	return m;
}

static void
test_HARDEN_1_fragment_flood_pool_floor(void **state)
{
	struct fx *f = *state;
	unsigned int i, k, sent = 0, low = FX_POOL_SIZE;
	struct rte_mbuf *m;

	flood_production_table(f);
	for (i = 0; i < FLOOD_SOURCES; i++) {
		uint32_t src = RTE_IPV4(172u, 16, 0, 0) | i;

		for (k = 0; k < FLOOD_PIECES; k++, sent++) {
			fx_rx(f, flood_piece(f, src, (uint16_t)i, (uint16_t)(8 * k)));
			frag_reap(f);
			if (rte_mempool_avail_count(f->pool) < low)
				low = rte_mempool_avail_count(f->pool);
			if (low < FLOOD_POOL_FLOOR)
				fail_msg("packet pool down to %u free after %u fragments (floor %u)",
					 low, sent + 1, FLOOD_POOL_FLOOR);
		}
	}
	print_message("%u fragments from %u sources: packet pool never below %u of %u free\n",
		      sent, FLOOD_SOURCES, low, FX_POOL_SIZE);
	/* what reassembly holds is the fragment pool, every refusal counted by its reason */
	assert_int_equal(f->w->verdicts[VERDICT_FRAG_HELD], FX_FRAG_POOL_SIZE);
	assert_int_equal(f->w->verdicts[VERDICT_DROP_FRAG_POOL_EMPTY], sent - FX_FRAG_POOL_SIZE);
	assert_int_equal(f->w->verdicts[VERDICT_DROP_FRAG], 0);
	assert_int_equal(f->w->verdicts[VERDICT_DROP_FRAG_SOURCE_BUDGET], 0);
	/* service goes on: a datagram reaches the SIP layer, one we send still gets a buffer */
	fx_rx(f, fx_udp_frame(f, FX_SIP_PORT, 64, 3));
	assert_int_equal(f->w->counters[COUNTER_SIP_RECEIVED], 1);
	m = fx_alloc(f->pool);
	rte_pktmbuf_free(m);
	assert_int_equal(fx_tx_discard(f), 0);
	fx_assert_no_leak(f);
}

/* One source may have runtime.frag_source_max fragments admitted per timeout window. */
static void
test_HARDEN_1_fragment_source_budget(void **state)
{
	struct fx *f = *state;
	unsigned int i;

	flood_production_table(f);
	for (i = 0; i < FX_FRAG_SOURCE_MAX + 10; i++)
		fx_rx(f, flood_piece(f, RTE_IPV4(172u, 16, 9, 9), (uint16_t)i, 0));
	assert_int_equal(f->w->verdicts[VERDICT_FRAG_HELD], FX_FRAG_SOURCE_MAX);
	assert_int_equal(f->w->verdicts[VERDICT_DROP_FRAG_SOURCE_BUDGET], 10);
	/* another source is not affected */
	assert_int_equal(fx_rx(f, flood_piece(f, RTE_IPV4(172u, 16, 9, 10), 1, 0)),
			 VERDICT_FRAG_HELD);
	/* the next window starts a new budget */
	f->w->net->frag_window_cycles = 1;
	assert_int_equal(fx_rx(f, flood_piece(f, RTE_IPV4(172u, 16, 9, 9), 999, 0)),
			 VERDICT_FRAG_HELD);
	frag_reap(f);
	fx_assert_no_leak(f);
}

static int
frag_group_setup(void **state)
{
	(void)state;
	return fx_eal_init();
}

#define FRAG_TEST(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
#define FRAG_TEST_SHORT(fn) \
	cmocka_unit_test_setup_teardown(fn, frag_setup_short_timeout, fx_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		FRAG_TEST(test_frag_in_order_reassembles_once),
		FRAG_TEST(test_frag_last_first_reassembles_once),
		FRAG_TEST(test_frag_middle_first_reassembles_once),
		FRAG_TEST(test_frag_overlap_is_refused_when_sizes_exceed_total),
		FRAG_TEST(test_frag_overlap_with_hole_is_refused),
		FRAG_TEST(test_frag_duplicate_first_is_refused),
		FRAG_TEST_SHORT(test_frag_timeout_discards_first_piece),
		FRAG_TEST_SHORT(test_regression_frag_stale_entry_reuse_reported_as_drop),
		FRAG_TEST(test_frag_too_many_pieces_are_refused),
		FRAG_TEST(test_frag_udp_send_fragments_to_mtu_and_reassembles),
		FRAG_TEST(test_HARDEN_1_fragment_flood_pool_floor),
		FRAG_TEST(test_HARDEN_1_fragment_source_budget),
	};

	return cmocka_run_group_tests(tests, frag_group_setup, NULL);
}
