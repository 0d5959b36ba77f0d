/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-packet facts the net layer found, kept in the mbuf private area so they travel with the
 * mbuf when it is steered to another worker.
 */
#ifndef SF_PKT_META_H
#define SF_PKT_META_H

#include <stdint.h>

#include <rte_ether.h>
#include <rte_mbuf.h>

struct pkt_meta {
	uint32_t src_ip;                /* network byte order */
	uint32_t dst_ip;                /* network byte order: which of our addresses */
	uint16_t src_port;              /* network byte order */
	uint16_t dst_port;              /* network byte order */
	uint16_t in_port;               /* DPDK port the frame arrived on */
	uint16_t payload_off;           /* UDP payload offset from the mbuf data start */
	uint16_t payload_len;           /* UDP payload bytes (contiguous in the first segment) */
	uint16_t flags;                 /* PKT_META_F_*; udp_input() zeroes it */
	struct rte_ether_addr src_mac;  /* L2 source: where replies go without ARP */
};

/* Set by the registrar on the source-IP owner: digest verified, skip auth on the AoR owner. */
#define PKT_META_F_AUTHENTICATED (1u << 0)
/*
 * Set by udp_input() when the UDP checksum is still to be verified (the port has no RX
 * checksum verdict and the sender computed one). sip_input()'s gate verifies it, and clears
 * it, before the datagram can cause anything but a silent drop: a reply, a state change, a
 * hand-off to another worker. Silent drops before the gate never pay for the sum.
 */
#define PKT_META_F_CKSUM_UNVERIFIED (1u << 1)
/*
 * Set by sip_input() when the source is trusted by address (gateway, live binding, known
 * dialog): replies to it are exempt from the per-source reply budget (sip_reply_send()).
 */
#define PKT_META_F_TRUSTED (1u << 2)

/*
 * Set by the registrar on the source-IP owner: this authenticated REGISTER reuses the
 * (nonce, nc) of an earlier one with the same Via branch, CSeq and source port: a
 * retransmission. The AoR owner re-sends its cached answer, never processes it again (GEN-3).
 */
#define PKT_META_F_RETRANS (1u << 4)

/* Size of the mbuf private area every pool we create reserves. */
#define SF_MBUF_PRIV_SIZE RTE_ALIGN(sizeof(struct pkt_meta), RTE_MBUF_PRIV_ALIGN)

static inline struct pkt_meta *
pkt_meta(struct rte_mbuf *m)
{
	return (struct pkt_meta *)rte_mbuf_to_priv(m);
}

static inline const uint8_t *
pkt_meta_payload(struct rte_mbuf *m)
{
	return rte_pktmbuf_mtod_offset(m, const uint8_t *, pkt_meta(m)->payload_off);
}

#endif
