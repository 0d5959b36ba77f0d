/* SPDX-License-Identifier: BSD-3-Clause */
/* NAT keep-alive on the control plane (issue 6): capacity warning (KA-7), bench preload. */
#ifndef SF_CTL_KEEPALIVE_H
#define SF_CTL_KEEPALIVE_H

#include <stdint.h>

struct daemon;
struct snapshot;

/* Largest --bench-ka-bindings: the policy's account limit (POLICY_MAX_ACCOUNTS). */
#define CTL_KA_BENCH_MAX 1000000u

/** Main loop: warn when the keep-alive overrun counter grew since the last call (KA-7). */
void ctl_keepalive_watch(struct daemon *d);

/*
 * BENCHMARK ONLY (--bench-ka-bindings N; 0 = off, returns 0): before launch, after the
 * modules' worker_init (main.c): put one synthetic NAT binding for each of @snap's first N accounts
 * into its owner worker's location shard (so it joins that worker's keep-alive schedule),
 * set the gateway's MAC, and turn on the TSC accounting of the keep-alive poll. 0 or -errno.
 */
int ctl_keepalive_bench_preload(struct daemon *d, const struct snapshot *snap);

/** BENCHMARK ONLY: after the workers stopped, print the keep-alive report of every worker. */
void ctl_keepalive_bench_report(struct daemon *d);

#endif
