/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The worker loop, the top room of the dataplane: it includes every room and drives them. It
 * calls the packet path (net, then SIP) by name and every module only through the module
 * table (dataplane/module.h); ctrlplane walks the same table to set modules up and down.
 */
#ifndef SF_LOOP_H
#define SF_LOOP_H

#include <stdint.h>

#include <rte_mbuf.h>

#include "dataplane/module.h"
#include "dataplane/verdict.h"
#include "dataplane/worker.h"

/* Every dataplane module, in loop order (loop.c): what the loop and loop_setup.c walk. */
extern const struct module_ops *const loop_modules[];
extern const unsigned int loop_n_modules;

/* Lcore entry point: @arg is the struct worker. Returns 0 after *w->stop becomes true. */
int loop_main(void *arg);

/*
 * Process one received frame and return its verdict: the net layer (eth_input) and, for a
 * datagram to the SIP port, sip_input(). Takes ownership of @m: the frame is freed,
 * transmitted, held, or steered before this returns. Exposed for tests.
 */
enum verdict loop_classify(struct worker *w, struct rte_mbuf *m, uint16_t port_id);

/*
 * The wheel's turn in the loop at TSC @now_tsc: fire what is due (bounded, SF_TIMER_BUDGET)
 * and, even when the wheel holds no timer, move its clock (w->wheel.now) to now, so a timer
 * armed from the wheel's clock (a transaction's start, dataplane/txn/) counts from the real
 * time, not from when the wheel last held one. Exposed for tests.
 */
void loop_timers(struct worker *w, uint64_t now_tsc);

/*
 * Take the newest snapshot from the config ring, if any (between bursts), and tell every
 * module (config_changed).
 */
void loop_take_new_config(struct worker *w);

/*
 * Control plane, before launch (loop_setup.c): every module's worker_init for @w, in table
 * order. On failure returns the -errno and sets *@failed to the module's name; call
 * loop_modules_fini().
 */
int loop_modules_init(struct worker *w, const struct module_env *env, const char **failed);

/* Control plane, after the workers stopped (or a failed start): every fini, reverse order. */
void loop_modules_fini(struct worker *w);

#endif
