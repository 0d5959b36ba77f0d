/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Net's entry in the module table (dataplane/module.h): reassembly and the ARP hold queue on
 * the worker. Set-up and teardown are in net_setup.c.
 */
#include "dataplane/module.h"
#include "dataplane/net/net.h"
#include "dataplane/net/net_worker.h"
#include "dataplane/worker.h"

/* Every loop pass: free what reassembly refused during the bursts. */
static void
net_module_poll(struct worker *w, uint64_t now_tsc)
{
	RTE_SET_USED(now_tsc);
	frag_free_refused(w);
}

/* Housekeeping tick: send held packets whose next hop answered; expire reassemblies. */
static void
net_module_housekeeping(struct worker *w, uint64_t now_tsc)
{
	if (w->net->n_hold > 0)
		hold_service(w);
	frag_expire(w, now_tsc);
}

/* Loop end: nothing held survives the worker (the TX buffers were flushed before this). */
static void
net_module_stop(struct worker *w)
{
	hold_flush(w);
	frag_free_refused(w);
}

const struct module_ops net_module = {
	.name = "net",
	.worker_init = net_setup_worker_init,
	.poll = net_module_poll,
	.housekeeping = net_module_housekeeping,
	.stop = net_module_stop,
	.fini = net_setup_worker_fini,
};
