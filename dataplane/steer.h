/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Owner hand-off: every piece of SIP state has one owner worker computed from the datagram
 * (hash of a key). A worker that receives a datagram it does not own passes the mbuf, with
 * what it learnt about it (pkt_meta.h struct pkt_sip), to the owner over a per-pair
 * single-producer/single-consumer ring. Owner rules: docs/ARCHITECTURE.md "State ownership
 * and hand-off". steer does not know what the owner does with a datagram: steer_drain()
 * hands each one to the handler given to steer_create().
 */
#ifndef SF_STEER_H
#define SF_STEER_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_hash_crc.h>
#include <rte_mbuf.h>

#include "dataplane/verdict.h"

struct worker;

#define STEER_RING_SIZE 1024     /* per worker pair */
/*
 * Per worker pair, on the producer: datagrams whose work was already paid for (scanned,
 * authenticated) wait here when the ring is full, and go first at the next steer_drain().
 * A ring's worth plus bursts: while it holds anything the worker takes no new frames
 * (steer_backlogged()), so only what it drains from other workers' rings can still add.
 */
#define STEER_OVERFLOW_SIZE 4096

/* What the owner runs on a datagram taken from a ring (sip_resume()); takes ownership. */
typedef enum verdict (*steer_handler_fn)(struct worker *w, struct rte_mbuf *m);

/*
 * Loops a worker may go without being able to move a held datagram on before it takes new
 * frames again anyway (the consumer stopped, e.g. a --bench-packets worker that is done):
 * back-pressure must never stop a worker for good. ~0.1 s of empty loops.
 */
#define STEER_STALL_LOOPS (1u << 20)

/* Most workers the hand-off serves: worker.h SF_MAX_WORKERS (checked in steer.c). */
#define STEER_MAX_WORKERS 32

/* Datagrams for one full ring, oldest first (a FIFO: a hand-off keeps its order). */
struct steer_queue {
	uint32_t head;
	uint32_t count;
	struct rte_mbuf *m[STEER_OVERFLOW_SIZE];
};

/*
 * One worker's side of the hand-off, indexed by worker index; its lcore alone touches it
 * (steer.c, and steer_setup.c before launch and after stop).
 */
struct steer_lcore {
	steer_handler_fn fn;                      /* what runs a datagram taken from a ring */
	uint32_t held;                            /* datagrams in all of q[] */
	uint32_t stalled;                         /* drains in a row that moved none on */
	struct steer_queue *q[STEER_MAX_WORKERS]; /* to worker j; NULL for j == self */
} __rte_cache_aligned;

extern struct steer_lcore steer_lcores[STEER_MAX_WORKERS];

/* Owner worker index of a state key with hash @hash among @n_workers. */
static inline uint16_t
steer_owner(uint32_t hash, uint16_t n_workers)
{
	/* Multiply-shift: the same spread as hash % n, without a division per packet. */
	return (uint16_t)(((uint64_t)hash * n_workers) >> 32);
}

/*
 * Rule S: the worker that owns source address @ip_be (network order): lockouts, auth
 * sessions, replay table and the reply budget of that address live there.
 */
static inline uint16_t
steer_source_owner(uint32_t ip_be, uint16_t n_workers)
{
	return steer_owner(rte_hash_crc_4byte(ip_be, 0), n_workers);
}

/*
 * Create the rings and overflow queues between every pair of the @n workers (ctrlplane,
 * before launch); @fn runs every datagram steer_drain() takes. One set of workers per process.
 * Returns 0 or a negative errno; on failure nothing is left allocated. (steer_setup.c)
 */
int steer_create(struct worker *const *workers, uint16_t n, steer_handler_fn fn);

/* Free the rings and queues (and any mbufs left in them) after the workers stopped. */
void steer_destroy(struct worker *const *workers, uint16_t n);

/*
 * Hand @m, nothing of it read yet, to worker @owner (not @w). Takes ownership of @m.
 * Returns VERDICT_STEERED, or VERDICT_DROP_STEER_FULL_SOURCE when the ring was full (then
 * @m is freed: nothing was spent on it).
 */
enum verdict steer_to(struct worker *w, uint16_t owner, struct rte_mbuf *m);

/*
 * Hand @m, on which work was spent (scanned, authenticated), to worker @owner (not @w). Takes
 * ownership. A full ring does not lose it: it waits in the overflow queue (counted
 * steer_held) and goes first at the next steer_drain(). VERDICT_STEERED, or
 * VERDICT_DROP_STEER_FULL_PAID only when that queue is full too (must stay 0).
 */
enum verdict steer_hold(struct worker *w, uint16_t owner, struct rte_mbuf *m);

/*
 * Move held datagrams on to their rings, then take up to a burst from every incoming ring
 * and run each through the handler. Returns the number taken from rings.
 */
unsigned int steer_drain(struct worker *w);

/*
 * True while @w holds datagrams for a full ring and their consumer still takes some: it should
 * take no new frames meanwhile (false again after STEER_STALL_LOOPS drains without progress).
 */
bool steer_backlogged(const struct worker *w);

#endif
