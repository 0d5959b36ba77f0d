/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Shared fixture for the DPDK unit tests: EAL started once per process without hugepages or
 * PCI, one net_ring port whose RX and TX rings the test reads and writes, and a struct worker
 * built by hand the way ctrlplane/ports.c builds one. Also frame builders that fill DPDK header
 * structs and compute checksums, so no test types packet bytes by hand.
 */
#ifndef SF_TEST_EAL_FIXTURE_H
#define SF_TEST_EAL_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_arp.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_ring.h>
#include <rte_udp.h>

#include "dataplane/net/neigh.h"
#include "dataplane/snapshot.h"
#include "dataplane/worker.h"

/* Addresses of the test network, host byte order. */
#define FX_OUR_IP RTE_IPV4(10u, 99, 0, 1)
#define FX_GW_IP RTE_IPV4(10u, 99, 0, 254)
#define FX_PEER_IP RTE_IPV4(10u, 99, 0, 7)
#define FX_PREFIX_LEN 24
#define FX_MTU 1500
#define FX_SIP_PORT 5060
#define FX_PEER_PORT 40000

#define FX_POOL_SIZE 1023       /* mbufs in the worker's pool */
#define FX_BIG_POOL_SIZE 63     /* linearised-datagram buffers */
#define FX_BIG_DATA (16384 + RTE_PKTMBUF_HEADROOM) /* bytes, as ctrlplane/ports.c */
#define FX_FRAG_POOL_SIZE 255   /* fragments reassembly may hold (runtime.frag_mbufs) */
#define FX_FRAG_SOURCE_MAX 128  /* fragments per source per timeout (runtime.frag_source_max) */
#define FX_FRAG_TIMEOUT_MS 2000 /* reassembly timeout of most tests */
#define FX_HOLD_MS 1000         /* ARP hold deadline */
#define FX_ARP_RETRY_MS 200     /* ARP retry interval */

/* One hand-built worker on the fixture port, with everything it owns. */
struct fx {
	struct worker *w;
	struct snapshot *snap;          /* w->cfg points here */
	struct neigh_table *neigh;      /* the port's neighbour table */
	struct rte_mempool *pool;       /* w->pool; input frames come from it too */
	struct rte_mempool *big_pool;   /* w->big_pool */
	struct rte_mempool *frag_pool;  /* w->frag_pool */
	uint16_t port;                  /* DPDK port id of the net_ring port */
	struct rte_ether_addr our_mac;  /* the port's MAC */
	struct rte_ether_addr peer_mac; /* a locally administered unicast MAC for FX_PEER_IP */
};

/*
 * Start EAL (once per process; later calls return 0) and create the net_ring port.
 * The file prefix is $SF_EAL_PREFIX plus the pid. Returns 0 or a negative errno.
 */
int fx_eal_init(void);

/*
 * Build worker @index of @n_workers on the fixture port, with its own pools, snapshot,
 * neighbour table and a reassembly table timing out after @frag_timeout_ms. NULL on failure.
 */
struct fx *fx_create(uint16_t index, uint16_t n_workers, unsigned int frag_timeout_ms);

/* Free everything fx_create() made and every mbuf still queued anywhere. */
void fx_destroy(struct fx *f);

/* cmocka setup/teardown wrappers: *state becomes a struct fx with default settings. */
int fx_setup(void **state);
int fx_teardown(void **state);

/*
 * Pass @m through the port (RX ring, rte_eth_rx_burst) and loop_classify(), counting the
 * verdict in w->verdicts as the worker loop does. Takes @m. Returns the verdict.
 */
enum verdict fx_rx(struct fx *f, struct rte_mbuf *m);

/*
 * Flush the worker's TX buffers and take up to @max frames from the port's TX ring into @out
 * (the caller frees them). Returns how many there were.
 */
unsigned int fx_tx(struct fx *f, struct rte_mbuf **out, unsigned int max);

/* Number of frames the worker transmitted since the last fx_tx (they are freed). */
unsigned int fx_tx_discard(struct fx *f);

