/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * NAT keep-alive transmit side for one worker: turns the binding ids the scheduler hands out
 * into UDP datagrams built from a precomputed Ethernet/IPv4/UDP template (only MACs, addresses,
 * ports, IP id and checksums patched; payload = SS_SIP_NAT_KEEP_ALIVE_MESSAGE exactly, I-31)
 * and sends them with rte_eth_tx_burst. Owner lcore only; no allocation, log or syscall per
 * packet.
 */
#ifndef SF_KA_TX_H
#define SF_KA_TX_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "dataplane/keepalive/schedule.h"

struct neigh_table;
struct sf_params;

#define KA_TX_BURST 32     /* ids per scheduler call and frames per rte_eth_tx_burst */
#define KA_TX_POLL_MAX 256 /* frames one ka_tx_poll() builds at most (bounds RX latency) */

#define KA_TX_COUNTER_LIST(X)                                                                      \
	X(SENT, "ka_sent")                                 /* accepted by rte_eth_tx_burst */      \
	X(SKIPPED_NO_NEIGHBOUR, "ka_skipped_no_neighbour") /* next-hop MAC unknown: no ARP hold */ \
	X(SKIPPED_NO_ROUTE, "ka_skipped_no_route")         /* off-link and no gateway */           \
	X(SKIPPED_GONE, "ka_skipped_gone")                 /* lookup: no longer a NAT binding */   \
	X(SKIPPED_NO_PORT, "ka_skipped_no_port") /* binding on a port ka_tx does not know */       \
	X(NO_MBUF, "ka_no_mbuf")                 /* pool empty: keep-alive not sent */             \
	X(TX_DEFERRED, "ka_tx_deferred")         /* port queue full: frame kept for later */       \
	X(TX_DROPPED, "ka_tx_dropped")           /* queue full, rest of a multi-port batch */

enum ka_tx_counter {
#define X(name, text) KA_TX_##name,
	KA_TX_COUNTER_LIST(X)
#undef X
	KA_TX_COUNTER_MAX
};

extern const char *const ka_tx_counter_names[KA_TX_COUNTER_MAX];

/** Where one binding's keep-alive goes (I-31). Addresses and ports in network byte order. */
struct ka_tx_dst {
	uint32_t src_ip;   /* local address the terminal registered on */
	uint32_t dst_ip;   /* the terminal's observed public source address */
	uint16_t src_port; /* local SIP port it registered on */
	uint16_t dst_port; /* its observed public source port */
	uint16_t port_id;  /* DPDK port that address lives on */
};

/**
 * Fill @dst for binding @id; return false when @id is no longer a NAT binding (nothing is
 * sent). Called on the owner lcore, per packet: no allocation, no locks.
 */
typedef bool (*ka_tx_lookup_fn)(void *ctx, uint32_t id, struct ka_tx_dst *dst);

struct ka_tx;

/**
 * Create the transmit side of one worker; frames come from @pool, whose data room must hold
 * 42 header bytes plus SF_PARAMS_KA_MESSAGE_MAX. Memory on @socket_id.
 * Nothing is sent until ka_tx_configure() gave a non-empty message. NULL on failure. Init only.
 */
struct ka_tx *ka_tx_create(struct rte_mempool *pool, ka_tx_lookup_fn lookup, void *ctx,
			   int socket_id);

/** Free @tx and any frame it still holds. Shutdown only. */
void ka_tx_free(struct ka_tx *tx);

/**
 * Send keep-alives on DPDK port @port_id, TX queue @queue (this worker's), from @mac; next
 * hops are looked up in @neigh, off-link ones via @gateway_be (0 = none). Call at init and
 * whenever the interface changes in a snapshot. Returns 0 or -EINVAL.
 */
int ka_tx_set_port(struct ka_tx *tx, uint16_t port_id, uint16_t queue,
		   const struct rte_ether_addr *mac, const struct neigh_table *neigh,
		   uint32_t gateway_be);

/**
 * Take the keep-alive parameters of a new snapshot: hands the scheduling ones to @s
 * (ka_sched_set_params) and keeps the message for the next cycle start (KA-13); an empty
 * message stops keep-alives at once (KA-2). Returns 0 or -EINVAL.
 */
int ka_tx_configure(struct ka_tx *tx, struct ka_sched *s, const struct sf_params *p,
		    enum ka_sched_mode mode, uint16_t worker_index, uint16_t n_workers);

/**
 * The worker loop's one call: take what @s says is due at @now_ms (shared ms clock) and send
 * it, at most KA_TX_POLL_MAX frames. Frames a full TX queue refused are kept and retried
 * first on the next call, and nothing new is taken until they are gone. Returns frames sent.
 */
unsigned int ka_tx_poll(struct ka_tx *tx, struct ka_sched *s, uint64_t now_ms);

/**
 * After ka_tx_poll(): true when it stopped with work left at the same @now_ms (the
 * KA_TX_POLL_MAX bound was reached, or a full TX queue left frames to retry). When false,
 * nothing more is due before the next millisecond, so the caller may skip polls until then.
 */
bool ka_tx_more(const struct ka_tx *tx);

/**
 * Build and send keep-alives for @ids[0..@n) now (@n <= KA_TX_BURST), with the current
 * message. Returns how many left through rte_eth_tx_burst. Exposed for tests and benches.
 */
unsigned int ka_tx_send(struct ka_tx *tx, const uint32_t *ids, unsigned int n);

/** The counters (owner lcore writes, control plane reads relaxed). */
const uint64_t *ka_tx_counters(const struct ka_tx *tx);

#endif
