/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SIP entry point. Until the scan-first path lands this only counts the datagram (as
 * VERDICT_SIP_RECEIVED) and frees it: nothing is ever answered.
 */
#include "dataplane/sip_input.h"
#include "dataplane/worker.h"

enum verdict
sip_input(struct worker *w, struct rte_mbuf *m)
{
	RTE_SET_USED(w);
	rte_pktmbuf_free(m);
	return VERDICT_SIP_RECEIVED;
}