/*
 * Free every mbuf the worker still holds (TX buffer and ring, ARP hold queue, reassembly
 * table, death row), then assert both pools are full again: a leaked mbuf fails the test.
 * The reassembly table is gone afterwards; call this last.
 */
void fx_assert_no_leak(struct fx *f);

/* Network byte order helper for test addresses. */
static inline uint32_t
fx_be32(uint32_t host)
{
	return rte_cpu_to_be_32(host);
}

/*
 * rte_pktmbuf_alloc / append / prepend that fail the test (and never return NULL, which also
 * tells gcc the pointer is valid) when the mbuf has no room.
 */
struct rte_mbuf *fx_alloc(struct rte_mempool *mp);
void *fx_append(struct rte_mbuf *m, uint16_t len);
void *fx_prepend(struct rte_mbuf *m, uint16_t len);

/* Copy @len bytes at @off of (possibly chained) @m into @dst; fails the test if too short. */
void fx_read(const struct rte_mbuf *m, uint32_t off, uint32_t len, void *dst);

/* A locally administered unicast MAC 02:00:00:00:<hi>:<lo>. */
void fx_mac(struct rte_ether_addr *mac, uint16_t id);

/* Fill @buf with a deterministic byte pattern seeded by @seed. */
void fx_pattern(uint8_t *buf, size_t len, unsigned int seed);

/* Ethernet header at the start of @m, with @dst, @src and @ether_type (host order). */
struct rte_ether_hdr *fx_eth_prepend(struct rte_mbuf *m, const struct rte_ether_addr *dst,
				     const struct rte_ether_addr *src, uint16_t ether_type);

/*
 * An ARP frame from the peer side (addresses in host byte order). @tha may be NULL (zeros).
 * The Ethernet source is @sha.
 */
struct rte_mbuf *fx_arp_frame(struct fx *f, uint16_t opcode, const struct rte_ether_addr *eth_dst,
			      const struct rte_ether_addr *sha, uint32_t spa,
			      const struct rte_ether_addr *tha, uint32_t tpa);

/*
 * An IPv4 frame from the peer MAC to our MAC: IHL 5, TTL 64, header checksum computed,
 * followed by @l4_len bytes of @l4. Addresses in host byte order.
 */
struct rte_mbuf *fx_ipv4_frame(struct fx *f, uint32_t src, uint32_t dst, uint8_t proto,
			       const void *l4, uint16_t l4_len);

/*
 * A UDP datagram from FX_PEER_IP:FX_PEER_PORT to FX_OUR_IP:@dst_port carrying @len bytes of
 * pattern @seed, with a valid UDP checksum.
 */
struct rte_mbuf *fx_udp_frame(struct fx *f, uint16_t dst_port, uint16_t len, unsigned int seed);

/*
 * A UDP datagram from @src:@sport to FX_OUR_IP:FX_SIP_PORT carrying the text @text (at most
 * 2048 bytes), with a valid UDP checksum.
 */
struct rte_mbuf *fx_sip_frame(struct fx *f, uint32_t src, uint16_t sport, const char *text);

/* The IPv4 header of a frame whose data starts at the Ethernet header. */
struct rte_ipv4_hdr *fx_ip(struct rte_mbuf *m);

/* The UDP header after an IHL-5 IPv4 header in such a frame. */
struct rte_udp_hdr *fx_udp(struct rte_mbuf *m);

/* Recompute the IPv4 header checksum of such a frame. */
void fx_ip_recksum(struct rte_mbuf *m);

/* Recompute the UDP checksum of such a frame (single segment). */
void fx_udp_recksum(struct rte_mbuf *m);

/*
 * Assert that frame @m is a well-formed IPv4 frame from our MAC to @dst_mac with a valid header
 * checksum; returns its IPv4 header.
 */
struct rte_ipv4_hdr *fx_assert_ipv4_out(const struct fx *f, struct rte_mbuf *m,
					const struct rte_ether_addr *dst_mac);

/* Assert that frame @m is an ARP request from us for @tpa (host order), broadcast. */
void fx_assert_arp_request(const struct fx *f, struct rte_mbuf *m, uint32_t tpa);

#endif
