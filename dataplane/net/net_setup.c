/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Net's per-lcore state made and freed on the control plane (cold): struct net_worker on the
 * worker's socket, its reassembly table, the hold queue's timer kind on w->wheel.
 */
#include <errno.h>

#include <rte_cycles.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include "dataplane/net/net.h"
#include "dataplane/net/net_worker.h"
#include "dataplane/worker.h"

#define NET_FRAG_BUCKET_ENTRIES 16

int
net_setup_worker_init(struct worker *w, const struct module_env *env)
{
	int socket = (int)rte_lcore_to_socket_id(w->lcore_id);
	uint64_t ms = rte_get_tsc_hz() / 1000;
	struct net_worker *net;
	int rc;

	if (socket < 0 || socket >= RTE_MAX_NUMA_NODES)
		socket = 0;
	net = rte_zmalloc_socket("sf_net", sizeof(*net), RTE_CACHE_LINE_SIZE, socket);
	if (net == NULL)
		return -ENOMEM;
	net->hold_ms = env->arp_hold_ms;
	net->arp_retry_ms = env->arp_retry_ms;
	net->hold_cycles = ms * env->arp_hold_ms;
	net->arp_retry_cycles = ms * env->arp_retry_ms;
	net->frag_window_cycles = ms * env->frag_timeout_ms;
	net->frag_source_max = env->frag_source_max;
	net->ip_id = w->index;
	net->frag_tbl = rte_ip_frag_table_create(env->frag_max_flows / NET_FRAG_BUCKET_ENTRIES + 1,
						 NET_FRAG_BUCKET_ENTRIES, env->frag_max_flows,
						 ms * env->frag_timeout_ms, socket);
	if (net->frag_tbl == NULL) {
		rte_free(net);
		return -ENOMEM;
	}
	rc = tw_set_handler(&w->wheel, TW_KIND_ARP_HOLD, hold_timer_fired, w);
	if (rc != 0) {
		rte_ip_frag_table_destroy(net->frag_tbl);
		rte_free(net);
		return rc;
	}
	w->net = net;
	return 0;
}

void
net_setup_worker_fini(struct worker *w)
{
	struct net_worker *net = w->net;

	if (net == NULL)
		return;
	hold_flush(w);
	rte_ip_frag_table_destroy(net->frag_tbl); /* frees the mbufs it holds */
	rte_ip_frag_free_death_row(&net->death_row, 0);
	rte_free(net);
	w->net = NULL;
}
