/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * NAT keep-alive on the control plane (issue 6): turns a growing overrun counter into a
 * capacity warning (KA-7). Each worker's scheduler and transmit side are the keepalive
 * module's (dataplane/keepalive/ka_module.c), made and freed by the module walk in main.c. The counters themselves reach
 * stats.get through w->counters (ka_worker_mirror).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>

#include "ctrlplane/ctl_keepalive.h"
#include "ctrlplane/daemon.h"
#include "ctrlplane/log.h"
#include "dataplane/keepalive/ka_worker.h"
#include "dataplane/net/neigh.h"
#include "dataplane/policy/policy.h"
#include "dataplane/registrar/location.h"
#include "dataplane/registrar/registrar.h"
#include "dataplane/steer.h"
#include "dataplane/worker.h"

static uint64_t ctl_ka_overruns_seen; /* main lcore only */

void
ctl_keepalive_watch(struct daemon *d)
{
	uint64_t overruns = 0, missed = 0;
	uint16_t i;

	for (i = 0; i < d->env.n_workers; i++) {
		const struct worker *w = d->env.workers[i];

		overruns += __atomic_load_n(&w->counters[COUNTER_KA_OVERRUNS], __ATOMIC_RELAXED);
		missed += __atomic_load_n(&w->counters[COUNTER_KA_NOT_REACHED], __ATOMIC_RELAXED);
	}
	if (overruns <= ctl_ka_overruns_seen)
		return;
	ctl_ka_overruns_seen = overruns;
	CP_LOG(WARNING,
	       "keepalive: capacity exceeded: %" PRIu64 " cycle(s) ended before every NAT binding "
	       "was reached (%" PRIu64 " missed in all); raise SS_SIP_NAT_KEEP_ALIVE_SEND_ONE_TIME "
	       "or PERIOD, or lower SEND_INTERVAL (KA-7)",
	       overruns, missed);
}

/*
 * ---- BENCHMARK ONLY: --bench-ka-bindings (scripts/bench_keepalive.sh) ----
 * Synthetic NAT bindings: account i is "behind NAT" at 100.64.0.0 + i (RFC 6598 shared
 * space, off-link, so every keep-alive goes via the interface's gateway), source port
 * 1024 + i mod 64512, registered on our first interface's address and SIP port, expiring in
 * 30 days on the registrar clock. The accounts must exist: the registrar's sweep removes
 * bindings of unknown accounts.
 */
#define CTL_KA_BENCH_NET 0x64400000u /* 100.64.0.0, host order */
#define CTL_KA_BENCH_TTL_S (30u * 86400u)

static const struct rte_ether_addr ctl_ka_bench_gw_mac = {
	.addr_bytes = {0x02, 0x00, 0x00, 0x00, 0x00, 0xfe}};

