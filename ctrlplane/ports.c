/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Start-up of the data plane: one packet pool per NUMA socket in use, every configured port
 * with one RX and one TX queue per worker (RSS on IPv4/UDP where the port has it), and the
 * worker structs on their own sockets.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <numa.h>
#include <rte_cycles.h>
#include <rte_dev.h>
#include <rte_devargs.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include "ctrlplane/log.h"
#include "ctrlplane/ports.h"
#include "dataplane/net/neigh.h"
#include "dataplane/pkt_meta.h"

#define BIG_MBUF_DATA (16384 + RTE_PKTMBUF_HEADROOM) /* bytes: a reassembled datagram */
#define SF_RSS_WANTED (RTE_ETH_RSS_IPV4 | RTE_ETH_RSS_FRAG_IPV4 | RTE_ETH_RSS_NONFRAG_IPV4_UDP)

/*
 * net_af_packet copies each frame into one RX mbuf and refuses a queue whose mbufs are
 * smaller than its ring frames (framesz less 32 bytes of TPACKET2 header, DPDK 22.11
 * eth_rx_queue_setup). The kernel hands it datagrams it reassembled (fanout with DEFRAG) as
 * one frame, so the test bed gives it frames big enough for the largest datagram we accept
 * (scripts/testbed.sh vdev) and the port gets an RX pool with that data room. Returns the
 * data room a port's RX mbufs need, 0 for the default.
 */
#define AF_PACKET_FRAME_HDR 32 /* TPACKET2_HDRLEN - sizeof(struct sockaddr_ll) */

static uint32_t
port_rx_data_room(const struct rte_eth_dev_info *info)
{
	const struct rte_devargs *da;
	const char *arg;
	unsigned long framesz;

	if (info->device == NULL || strcmp(info->driver_name, "net_af_packet") != 0)
		return 0;
	da = rte_dev_devargs(info->device);
	if (da == NULL || da->args == NULL || (arg = strstr(da->args, "framesz=")) == NULL)
		return 0;
	framesz = strtoul(arg + strlen("framesz="), NULL, 0);
	if (framesz <= AF_PACKET_FRAME_HDR + RTE_MBUF_DEFAULT_DATAROOM || framesz > UINT16_MAX - RTE_PKTMBUF_HEADROOM)
		return 0;
	return (uint32_t)(framesz - AF_PACKET_FRAME_HDR);
}

/*
 * The RX pool of a port whose frames exceed the default mbuf (port_rx_data_room): enough
 * mbufs for every queue's descriptors and a burst in flight each; the frames wait in the
 * kernel ring while it is empty. NULL: use the socket's packet pool.
 */
static int
port_rx_pool(struct net_env *env, uint16_t port, const struct rte_eth_dev_info *info,
	     uint16_t nq, uint16_t rxd, const struct sf_runtime *rt, unsigned int socket)
{
	uint32_t room = port_rx_data_room(info), n;
	char name[RTE_MEMPOOL_NAMESIZE];

	if (room == 0)
		return 0;
	n = rte_align32pow2((uint32_t)nq * (rxd + 2u * SF_BURST)) - 1;
	snprintf(name, sizeof(name), "sf_rx_p%u", port);
	env->rx_pool[port] = rte_pktmbuf_pool_create(name, n, n >= 4 * rt->mbuf_cache ?
							      rt->mbuf_cache : 0,
						     SF_MBUF_PRIV_SIZE,
						     (uint16_t)(room + RTE_PKTMBUF_HEADROOM),
						     (int)socket);
	if (env->rx_pool[port] == NULL) {
		CP_LOG(ERR, "port %u: cannot create its RX pool (%u mbufs of %u bytes for "
			    "framesz): %s; give EAL more memory (-m) or lower framesz/rx_desc",
		       port, n, room, rte_strerror(rte_errno));
		return -ENOMEM;
	}
	CP_LOG(INFO, "port %u (%s): RX frames up to %u bytes, %u-mbuf RX pool", port,
	       info->driver_name, room, n);
	return 0;
}

/* Socket of an lcore or port, mapping "any" (virtual devices) to 0. */
static unsigned int
env_socket(int s)
{
	return s < 0 ? 0 : (unsigned int)s;
}

