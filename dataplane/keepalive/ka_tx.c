/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * NAT keep-alive frames: one Ethernet/IPv4/UDP template per message, patched per binding with
 * incremental checksums (the payload sum is computed once per message), sent in bursts.
 * Packet path; create/free are in ka_tx_setup.c.
 */
#include <errno.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_memcpy.h>
#include <rte_udp.h>

#include "dataplane/keepalive/ka_tx.h"
#include "dataplane/keepalive/ka_tx_impl.h"
#include "dataplane/net/neigh.h"
#include "dataplane/params.h"
#include "dataplane/snapshot.h"

const char *const ka_tx_counter_names[KA_TX_COUNTER_MAX] = {
#define X(name, text) [KA_TX_##name] = text,
    KA_TX_COUNTER_LIST(X)
#undef X
};

int
ka_tx_set_port(struct ka_tx *tx, uint16_t port_id, uint16_t queue, const struct rte_ether_addr *mac,
	       const struct neigh_table *neigh, uint32_t gateway_be)
{
	struct ka_tx_port *p;

	if (port_id >= SF_MAX_PORTS || mac == NULL || neigh == NULL)
		return -EINVAL;
	p = &tx->ports[port_id];
	p->present = true;
	p->queue = queue;
	p->mac = *mac;
	p->neigh = neigh;
	p->gateway = gateway_be;
	return 0;
}

static inline uint32_t
ka_sum32(uint32_t be)
{
	return (be & 0xffff) + (be >> 16);
}

static inline uint16_t
ka_fold(uint32_t sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* Build the template for @msg: everything but MACs, IP id, addresses, ports and checksums. */
static void
ka_tx_build_template(struct ka_tx *tx, const uint8_t *msg, uint16_t len)
{
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)tx->frame;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);
	uint16_t udp_len = (uint16_t)(sizeof(*udp) + len);

	memset(tx->frame, 0, KA_HDR_LEN);
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(sizeof(*ip) + udp_len));
	ip->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
	ip->time_to_live = KA_TTL;
	ip->next_proto_id = IPPROTO_UDP;
	udp->dgram_len = rte_cpu_to_be_16(udp_len);
	memcpy(udp + 1, msg, len);
	tx->frame_len = (uint16_t)(KA_HDR_LEN + len);
	tx->ip_sum = rte_raw_cksum(ip, sizeof(*ip));
	/* Pseudo header protocol and length, the UDP length field, and the payload. */
	tx->udp_sum =
	    rte_raw_cksum(udp + 1, len) + rte_cpu_to_be_16(IPPROTO_UDP) + 2u * udp->dgram_len;
}

int
ka_tx_configure(struct ka_tx *tx, struct ka_sched *s, const struct sf_params *p,
		enum ka_sched_mode mode, uint16_t worker_index, uint16_t n_workers)
{
	struct ka_sched_params sp;
	int rc;

	if (p->ka_message_len > SF_PARAMS_KA_MESSAGE_MAX || n_workers == 0)
		return -EINVAL;
	ka_sched_params_from(&sp, p, mode, worker_index, n_workers);
	rc = ka_sched_set_params(s, &sp);
	if (rc != 0)
		return rc;
	memcpy(tx->next_msg, p->ka_message, p->ka_message_len);
	tx->next_msg_len = p->ka_message_len;
	tx->msg_pending = true;
	tx->msg_cycle = ka_sched_cycle(s);
	if (tx->ip_id_step != n_workers) {
		tx->ip_id = worker_index;
		tx->ip_id_step = n_workers;
	}
	return 0;
}

/* Resolve @id into @it. Returns false (and counts why) when no keep-alive can go. */
static inline bool
ka_tx_resolve(struct ka_tx *tx, uint32_t id, struct ka_tx_item *it)
{
	const struct ka_tx_port *p;
	uint32_t next_hop;

	if (!tx->lookup(tx->ctx, id, &it->dst)) {
		tx->counters[KA_TX_SKIPPED_GONE]++;
		return false;
	}
	if (unlikely(it->dst.port_id >= SF_MAX_PORTS || !tx->ports[it->dst.port_id].present)) {
		tx->counters[KA_TX_SKIPPED_NO_PORT]++;
		return false;
	}
	p = &tx->ports[it->dst.port_id];
	next_hop = neigh_is_onlink(p->neigh, it->dst.dst_ip) ? it->dst.dst_ip : p->gateway;
	if (next_hop == 0) {
		tx->counters[KA_TX_SKIPPED_NO_ROUTE]++;
		return false;
	}
	/* No ARP hold for keep-alives: the next cycle tries again. */
	if (!neigh_lookup(p->neigh, next_hop, &it->mac)) {
		tx->counters[KA_TX_SKIPPED_NO_NEIGHBOUR]++;
		return false;
	}
	return true;
}

