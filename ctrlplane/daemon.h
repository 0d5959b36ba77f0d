/* SPDX-License-Identifier: BSD-3-Clause */
/* The running daemon's control-plane state, shared by main.c and the control methods. */
#ifndef SF_DAEMON_H
#define SF_DAEMON_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "ctrlplane/config.h"
#include "ctrlplane/ctl_server.h"
#include "ctrlplane/ports.h"
#include "ctrlplane/publish.h"

struct daemon_opts {
	const char *config_path;
	const char *ctl_path;
	uint64_t bench_packets; /* 0 = run until a signal */
	bool bench_fixed_nonce; /* BENCHMARK ONLY: fixed nonce key and frozen registrar clock */
	uint32_t bench_clock_step_s; /* TEST ONLY: that clock advances S s per SIP datagram */
	bool bench_discard;     /* BENCHMARK ONLY: workers RX and free, nothing else */
	uint32_t bench_ka_bindings; /* BENCHMARK ONLY: synthetic NAT bindings preloaded, 0 = none */
};

struct auth_shared;

struct daemon {
	struct daemon_opts opts;
	json_t *doc;                /* the running config document (owned) */
	struct sf_runtime runtime;  /* start-up sizing of the running process */
	struct rte_rcu_qsbr *qsbr;
	struct net_env env;
	struct publisher pub;
	struct ctl_server *ctl;
	struct registrar_shared *registrar; /* issue 5: shards (ctl_registrar.c) */
	struct auth_shared *auth;   /* nonce keys, rotated by ctl_registrar_tick() */
	struct ctl_requests *req;   /* control -> worker requests in flight (ctl_request.h) */
	struct ctl_calls *calls;    /* calls.list, calls.hangup (ctl_calls.h) */
};

/* Register version, stats.get and config.* on the control socket, and the poller that
 * collects the workers' answers to control requests (d->req). Returns 0 or -errno. */
int ctl_methods_register(struct daemon *d);

/* Before the modules are set up on the workers: each worker's request channel (w->req).
 * After the workers stopped: free them. 0 or -errno. */
int ctl_requests_start(struct daemon *d);
void ctl_requests_stop(struct daemon *d);

/* Registrar (ctl_registrar.c): the shared state (keys, shard table) before the modules'
 * worker_init, freed after their fini; and registrations.list, suspended.list,
 * suspended.clear. 0 or -errno. */
int ctl_registrar_start(struct daemon *d);
void ctl_registrar_stop(struct daemon *d);
/* BENCHMARK/TEST ONLY (--bench-fixed-nonce): the frozen registrar clock, after worker_init. */
void ctl_registrar_bench_clock(struct daemon *d);
/* Control loop: rotate the nonce key every NONCE_KEY_ROTATE_S (not with --bench-fixed-nonce). */
void ctl_registrar_tick(struct daemon *d);
int ctl_registrar_register(struct daemon *d);

#endif