static int
env_pools(struct net_env *env, unsigned int socket, const struct sf_runtime *rt)
{
	char name[RTE_MEMPOOL_NAMESIZE];

	if (env->pool[socket] != NULL)
		return 0;
	snprintf(name, sizeof(name), "sf_pool_%u", socket);
	env->pool[socket] = rte_pktmbuf_pool_create(name, rt->mbufs_per_socket, rt->mbuf_cache,
						    SF_MBUF_PRIV_SIZE, RTE_MBUF_DEFAULT_BUF_SIZE,
						    (int)socket);
	snprintf(name, sizeof(name), "sf_big_%u", socket);
	env->big_pool[socket] = rte_pktmbuf_pool_create(name, rt->big_mbufs, 0, SF_MBUF_PRIV_SIZE,
							BIG_MBUF_DATA, (int)socket);
	/* no per-lcore cache: the pool's size is the bound on what reassembly holds */
	snprintf(name, sizeof(name), "sf_frag_%u", socket);
	env->frag_pool[socket] = rte_pktmbuf_pool_create(name, rt->frag_mbufs, 0,
							 SF_MBUF_PRIV_SIZE,
							 RTE_MBUF_DEFAULT_BUF_SIZE, (int)socket);
	if (env->pool[socket] == NULL || env->big_pool[socket] == NULL ||
	    env->frag_pool[socket] == NULL) {
		CP_LOG(ERR, "socket %u: cannot create packet pools (%u + %u + %u mbufs): %s; "
			    "lower runtime.mbufs_per_socket / big_mbufs / frag_mbufs or give EAL "
			    "more memory (-m)",
		       socket, rt->mbufs_per_socket, rt->big_mbufs, rt->frag_mbufs,
		       rte_strerror(rte_errno));
		return -ENOMEM;
	}
	return 0;
}

static void
port_conf_build(uint16_t port, const struct rte_eth_dev_info *info, uint16_t n_queues,
		struct rte_eth_conf *conf)
{
	uint64_t rss = info->flow_type_rss_offloads & SF_RSS_WANTED;

	memset(conf, 0, sizeof(*conf));
	if (n_queues > 1 && rss != 0) {
		conf->rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf->rx_adv_conf.rss_conf.rss_hf = rss;
		CP_LOG(INFO, "port %u: RSS over %u queues (hash types 0x%" PRIx64 ")", port,
		       n_queues, rss);
	} else if (n_queues > 1) {
		CP_LOG(INFO, "port %u: no RSS; %u queues rely on the driver's own spreading "
			     "(net_af_packet: kernel fanout by flow hash)", port, n_queues);
	}
	conf->rxmode.offloads = info->rx_offload_capa &
				(RTE_ETH_RX_OFFLOAD_IPV4_CKSUM | RTE_ETH_RX_OFFLOAD_UDP_CKSUM);
	conf->txmode.offloads = info->tx_offload_capa &
				(RTE_ETH_TX_OFFLOAD_IPV4_CKSUM | RTE_ETH_TX_OFFLOAD_UDP_CKSUM |
				 RTE_ETH_TX_OFFLOAD_MULTI_SEGS);
}