/* Copy the template into @m and patch it for @it. */
static inline void
ka_tx_fill(struct ka_tx *tx, struct rte_mbuf *m, const struct ka_tx_item *it)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);
	uint16_t id_be = rte_cpu_to_be_16(tx->ip_id);
	uint32_t addr_sum = ka_sum32(it->dst.src_ip) + ka_sum32(it->dst.dst_ip);
	uint16_t cksum;

	rte_memcpy(eth, tx->frame, tx->frame_len);
	m->data_len = tx->frame_len;
	m->pkt_len = tx->frame_len;
	rte_ether_addr_copy(&it->mac, &eth->dst_addr);
	rte_ether_addr_copy(&tx->ports[it->dst.port_id].mac, &eth->src_addr);
	ip->packet_id = id_be;
	ip->src_addr = it->dst.src_ip;
	ip->dst_addr = it->dst.dst_ip;
	ip->hdr_checksum = (uint16_t)~ka_fold(tx->ip_sum + id_be + addr_sum);
	udp->src_port = it->dst.src_port;
	udp->dst_port = it->dst.dst_port;
	cksum = (uint16_t)~ka_fold(tx->udp_sum + addr_sum + it->dst.src_port + it->dst.dst_port);
	udp->dgram_cksum = cksum == 0 ? 0xffff : cksum; /* RFC 768: 0 means "none" */
	tx->ip_id = (uint16_t)(tx->ip_id + tx->ip_id_step);
}

/* Hand @m[0..@n) to @port_id; keep what the queue refused. Returns how many it took. */
static unsigned int
ka_tx_burst(struct ka_tx *tx, uint16_t port_id, struct rte_mbuf **m, unsigned int n)
{
	uint16_t sent = rte_eth_tx_burst(port_id, tx->ports[port_id].queue, m, (uint16_t)n);

	tx->counters[KA_TX_SENT] += sent;
	if (unlikely(sent < n)) {
		/* The stash is empty here: ka_tx_poll() sends nothing new while it is not. */
		tx->n_stash = (uint16_t)(n - sent);
		tx->stash_port = port_id;
		memcpy(tx->stash, m + sent, tx->n_stash * sizeof(*m));
		tx->counters[KA_TX_TX_DEFERRED] += tx->n_stash;
	}
	return sent;
}

unsigned int
ka_tx_send(struct ka_tx *tx, const uint32_t *ids, unsigned int n)
{
	struct ka_tx_item items[KA_TX_BURST];
	struct rte_mbuf *m[KA_TX_BURST];
	unsigned int i, k = 0, first = 0, sent = 0;

	if (n > KA_TX_BURST || tx->frame_len == 0 || tx->n_stash > 0)
		return 0;
	for (i = 0; i < n; i++)
		if (ka_tx_resolve(tx, ids[i], &items[k]))
			k++;
	if (k == 0)
		return 0;
	if (rte_pktmbuf_alloc_bulk(tx->pool, m, k) != 0) {
		tx->counters[KA_TX_NO_MBUF] += k;
		return 0;
	}
	for (i = 0; i < k; i++)
		ka_tx_fill(tx, m[i], &items[i]);
	/* One burst per run of frames on the same port (usually the whole batch). */
	for (i = 1; i <= k; i++) {
		if (i < k && items[i].dst.port_id == items[first].dst.port_id)
			continue;
		sent += ka_tx_burst(tx, items[first].dst.port_id, m + first, i - first);
		if (unlikely(tx->n_stash > 0)) {
			/* Queue full: later runs wait with the refused frames. */
			rte_pktmbuf_free_bulk(m + i, k - i);
			tx->counters[KA_TX_TX_DROPPED] += k - i;
			break;
		}
		first = i;
	}
	return sent;
}

/* Retry refused frames. Returns true when none are left. */
static bool
ka_tx_retry_stash(struct ka_tx *tx)
{
	uint16_t sent;

	if (likely(tx->n_stash == 0))
		return true;
	sent = rte_eth_tx_burst(tx->stash_port, tx->ports[tx->stash_port].queue, tx->stash,
				tx->n_stash);
	tx->counters[KA_TX_SENT] += sent;
	tx->n_stash = (uint16_t)(tx->n_stash - sent);
	if (tx->n_stash > 0)
		memmove(tx->stash, tx->stash + sent, tx->n_stash * sizeof(tx->stash[0]));
	return tx->n_stash == 0;
}

/* A new cycle carries the message of the latest snapshot (KA-13). */
static inline void
ka_tx_take_message(struct ka_tx *tx, const struct ka_sched *s)
{
	if (tx->msg_pending && (tx->frame_len == 0 || ka_sched_cycle(s) != tx->msg_cycle)) {
		ka_tx_build_template(tx, tx->next_msg, tx->next_msg_len);
		tx->msg_pending = false;
	}
}

unsigned int
ka_tx_poll(struct ka_tx *tx, struct ka_sched *s, uint64_t now_ms)
{
	uint32_t ids[KA_TX_BURST];
	unsigned int n, total = 0, sent = 0;

	tx->more = true;
	if (!ka_tx_retry_stash(tx))
		return 0;
	do {
		n = ka_sched_due(s, now_ms, ids, KA_TX_BURST);
		if (n == 0)
			break;
		ka_tx_take_message(tx, s);
		sent += ka_tx_send(tx, ids, n);
		total += n;
	} while (n == KA_TX_BURST && total < KA_TX_POLL_MAX && tx->n_stash == 0);
	/* Fewer than asked: this tick's share is spent or the list is done for this ms. */
	tx->more = n == KA_TX_BURST || tx->n_stash > 0;
	return sent;
}

bool
ka_tx_more(const struct ka_tx *tx)
{
	return tx->more;
}

const uint64_t *
ka_tx_counters(const struct ka_tx *tx)
{
	return tx->counters;
}
