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

#include "dataplane/sip/scan.h"

/*
 * How far SIP processing of a datagram got (pkt_sip.stage): the worker a datagram is handed
 * to resumes from here (sip_resume()) and never reads again what an earlier one read.
 */
enum pkt_sip_stage {
	PKT_SIP_RECEIVED,      /* fresh from udp_input(): no SIP byte read */
	PKT_SIP_SOURCE,        /* handed to its source-IP owner (rule S): no SIP byte read */
	PKT_SIP_SKIMMED,       /* as SOURCE, after the receiver's skim could not settle it as
				  certainly unknown (reply Off): the owner does not skim again */
	PKT_SIP_SCANNED,       /* scanned completely (pkt_sip.scan), class known */
	PKT_SIP_AUTHENTICATED, /* digest verified on the source-IP owner: to the AoR owner */
	PKT_SIP_CALL,          /* scanned, source checks and auth done: to the call's owner
				  (rule K: hash(Call-ID) or the token's owner), call_input() /
				  call_response() run there directly */
};

/*
 * What the SIP layer learnt about a datagram, carried with it across workers (mbuf private
 * area, after struct pkt_meta). Spans in @scan point into the mbuf's data, which does not
 * move after udp_input()'s linearisation, and all workers share one address space.
 */
struct pkt_sip {
	uint8_t stage;         /* enum pkt_sip_stage; sip_input() sets it on entry */
	uint8_t cls;           /* enum policy_class as far as it is known */
	struct sip_scan scan;  /* valid from PKT_SIP_SCANNED on (and while reading) */
};

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
	struct pkt_sip sip;             /* the SIP layer's state of this datagram */
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

/*
 * Size of the mbuf private area every pool we create reserves: the net facts and the SIP
 * state with its scan (spans as pointer + length; see docs/ARCHITECTURE.md for the size).
 */
#define SF_MBUF_PRIV_SIZE RTE_ALIGN(sizeof(struct pkt_meta), RTE_MBUF_PRIV_ALIGN)

static inline struct pkt_meta *
pkt_meta(struct rte_mbuf *m)
{
	return (struct pkt_meta *)rte_mbuf_to_priv(m);
}

static inline struct pkt_sip *
pkt_sip(struct rte_mbuf *m)
{
	return &pkt_meta(m)->sip;
}

static inline const uint8_t *
pkt_meta_payload(struct rte_mbuf *m)
{
	return rte_pktmbuf_mtod_offset(m, const uint8_t *, pkt_meta(m)->payload_off);
}

#endif