int
ctl_keepalive_bench_preload(struct daemon *d, const struct snapshot *snap)
{
	uint32_t n = d->opts.bench_ka_bindings, i, now, per_worker[SF_MAX_WORKERS] = {0};
	const struct sf_iface *ifc = NULL;
	uint64_t t0 = rte_rdtsc();
	uint16_t p, k;

	if (n == 0)
		return 0;
	for (p = 0; p < SF_MAX_PORTS && ifc == NULL; p++)
		if (snap->ifaces[p].present && d->env.workers[0]->ports[p].neigh != NULL)
			ifc = &snap->ifaces[p];
	if (ifc == NULL || ifc->gateway == 0 || snap->policy == NULL ||
	    snap->policy->n_accounts < n) {
		CP_LOG(ERR, "--bench-ka-bindings %u: needs an interface with a gateway and at least "
			    "%u accounts in the config", n, n);
		return -EINVAL;
	}
	p--;
	CP_LOG(WARNING, "--bench-ka-bindings %u: synthetic NAT bindings, gateway MAC forced; "
			"BENCHMARK ONLY", n);
	if (!neigh_learn(d->env.workers[0]->ports[p].neigh, ifc->gateway, &ctl_ka_bench_gw_mac))
		return -EINVAL;
	for (i = 0; i < n; i++) {
		const struct policy_account *a = &snap->policy->accounts[i];
		struct sf_span aor = {(const uint8_t *)a->user, a->user_len};
		uint16_t owner = steer_owner(location_aor_hash(aor), d->env.n_workers);
		struct registrar *reg = d->env.workers[owner]->reg;
		struct location_binding b;
		int rc;

		now = registrar_now(d->env.workers[owner]);
		memset(&b, 0, sizeof(b));
		rc = location_binding_set_text(&b, aor, (struct sf_span){NULL, 0});
		if (rc != 0) {
			CP_LOG(ERR, "--bench-ka-bindings: account %u (%s): AoR: %s", i, a->user,
			       strerror(-rc));
			return rc;
		}
		b.nat = true;
		b.src_ip = htonl(CTL_KA_BENCH_NET + i);
		b.src_port = htons((uint16_t)(1024 + i % 64512));
		b.local_ip = ifc->ipv4;
		b.local_port = snap->sip_port_be;
		b.in_port = p;
		b.granted_s = CTL_KA_BENCH_TTL_S;
		b.expires_at_s = now + CTL_KA_BENCH_TTL_S;
		rc = location_put(reg->loc, &b); /* workers not launched: we are the only writer */
		if (rc != 0) {
			CP_LOG(ERR, "--bench-ka-bindings: binding %u (%s): %s", i, a->user,
			       strerror(-rc));
			return rc;
		}
		per_worker[owner]++;
	}
	for (k = 0; k < d->env.n_workers; k++) {
		ka_worker_bench_enable(d->env.workers[k]);
		CP_LOG(INFO, "--bench-ka-bindings: worker %u: %u NAT bindings", k, per_worker[k]);
	}
	CP_LOG(INFO, "--bench-ka-bindings: %u bindings preloaded in %.2f s", n,
	       (double)(rte_rdtsc() - t0) / (double)rte_get_tsc_hz());
	return 0;
}

void
ctl_keepalive_bench_report(struct daemon *d)
{
	double hz = (double)rte_get_tsc_hz();
	uint16_t k;

	if (d->opts.bench_ka_bindings == 0)
		return;
	for (k = 0; k < d->env.n_workers; k++) {
		struct ka_worker_report r;
		double loop_s, idle_polls;

		ka_worker_report(d->env.workers[k], &r);
		loop_s = (double)r.loop_tsc / hz;
		idle_polls = (double)(r.polls - r.busy_polls);
		printf("keepalive bench: worker %u: bindings %u, sent %" PRIu64 ", skipped %" PRIu64
		       ", cycles %" PRIu64 ", overruns %" PRIu64 ", largest tick %u\n",
		       k, r.bindings, r.sent, r.skipped, r.cycles, r.overruns, r.max_batch);
		printf("keepalive bench: worker %u: accounted %.3f s, %" PRIu64 " scheduler polls (%"
		       PRIu64 " sending); in them %.4f%% of the time, in sending ones %.4f%%\n",
		       k, loop_s, r.polls, r.busy_polls,
		       r.loop_tsc ? 100.0 * (double)r.poll_tsc / (double)r.loop_tsc : 0.0,
		       r.loop_tsc ? 100.0 * (double)r.busy_tsc / (double)r.loop_tsc : 0.0);
		printf("keepalive bench: worker %u: %.1f ns per keep-alive (sending polls / sent), "
		       "%.1f ns per idle scheduler poll, longest poll %.1f us, longest sending run %.2f ms\n",
		       k, r.sent ? 1e9 * (double)r.busy_tsc / hz / (double)r.sent : 0.0,
		       idle_polls > 0 ? 1e9 * (double)(r.poll_tsc - r.busy_tsc) / hz / idle_polls
				      : 0.0,
		       1e6 * (double)r.max_poll_tsc / hz, 1e3 * (double)r.max_burst_tsc / hz);
	}
}
