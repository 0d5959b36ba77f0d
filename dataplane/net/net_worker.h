/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The net layer's per-lcore state (w->net): the IPv4 reassembly table and its budgets, the
 * ARP hold queue and the IPv4 id counter. Created on the worker's socket by net's module
 * worker_init (net_setup.c) before launch; touched by its worker lcore only afterwards.
 */
#ifndef SF_NET_WORKER_H
#define SF_NET_WORKER_H

#include <stdint.h>

#include <rte_ip_frag.h>
#include <rte_mbuf.h>

#include "dataplane/module.h"
#include "dataplane/timer/timer_wheel.h"

#define SF_HOLD_MAX 32          /* packets waiting for ARP, per worker (one bit each in hold_used) */
#define SF_FRAG_SOURCES 1024    /* per-source fragment budgets, per worker (hashed) */
#define NET_ARP_RETRY_MS 200    /* a held packet's next hop is asked again this often */

/*
 * Fragments admitted from one source address in the current window (net/frag.c). Hashed
 * slots: a colliding source takes the slot over with a fresh count, so a budget is a per-
 * source ceiling, never a shared one.
 */
struct frag_source {
	uint32_t src;     /* network byte order */
	uint32_t window;  /* now / frag_window_cycles when counting began */
	uint32_t count;
};

/*
 * One packet waiting for its next hop's MAC. Its timer (TW_KIND_ARP_HOLD on w->wheel) fires
 * when the next hop is to be asked again or the deadline has come; a slot never moves while
 * in use (the wheel links its node).
 */
struct hold_entry {
	struct tw_node timer;    /* first: the wheel's callback finds the entry from it */
	struct rte_mbuf *m;      /* IPv4 packet with Ethernet headroom; owned by the queue */
	uint64_t deadline_ms;    /* dropped at this wheel tick (worker_now_ms clock) */
	uint32_t next_hop;       /* network byte order */
	uint16_t port_id;
};

struct net_worker {
	/* Set by net_setup_worker_init(), read-only afterwards. */
	uint64_t hold_cycles;                   /* TSC a packet may wait for ARP (neigh_asked) */
	uint64_t arp_retry_cycles;              /* TSC between ARP requests (neigh_asked) */
	uint32_t hold_ms;                       /* wheel ticks a packet may wait for ARP */
	uint32_t arp_retry_ms;                  /* wheel ticks between ARP requests */
	uint64_t frag_window_cycles;            /* per-source budget window = reassembly timeout */
	uint32_t frag_source_max;               /* fragments one source may have admitted per window */
	struct rte_ip_frag_tbl *frag_tbl;

	/* Touched by the worker lcore only. */
	uint16_t ip_id;                         /* next IPv4 id: index + k * n_workers */
	uint16_t n_hold;                        /* bits set in hold_used */
	uint32_t hold_used;                     /* bit i: hold[i] holds a packet */
	struct hold_entry hold[SF_HOLD_MAX];
	struct rte_ip_frag_death_row death_row; /* refused fragments, freed after each loop pass */
	struct frag_source frag_src[SF_FRAG_SOURCES]; /* hashed by source address */
};

/*
 * Net's module entry points (net_module.c). worker_init (cold, net_setup.c): allocates w->net
 * on the worker's socket with the reassembly table and the hold queue's timer kind; fini frees
 * it, and every mbuf it still holds. 0 or -errno.
 */
int net_setup_worker_init(struct worker *w, const struct module_env *env);
void net_setup_worker_fini(struct worker *w);

#endif
