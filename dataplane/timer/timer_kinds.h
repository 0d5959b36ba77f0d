/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Who owns a timer on a worker's wheel (struct worker.wheel): one kind per owner struct, so
 * the wheel's handler table (tw_set_handler()) finds the callback that knows the node's
 * container. A module registers its kinds when it is set up on the worker.
 */
#ifndef SF_TIMER_KINDS_H
#define SF_TIMER_KINDS_H

enum tw_kind {
	TW_KIND_NONE = 0,      /* never armed: a zeroed node is "no kind" */
	TW_KIND_ARP_HOLD,      /* net: a packet waiting for its next hop's MAC */
	TW_KIND_AUTH_SESSION,  /* auth: an authentication session's timeout (AUTH-8) */
	TW_KIND_BINDING,       /* registrar: a binding's expiry */
	TW_KIND_TXN,           /* call engine: transaction timers (retransmit, B/F/H/...) */
	TW_KIND_CALL,          /* call engine: a call's own timer (setup limit C, linger) */
	TW_KIND_COUNT          /* must stay <= TW_KINDS */
};

#endif
