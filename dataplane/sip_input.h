/* SPDX-License-Identifier: BSD-3-Clause */
/* The one entry point from the net layer into SIP processing. */
#ifndef SF_SIP_INPUT_H
#define SF_SIP_INPUT_H

#include <rte_mbuf.h>

#include "dataplane/verdict.h"

struct worker;

/*
 * A UDP datagram to the SIP port. pkt_meta(@m) holds addresses, ports and the payload span
 * (contiguous). Takes ownership of @m. Runs on the worker that received the frame.
 */
enum verdict sip_input(struct worker *w, struct rte_mbuf *m);

/*
 * A datagram another worker handed over (steer_drain()'s handler): resumes from the stage
 * pkt_sip(@m) records, reading nothing an earlier worker read. Takes ownership of @m.
 */
enum verdict sip_resume(struct worker *w, struct rte_mbuf *m);

#endif
