/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * NAT keep-alive on the control plane (issue 6): makes each worker's scheduler (capacity =
 * its location shard's) and transmit side before launch, frees them after the stop, and turns
 * a growing overrun counter into a capacity warning (KA-7). The counters themselves reach
 * stats.get through w->counters (ka_worker_mirror).
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "ctrlplane/ctl_keepalive.h"
#include "ctrlplane/daemon.h"
#include "ctrlplane/log.h"
#include "dataplane/keepalive/ka_worker.h"
#include "dataplane/registrar/registrar.h"
#include "dataplane/worker.h"

static uint64_t ctl_ka_overruns_seen; /* main lcore only */

int
ctl_keepalive_start(struct daemon *d)
{
	uint16_t i;
	int rc;

	for (i = 0; i < d->env.n_workers; i++) {
		struct worker *w = d->env.workers[i];

		rc = ka_worker_init(w, location_capacity(w->reg->loc));
		if (rc != 0) {
			CP_LOG(ERR, "keepalive: worker %u: %s", i, strerror(-rc));
			return rc;
		}
	}
	return 0;
}

void
ctl_keepalive_stop(struct daemon *d)
{
	uint16_t i;

	for (i = 0; i < d->env.n_workers; i++)
		if (d->env.workers[i] != NULL)
			ka_worker_fini(d->env.workers[i]);
}

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