static int
port_start(struct net_env *env, uint16_t port, const struct sf_iface *ifc,
	   const struct sf_runtime *rt)
{
	uint16_t nq = env->n_workers, rxd = rt->rx_desc, txd = rt->tx_desc, q;
	struct rte_eth_dev_info info;
	struct rte_eth_conf conf;
	int rc;

	if (!rte_eth_dev_is_valid_port(port)) {
		CP_LOG(ERR, "interfaces: port %u does not exist (EAL found %u ports; add -a PCI or "
			    "--vdev)", port, rte_eth_dev_count_avail());
		return -ENODEV;
	}
	rc = rte_eth_dev_info_get(port, &info);
	if (rc != 0)
		return rc;
	if (info.max_rx_queues < nq || info.max_tx_queues < nq) {
		CP_LOG(ERR, "port %u (%s) has %u RX / %u TX queues, %u workers need %u each "
			    "(net_af_packet: add qpairs=%u to the --vdev)", port, info.driver_name,
		       info.max_rx_queues, info.max_tx_queues, nq, nq, nq);
		return -EINVAL;
	}
	port_conf_build(port, &info, nq, &conf);
	rc = rte_eth_dev_configure(port, nq, nq, &conf);
	if (rc == 0)
		rc = rte_eth_dev_adjust_nb_rx_tx_desc(port, &rxd, &txd);
	if (rc != 0) {
		CP_LOG(ERR, "port %u: configure failed: %s", port, rte_strerror(-rc));
		return rc;
	}
	if (rte_eth_dev_set_mtu(port, ifc->mtu) != 0)
		CP_LOG(WARNING, "port %u: cannot set MTU %u; fragmenting to it anyway", port,
		       ifc->mtu);
	for (q = 0; q < nq; q++) {
		struct worker *w = env->workers[q];
		unsigned int s = env_socket(rte_eth_dev_socket_id(port));

		if (rte_eth_dev_socket_id(port) < 0)
			s = env_socket((int)rte_lcore_to_socket_id(w->lcore_id));
		rc = env_pools(env, s, rt);
		if (rc == 0 && q == 0)
			rc = port_rx_pool(env, port, &info, nq, rxd, rt, s);
		if (rc == 0)
			rc = rte_eth_rx_queue_setup(port, q, rxd, s, NULL,
						    env->rx_pool[port] != NULL ? env->rx_pool[port] :
										 env->pool[s]);
		if (rc == 0)
			rc = rte_eth_tx_queue_setup(port, q, txd, s, NULL);
		if (rc != 0) {
			CP_LOG(ERR, "port %u queue %u: setup failed: %s", port, q,
			       rte_strerror(rc < 0 ? -rc : rc));
			return rc < 0 ? rc : -rc;
		}
		w->ports[port].port_id = port;
		w->ports[port].queue = q;
		w->ports[port].rx_cksum_offload =
			(conf.rxmode.offloads & RTE_ETH_RX_OFFLOAD_UDP_CKSUM) != 0;
		w->ports[port].tx_cksum_offload =
			(conf.txmode.offloads & RTE_ETH_TX_OFFLOAD_UDP_CKSUM) != 0;
		w->ports[port].neigh = env->neigh[port];
	}
	rc = rte_eth_dev_start(port);
	if (rc != 0) {
		CP_LOG(ERR, "port %u: start failed: %s", port, rte_strerror(-rc));
		return rc;
	}
	env->port_started[port] = true;
	for (q = 0; q < nq; q++)
		rte_eth_macaddr_get(port, &env->workers[q]->ports[port].mac);
	CP_LOG(INFO, "port %u (%s): %u queue pairs, %u/%u descriptors", port, info.driver_name,
	       nq, rxd, txd);
	return 0;
}

/*
 * The worker-side objects the loop itself needs: pools, TX buffers, config ring, the wheel.
 * Module state (reassembly table, ARP hold queue, registrar, keep-alive) is made afterwards by
 * each module's worker_init (ctrlplane/main.c, dataplane/module.h).
 */
