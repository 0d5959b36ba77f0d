/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The worker's L2-L4 stack: receive functions own the mbuf they are given (it is freed,
 * transmitted, held, or handed back to the caller as a SIP datagram before they return); send
 * functions own the mbuf they are given as well, whatever they return. Net never calls up: a
 * datagram to the SIP port is returned to the worker loop (loop.c), which hands it to SIP.
 * Net's per-lcore state is w->net (net_worker.h).
 */
#ifndef SF_NET_H
#define SF_NET_H

#include <stdint.h>
#include <string.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "dataplane/timer/timer_wheel.h"
#include "dataplane/verdict.h"

struct worker;

/*
 * One's-complement sum of the @ihl-byte IPv4 header at @ip, folded to 16 bits: 0xffff when its
 * checksum is right (what rte_raw_cksum() returns). The usual 20-byte header is summed as five
 * 32-bit words in 64 bits instead of rte_raw_cksum()'s ten 16-bit steps: ~60 -> 25
 * instructions a frame (callgrind, flood_unknown); 2^16 = 1 modulo 0xffff, so the two halves
 * of a 32-bit word add up as the two 16-bit words would. Options go the general way.
 */
static inline uint16_t
ipv4_hdr_sum(const struct rte_ipv4_hdr *ip, uint16_t ihl)
{
	uint32_t w[5];
	uint64_t sum;

	if (unlikely(ihl != sizeof(w)))
		return rte_raw_cksum(ip, ihl);
	memcpy(w, ip, sizeof(w));
	sum = (uint64_t)w[0] + w[1] + w[2] + w[3] + w[4]; /* < 2^35 */
	sum = (sum & 0xffffffff) + (sum >> 32);             /* < 2^32 + 5 */
	sum = (sum & 0xffff) + (sum >> 16);                 /* <= 0x1fffe */
	sum = (sum & 0xffff) + (sum >> 16);                 /* <= 0xffff; 0 only for all-zero */
	return (uint16_t)sum;
}

/*
 * Receive one frame as it came from the port. Returns the UDP datagram to the SIP port
 * (pkt_meta(m) filled: addresses, ports, payload span; contiguous; its checksum possibly
 * deferred, see udp_cksum_verify_deferred()) for the caller to hand to SIP, whose verdict is
 * then the frame's; or NULL when net consumed the frame, and *@verdict says what happened.
 * ipv4_input() and udp_input() are the same contract one layer down.
 */
struct rte_mbuf *eth_input(struct worker *w, struct rte_mbuf *m, uint16_t port_id,
			   enum verdict *verdict);
struct rte_mbuf *ipv4_input(struct worker *w, struct rte_mbuf *m, uint16_t port_id,
			    enum verdict *verdict);
/* @ip: the IPv4 header inside the first segment of @m (data starts at the Ethernet header). */
struct rte_mbuf *udp_input(struct worker *w, struct rte_mbuf *m, uint16_t port_id,
			   struct rte_ipv4_hdr *ip, enum verdict *verdict);
enum verdict arp_input(struct worker *w, struct rte_mbuf *m, uint16_t port_id);
enum verdict icmp_input(struct worker *w, struct rte_mbuf *m, uint16_t port_id,
			struct rte_ipv4_hdr *ip);
/*
 * The UDP checksum udp_input() deferred (PKT_META_F_CKSUM_UNVERIFIED set: no RX offload
 * verdict, non-zero checksum field): true when it is valid. Computed from pkt_meta and the
 * contiguous datagram; clears the flag either way. Only sip_input()'s gate calls it.
 */
bool udp_cksum_verify_deferred(struct rte_mbuf *m);

/*
 * Reassemble: returns the whole datagram (possibly a segment chain) when @m completed one, or
 * NULL when @m was kept (or freed as bad: *verdict says which).
 */
struct rte_mbuf *frag_reassemble(struct worker *w, struct rte_mbuf *m, struct rte_ipv4_hdr *ip,
				 enum verdict *verdict);

/*
 * Send an IPv4 packet: @m's data starts at the IPv4 header (total length and addresses set,
 * checksums not yet). Computes the header checksum, fragments above the port's MTU, and sends
 * to @dst_mac, or, when @dst_mac is NULL, to the next hop's MAC (ARP and hold on a miss).
 * Returns 0 when the packet was sent or held, negative errno when it was dropped (counted).
 */
int ipv4_send(struct worker *w, uint16_t port_id, struct rte_mbuf *m,
	      const struct rte_ether_addr *dst_mac);

/*
 * Send a UDP datagram: @m holds only the payload. Prepends UDP and IPv4 headers (addresses and
 * ports in network byte order), computes the UDP checksum, then as ipv4_send().
 */
int udp_send(struct worker *w, uint16_t port_id, struct rte_mbuf *m, uint32_t src_ip,
	     uint16_t src_port, uint32_t dst_ip, uint16_t dst_port,
	     const struct rte_ether_addr *dst_mac);

/* Prepend (if absent) and fill the Ethernet header, then queue @m on the port's TX buffer. */
void eth_send(struct worker *w, uint16_t port_id, struct rte_mbuf *m,
	      const struct rte_ether_addr *dst_mac, uint16_t ether_type);

/* Broadcast an ARP request for @target_ip (network byte order) from our address on the port. */
void arp_send_request(struct worker *w, uint16_t port_id, uint32_t target_ip);

/*
 * Send held packets whose next hop is now known (housekeeping tick). Asking again and the
 * deadline are the hold entry's timer on w->wheel (TW_KIND_ARP_HOLD, hold_timer_fired()).
 */
void hold_service(struct worker *w);

/* The wheel's callback for TW_KIND_ARP_HOLD (@arg: the struct worker). */
void hold_timer_fired(struct tw_wheel *wheel, struct tw_node *n, uint64_t now_ms, void *arg);

/* Drop every held packet and stop its timer (loop end, shutdown). */
void hold_flush(struct worker *w);

/* Free what reassembly refused (the death row); every loop pass and at shutdown. */
void frag_free_refused(struct worker *w);

/* Drop reassemblies past their timeout (housekeeping tick, @now_tsc = rte_rdtsc()). */
void frag_expire(struct worker *w, uint64_t now_tsc);

/* Fragment @m (data at the IPv4 header) to @mtu and send each piece to @dst_mac. */
int frag_send(struct worker *w, uint16_t port_id, struct rte_mbuf *m, uint16_t mtu,
	      const struct rte_ether_addr *dst_mac);

#endif
