/* SPDX-License-Identifier: BSD-3-Clause */
/* steer.c and steer_setup.c only: the per-worker overflow queues and the drain handler. */
#ifndef SF_STEER_IMPL_H
#define SF_STEER_IMPL_H

#include <stdint.h>

#include <rte_common.h>
#include <rte_mbuf.h>

#include "dataplane/steer.h"
#include "dataplane/worker.h"

static_assert((STEER_OVERFLOW_SIZE & (STEER_OVERFLOW_SIZE - 1)) == 0, "a power of two");

/* Datagrams for one full ring, oldest first (a FIFO: a hand-off keeps its order). */
struct steer_queue {
	uint32_t head;
	uint32_t count;
	struct rte_mbuf *m[STEER_OVERFLOW_SIZE];
};

/* One worker's side of the hand-off, indexed by worker index; its lcore alone touches it. */
struct steer_lcore {
	steer_handler_fn fn;                   /* what runs a datagram taken from a ring */
	uint32_t held;                         /* datagrams in all of q[] */
	struct steer_queue *q[SF_MAX_WORKERS]; /* to worker j; NULL for j == self */
} __rte_cache_aligned;

extern struct steer_lcore steer_lcores[SF_MAX_WORKERS];

#endif
