/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Owner hand-off: every piece of SIP state has one owner worker computed from the message
 * (hash of a key). A worker that receives a packet it does not own passes the mbuf to the
 * owner over a per-pair single-producer/single-consumer ring.
 */
#ifndef SF_STEER_H
#define SF_STEER_H

#include <stdint.h>

#include <rte_mbuf.h>

#include "dataplane/verdict.h"

struct worker;

#define STEER_RING_SIZE 1024 /* per worker pair; a full ring drops (counted) */

/* Owner worker index of a state key with hash @hash among @n_workers. */
static inline uint16_t
steer_owner(uint32_t hash, uint16_t n_workers)
{
	/* Multiply-shift: the same spread as hash % n, without a division per packet. */
	return (uint16_t)(((uint64_t)hash * n_workers) >> 32);
}

/*
 * Create the rings between every pair of the @n workers (ctrlplane, before launch).
 * Returns 0 or a negative errno; on failure nothing is left allocated.
 */
int steer_create(struct worker *const *workers, uint16_t n);

/* Free the rings (and any mbufs left in them) after the workers stopped. */
void steer_destroy(struct worker *const *workers, uint16_t n);

/*
 * Hand @m to worker @owner (which is not @w). Takes ownership of @m.
 * Returns VERDICT_STEERED, or VERDICT_DROP_STEER_FULL when the ring was full (then @m is freed).
 */
enum verdict steer_to(struct worker *w, uint16_t owner, struct rte_mbuf *m);

/* Take up to a burst from every incoming ring and run each through sip_input(). */
unsigned int steer_drain(struct worker *w);

#endif
