/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Private to dataplane/keepalive/: struct ka_tx, shared by the packet path (ka_tx.c) and its
 * create/free (ka_tx_setup.c).
 */
#ifndef SF_KA_TX_IMPL_H
#define SF_KA_TX_IMPL_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#include "dataplane/keepalive/ka_tx.h"
#include "dataplane/params.h"
#include "dataplane/snapshot.h"

#define KA_TTL 64
#define KA_HDR_LEN                                                                                 \
	(sizeof(struct rte_ether_hdr) + sizeof(struct rte_ipv4_hdr) + sizeof(struct rte_udp_hdr))
#define KA_FRAME_MAX (KA_HDR_LEN + SF_PARAMS_KA_MESSAGE_MAX)

struct ka_tx_port {
	bool present;
	uint16_t queue;                  /* this worker's TX queue */
	struct rte_ether_addr mac;       /* our MAC on the port */
	const struct neigh_table *neigh; /* shared, lock-free */
	uint32_t gateway;                /* network byte order, 0 = none */
};

/* A frame ready to go: the binding's addresses and the next hop's MAC. */
struct ka_tx_item {
	struct ka_tx_dst dst;
	struct rte_ether_addr mac;
};

struct ka_tx {
	/* Set at create / configure. */
	struct rte_mempool *pool;
	ka_tx_lookup_fn lookup;
	void *ctx;
	uint16_t ip_id; /* next IPv4 id: worker_index + k * n_workers */
	uint16_t ip_id_step;
	struct ka_tx_port ports[SF_MAX_PORTS];
	/* Template of the current message: headers, payload, constant checksum parts. */
	uint8_t frame[KA_FRAME_MAX];
	uint16_t frame_len; /* 0 = no message yet */
	uint32_t ip_sum;    /* raw sum of the IPv4 header with id/addrs/cksum 0 */
	uint32_t udp_sum;   /* raw sum of payload + UDP length x2 + protocol */
	/* The message of the latest snapshot, taken at the next cycle start. */
	uint8_t next_msg[SF_PARAMS_KA_MESSAGE_MAX];
	uint16_t next_msg_len;
	bool msg_pending;
	uint64_t msg_cycle; /* scheduler cycle when it was configured */
	/* Frames a full TX queue refused, sent first next time. */
	uint16_t n_stash;
	uint16_t stash_port;
	struct rte_mbuf *stash[KA_TX_BURST];
	bool more; /* the last ka_tx_poll() left due work behind (ka_tx_more) */
	uint64_t counters[KA_TX_COUNTER_MAX];
};

#endif