static int
worker_setup(struct net_env *env, struct worker *w, const struct snapshot *snap,
	     const struct sf_runtime *rt)
{
	int socket = (int)env_socket((int)rte_lcore_to_socket_id(w->lcore_id));
	uint64_t ms = rte_get_tsc_hz() / 1000;
	char name[RTE_RING_NAMESIZE];
	uint16_t p;
	int rc;

	rc = env_pools(env, (unsigned int)socket, rt);
	if (rc != 0)
		return rc;
	w->pool = env->pool[socket];
	w->big_pool = env->big_pool[socket];
	w->frag_pool = env->frag_pool[socket];
	w->stop = &env->stop;
	w->tx_drain_cycles = ms * rt->tx_drain_us / 1000;
	worker_timers_init(w);
	snprintf(name, sizeof(name), "sf_cfg_%u", w->index);
	w->cfg_ring = rte_ring_create(name, 16, socket, RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (w->cfg_ring == NULL)
		return -ENOMEM;
	for (p = 0; p < SF_MAX_PORTS; p++) {
		struct rte_eth_dev_tx_buffer *b;

		if (!snap->ifaces[p].present)
			continue;
		b = rte_zmalloc_socket("sf_txb", RTE_ETH_TX_BUFFER_SIZE(SF_BURST), 0, socket);
		if (b == NULL)
			return -ENOMEM;
		rte_eth_tx_buffer_init(b, SF_BURST);
		rte_eth_tx_buffer_set_err_callback(b, rte_eth_tx_buffer_count_callback,
						   &w->counters[COUNTER_TX_DROPPED]);
		w->ports[p].txb = b;
	}
	return 0;
}

static int
env_workers(struct net_env *env, const struct snapshot *snap, const struct sf_runtime *rt,
	    struct rte_rcu_qsbr *qsbr)
{
	unsigned int lcore;
	uint16_t n = 0;
	int rc;

	RTE_LCORE_FOREACH_WORKER(lcore) {
		struct worker *w;
		int s = (int)env_socket((int)rte_lcore_to_socket_id(lcore));

		if (n == SF_MAX_WORKERS) {
			CP_LOG(ERR, "more than %d worker lcores", SF_MAX_WORKERS);
			return -E2BIG;
		}
		w = rte_zmalloc_socket("sf_worker", sizeof(*w), RTE_CACHE_LINE_SIZE, s);
		if (w == NULL)
			return -ENOMEM;
		env->workers[n] = w;
		w->lcore_id = lcore;
		w->index = n++;
		w->qsbr = qsbr;
	}
	if (n == 0) {
		CP_LOG(ERR, "no worker lcore: give EAL at least two lcores, e.g. --lcores '0@0,1@1'");
		return -EINVAL;
	}
	env->n_workers = n;
	for (uint16_t i = 0; i < n; i++) {
		env->workers[i]->n_workers = n;
		rc = worker_setup(env, env->workers[i], snap, rt);
		if (rc != 0)
			return rc;
		rte_rcu_qsbr_thread_register(qsbr, env->workers[i]->lcore_id);
	}
	return 0;
}

static void
env_numa_report(const struct net_env *env)
{
	uint16_t i, p;

	if (numa_available() < 0)
		return;
	for (i = 0; i < env->n_workers; i++) {
		const struct worker *w = env->workers[i];

		for (p = 0; p < SF_MAX_PORTS; p++) {
			int ps = env->port_started[p] ? rte_eth_dev_socket_id(p) : -1;

			if (ps >= 0 &&
			    (unsigned int)ps != rte_lcore_to_socket_id(w->lcore_id))
				CP_LOG(WARNING, "worker lcore %u (node %u) polls port %u on node %d: "
						"cross-NUMA traffic; pin workers to node %d",
				       w->lcore_id, rte_lcore_to_socket_id(w->lcore_id), p, ps, ps);
		}
	}
}

int
net_env_create(struct net_env *env, const struct snapshot *snap, const struct sf_runtime *rt,
	       struct rte_rcu_qsbr *qsbr)
{
	uint16_t p;
	int rc;

	rc = env_workers(env, snap, rt, qsbr);
	if (rc != 0)
		return rc;
	for (p = 0; p < SF_MAX_PORTS; p++) {
		if (!snap->ifaces[p].present)
			continue;
		env->neigh[p] = rte_zmalloc("sf_neigh", sizeof(struct neigh_table), 0);
		if (env->neigh[p] == NULL)
			return -ENOMEM;
		neigh_init(env->neigh[p], snap->ifaces[p].ipv4, snap->ifaces[p].prefix_len);
		if (snap->ifaces[p].gateway_mac_set) {
			struct rte_ether_addr gw;

			memcpy(gw.addr_bytes, snap->ifaces[p].gateway_mac, RTE_ETHER_ADDR_LEN);
			neigh_pin(env->neigh[p], snap->ifaces[p].gateway, &gw);
		}
		rc = port_start(env, p, &snap->ifaces[p], rt);
		if (rc != 0)
			return rc;
	}
	env_numa_report(env);
	return 0;
}

void
net_env_destroy(struct net_env *env)
{
	unsigned int s;
	uint16_t i, p;

	for (p = 0; p < SF_MAX_PORTS; p++) {
		if (env->port_started[p]) {
			rte_eth_dev_stop(p);
			rte_eth_dev_close(p);
		}
		rte_free(env->neigh[p]);
		rte_mempool_free(env->rx_pool[p]);
	}
	for (i = 0; i < SF_MAX_WORKERS; i++) { /* also the ones a failed start-up left */
		struct worker *w = env->workers[i];

		if (w == NULL)
			continue;
		for (p = 0; p < SF_MAX_PORTS; p++)
			rte_free(w->ports[p].txb);
		rte_ring_free(w->cfg_ring);
		rte_free(w); /* its modules' state went in loop_modules_fini() (main.c) */
		env->workers[i] = NULL;
	}
	for (s = 0; s < RTE_MAX_NUMA_NODES; s++) {
		rte_mempool_free(env->pool[s]);
		rte_mempool_free(env->big_pool[s]);
		rte_mempool_free(env->frag_pool[s]);
	}
}
