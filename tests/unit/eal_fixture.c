/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * EAL, net_ring port and hand-built worker for the DPDK unit tests (see eal_fixture.h). The
 * worker is put together like ctrlplane/ports.c does it, minus the parts tests do not need.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_errno.h>
#include <rte_ip_frag.h>
#include <rte_malloc.h>

#include "dataplane/loop.h"
#include "dataplane/net/net.h"
#include "dataplane/net/net_worker.h"
#include "dataplane/pkt_meta.h"
#include "tests/unit/eal_fixture.h"

#define FX_RING_SIZE 1024       /* port RX and TX rings */
#define FX_FRAG_MAX_FLOWS 64     /* runtime.frag_max_flows of the fixture worker */

static bool fx_eal_ready;
static uint16_t fx_port_id;
static struct rte_ring *fx_rx_ring;
static struct rte_ring *fx_tx_ring;
static volatile bool fx_stop;
static unsigned int fx_serial; /* makes pool names unique */

static int
fx_start_eal(void)
{
	const char *prefix = getenv("SF_EAL_PREFIX");
	char file_prefix[64];
	char *argv[] = {
		"sf_unit", "--no-huge", "-m", "256", "--no-pci", "--no-shconf", "--no-telemetry",
		"--lcores", "0@0", "--log-level", "lib.eal:error",
		"--log-level", "user1:warning", "--file-prefix", file_prefix,
	};

	snprintf(file_prefix, sizeof(file_prefix), "%s%d", prefix != NULL ? prefix : "sfunit",
		 (int)getpid());
	if (rte_eal_init((int)RTE_DIM(argv), argv) < 0)
		return -rte_errno;
	return 0;
}

/* The net_ring port: what the worker transmits lands in fx_tx_ring. */
static int
fx_start_port(void)
{
	struct rte_eth_conf conf;
	struct rte_mempool *rx_pool;
	int port, rc;

	fx_rx_ring = rte_ring_create("fx_rx", FX_RING_SIZE, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
	fx_tx_ring = rte_ring_create("fx_tx", FX_RING_SIZE, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
	/* ethdev insists on an RX pool; net_ring never allocates from it. */
	rx_pool = rte_pktmbuf_pool_create("fx_port_rx", 63, 0, SF_MBUF_PRIV_SIZE,
					  RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	if (fx_rx_ring == NULL || fx_tx_ring == NULL || rx_pool == NULL)
		return -ENOMEM;
	port = rte_eth_from_rings("net_ring_fx", &fx_rx_ring, 1, &fx_tx_ring, 1, 0);
	if (port < 0)
		return -ENODEV;
	fx_port_id = (uint16_t)port;
	memset(&conf, 0, sizeof(conf));
	rc = rte_eth_dev_configure(fx_port_id, 1, 1, &conf);
	if (rc == 0)
		rc = rte_eth_rx_queue_setup(fx_port_id, 0, FX_RING_SIZE, 0, NULL, rx_pool);
	if (rc == 0)
		rc = rte_eth_tx_queue_setup(fx_port_id, 0, FX_RING_SIZE, 0, NULL);
	if (rc == 0)
		rc = rte_eth_dev_start(fx_port_id);
	return rc;
}

int
fx_eal_init(void)
{
	int rc;

	if (fx_eal_ready)
		return 0;
	rc = fx_start_eal();
	if (rc == 0)
		rc = fx_start_port();
	if (rc != 0) {
		fprintf(stderr, "fixture: EAL/port start failed: %s\n", strerror(-rc));
		return rc;
	}
	fx_eal_ready = true;
	return 0;
}

static void *
fx_must(void *p)
{
	assert_non_null(p);
	if (p == NULL)
		abort(); /* not reached: cmocka already failed the test */
	return p;
}

struct rte_mbuf *
fx_alloc(struct rte_mempool *mp)
{
	return fx_must(rte_pktmbuf_alloc(mp));
}

void *
fx_append(struct rte_mbuf *m, uint16_t len)
{
	return fx_must(rte_pktmbuf_append(m, len));
}

void *
fx_prepend(struct rte_mbuf *m, uint16_t len)
{
	return fx_must(rte_pktmbuf_prepend(m, len));
}

void
fx_read(const struct rte_mbuf *m, uint32_t off, uint32_t len, void *dst)
{
	const void *p = fx_must((void *)(uintptr_t)rte_pktmbuf_read(m, off, len, dst));

	if (p != dst) /* contiguous: rte_pktmbuf_read() returned the data in place */
		memcpy(dst, p, len);
}

void
fx_mac(struct rte_ether_addr *mac, uint16_t id)
{
	memset(mac, 0, sizeof(*mac));
	mac->addr_bytes[0] = 0x02;
	mac->addr_bytes[4] = (uint8_t)(id >> 8);
	mac->addr_bytes[5] = (uint8_t)id;
}

void
fx_pattern(uint8_t *buf, size_t len, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = (uint8_t)(i * 7 + seed * 13 + (i >> 8));
}

static struct snapshot *
fx_snapshot_create(uint16_t port)
{
	struct snapshot *s = calloc(1, sizeof(*s));
	struct sf_iface *ifc;

	if (s == NULL)
		return NULL;
	s->generation = 1;
	ifc = &s->ifaces[port];
	ifc->present = true;
	ifc->icmp_echo = true;
	ifc->prefix_len = FX_PREFIX_LEN;
	ifc->mtu = FX_MTU;
	ifc->ipv4 = fx_be32(FX_OUR_IP);
	ifc->netmask = fx_be32(UINT32_MAX << (32 - FX_PREFIX_LEN));
	ifc->gateway = fx_be32(FX_GW_IP);
	s->sip_port = FX_SIP_PORT;
	s->sip_port_be = rte_cpu_to_be_16(FX_SIP_PORT);
	return s;
}

static int
fx_pools_create(struct fx *f)
{
	char name[RTE_MEMPOOL_NAMESIZE];
	unsigned int n = fx_serial++;

	snprintf(name, sizeof(name), "fx_pool_%u", n);
	f->pool = rte_pktmbuf_pool_create(name, FX_POOL_SIZE, 32, SF_MBUF_PRIV_SIZE,
					  RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	snprintf(name, sizeof(name), "fx_big_%u", n);
	f->big_pool = rte_pktmbuf_pool_create(name, FX_BIG_POOL_SIZE, 0, SF_MBUF_PRIV_SIZE,
					      FX_BIG_DATA, 0);
	snprintf(name, sizeof(name), "fx_frag_%u", n);
	f->frag_pool = rte_pktmbuf_pool_create(name, FX_FRAG_POOL_SIZE, 0, SF_MBUF_PRIV_SIZE,
					       RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	return f->pool != NULL && f->big_pool != NULL && f->frag_pool != NULL ? 0 : -ENOMEM;
}

/* Timing and identity fields, as ctrlplane/ports.c worker_setup() sets them. */
static void
fx_worker_times(struct worker *w, uint16_t index, uint16_t n_workers)
{
	uint64_t ms = rte_get_tsc_hz() / 1000;

	w->lcore_id = rte_lcore_id();
	w->index = index;
	w->n_workers = n_workers;
	w->n_ports = 1;
	w->stop = &fx_stop;
	w->tx_drain_cycles = ms / 10;
	worker_timers_init(w);
}

static int
fx_worker_port(struct fx *f)
{
	struct worker_port *p = &f->w->ports[f->port];

	p->txb = rte_zmalloc("fx_txb", RTE_ETH_TX_BUFFER_SIZE(SF_BURST), 0);
	f->neigh = rte_zmalloc("fx_neigh", sizeof(*f->neigh), 0);
	if (p->txb == NULL || f->neigh == NULL)
		return -ENOMEM;
	rte_eth_tx_buffer_init(p->txb, SF_BURST);
	rte_eth_tx_buffer_set_err_callback(p->txb, rte_eth_tx_buffer_count_callback,
					   &f->w->counters[COUNTER_TX_DROPPED]);
	neigh_init(f->neigh, f->snap->ifaces[f->port].ipv4, FX_PREFIX_LEN);
	p->port_id = f->port;
	p->queue = 0;
	p->neigh = f->neigh;
	return rte_eth_macaddr_get(f->port, &p->mac);
}

static int
fx_worker_create(struct fx *f, uint16_t index, uint16_t n_workers, unsigned int frag_timeout_ms)
{
	/* Net's module worker_init, as ctrlplane/main.c runs it (the other modules: per test). */
	const struct module_env env = {
		.frag_max_flows = FX_FRAG_MAX_FLOWS,
		.frag_timeout_ms = frag_timeout_ms,
		.frag_source_max = FX_FRAG_SOURCE_MAX,
		.arp_hold_ms = FX_HOLD_MS,
		.arp_retry_ms = FX_ARP_RETRY_MS,
	};
	struct worker *w;
	int rc;

	w = rte_zmalloc("fx_worker", sizeof(*w), RTE_CACHE_LINE_SIZE);
	if (w == NULL)
		return -ENOMEM;
	f->w = w;
	fx_worker_times(w, index, n_workers);
	w->pool = f->pool;
	w->big_pool = f->big_pool;
	w->frag_pool = f->frag_pool;
	w->cfg = f->snap;
	rc = net_module.worker_init(w, &env);
	if (rc != 0)
		return rc;
	rc = fx_worker_port(f);
	if (rc != 0)
		return rc;
	f->our_mac = w->ports[f->port].mac;
	return 0;
}

struct fx *
fx_create(uint16_t index, uint16_t n_workers, unsigned int frag_timeout_ms)
{
	struct fx *f;

	if (fx_eal_init() != 0)
		return NULL;
	f = calloc(1, sizeof(*f));
	if (f == NULL)
		return NULL;
	f->port = fx_port_id;
	fx_mac(&f->peer_mac, 7);
	f->snap = fx_snapshot_create(f->port);
	if (f->snap == NULL || fx_pools_create(f) != 0 ||
	    fx_worker_create(f, index, n_workers, frag_timeout_ms) != 0) {
		fx_destroy(f);
		return NULL;
	}
	return f;
}

static void
fx_ring_free_all(struct rte_ring *r)
{
	void *m;

	while (rte_ring_dequeue(r, &m) == 0)
		rte_pktmbuf_free(m);
}

/* Free every mbuf the worker or the port still holds; the frag table goes away. */
static void
fx_release_mbufs(struct fx *f)
{
	struct worker *w = f->w;

	if (w == NULL)
		return;
	worker_drop_flush(w); /* frames a batched drop still holds (worker_drop()) */
	if (w->ports[f->port].txb != NULL)
		worker_flush_tx(w);
	fx_ring_free_all(fx_tx_ring);
	fx_ring_free_all(fx_rx_ring);
	net_module.fini(w); /* hold queue, reassembly table, death row; w->net = NULL */
}

void
fx_destroy(struct fx *f)
{
	if (f == NULL)
		return;
	fx_release_mbufs(f);
	if (f->w != NULL)
		rte_free(f->w->ports[f->port].txb);
	rte_free(f->w);
	rte_free(f->neigh);
	rte_mempool_free(f->pool);
	rte_mempool_free(f->big_pool);
	rte_mempool_free(f->frag_pool);
	free(f->snap);
	free(f);
}

int
fx_setup(void **state)
{
	*state = fx_create(0, 1, FX_FRAG_TIMEOUT_MS);
	return *state == NULL ? -1 : 0;
}

int
fx_teardown(void **state)
{
	fx_destroy(*state);
	*state = NULL;
	return 0;
}

enum verdict
fx_rx(struct fx *f, struct rte_mbuf *m)
{
	struct rte_mbuf *got = NULL;
	enum verdict v;

	assert_int_equal(rte_ring_enqueue(fx_rx_ring, m), 0);
	assert_int_equal(rte_eth_rx_burst(f->port, 0, &got, 1), 1);
	assert_ptr_equal(got, m);
	f->w->counters[COUNTER_RX_PACKETS]++;
	v = loop_classify(f->w, got, f->port);
	assert_true(v < VERDICT_MAX);
	f->w->verdicts[v]++;
	return v;
}

unsigned int
fx_tx(struct fx *f, struct rte_mbuf **out, unsigned int max)
{
	worker_flush_tx(f->w);
	return rte_ring_dequeue_burst(fx_tx_ring, (void **)out, max, NULL);
}

unsigned int
fx_tx_discard(struct fx *f)
{
	struct rte_mbuf *out[64];
	unsigned int n, total = 0;

	do {
		n = fx_tx(f, out, RTE_DIM(out));
		rte_pktmbuf_free_bulk(out, n);
		total += n;
	} while (n == RTE_DIM(out));
	return total;
}

void
fx_assert_no_leak(struct fx *f)
{
	fx_release_mbufs(f);
	assert_int_equal(rte_mempool_avail_count(f->pool), f->pool->size);
	assert_int_equal(rte_mempool_avail_count(f->big_pool), f->big_pool->size);
	assert_int_equal(rte_mempool_avail_count(f->frag_pool), f->frag_pool->size);
}

struct rte_ether_hdr *
fx_eth_prepend(struct rte_mbuf *m, const struct rte_ether_addr *dst,
	       const struct rte_ether_addr *src, uint16_t ether_type)
{
	struct rte_ether_hdr *eth;

	eth = fx_prepend(m, sizeof(*eth));
	rte_ether_addr_copy(dst, &eth->dst_addr);
	rte_ether_addr_copy(src, &eth->src_addr);
	eth->ether_type = rte_cpu_to_be_16(ether_type);
	return eth;
}

struct rte_mbuf *
fx_arp_frame(struct fx *f, uint16_t opcode, const struct rte_ether_addr *eth_dst,
	     const struct rte_ether_addr *sha, uint32_t spa, const struct rte_ether_addr *tha,
	     uint32_t tpa)
{
	struct rte_mbuf *m = fx_alloc(f->pool);
	struct rte_arp_hdr *a = fx_append(m, sizeof(*a));

	memset(a, 0, sizeof(*a));
	a->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
	a->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	a->arp_hlen = RTE_ETHER_ADDR_LEN;
	a->arp_plen = sizeof(uint32_t);
	a->arp_opcode = rte_cpu_to_be_16(opcode);
	rte_ether_addr_copy(sha, &a->arp_data.arp_sha);
	a->arp_data.arp_sip = fx_be32(spa);
	if (tha != NULL)
		rte_ether_addr_copy(tha, &a->arp_data.arp_tha);
	a->arp_data.arp_tip = fx_be32(tpa);
	fx_eth_prepend(m, eth_dst, sha, RTE_ETHER_TYPE_ARP);
	return m;
}

struct rte_mbuf *
fx_ipv4_frame(struct fx *f, uint32_t src, uint32_t dst, uint8_t proto, const void *l4,
	      uint16_t l4_len)
{
	struct rte_mbuf *m = fx_alloc(f->pool);
	struct rte_ipv4_hdr *ip = fx_append(m, (uint16_t)(sizeof(*ip) + l4_len));

	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(sizeof(*ip) + l4_len));
	ip->packet_id = rte_cpu_to_be_16(0x1234);
	ip->time_to_live = 64;
	ip->next_proto_id = proto;
	ip->src_addr = fx_be32(src);
	ip->dst_addr = fx_be32(dst);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	if (l4_len > 0)
		memcpy(ip + 1, l4, l4_len);
	fx_eth_prepend(m, &f->our_mac, &f->peer_mac, RTE_ETHER_TYPE_IPV4);
	return m;
}

struct rte_ipv4_hdr *
fx_ip(struct rte_mbuf *m)
{
	return rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, sizeof(struct rte_ether_hdr));
}

struct rte_udp_hdr *
fx_udp(struct rte_mbuf *m)
{
	return (struct rte_udp_hdr *)(fx_ip(m) + 1);
}

void
fx_ip_recksum(struct rte_mbuf *m)
{
	struct rte_ipv4_hdr *ip = fx_ip(m);

	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
}

void
fx_udp_recksum(struct rte_mbuf *m)
{
	struct rte_udp_hdr *udp = fx_udp(m);

	udp->dgram_cksum = 0;
	udp->dgram_cksum = rte_ipv4_udptcp_cksum(fx_ip(m), udp);
}

struct rte_mbuf *
fx_udp_frame(struct fx *f, uint16_t dst_port, uint16_t len, unsigned int seed)
{
	uint8_t l4[sizeof(struct rte_udp_hdr) + 2048];
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)l4;
	struct rte_mbuf *m;

	assert_true(len <= sizeof(l4) - sizeof(*udp));
	udp->src_port = rte_cpu_to_be_16(FX_PEER_PORT);
	udp->dst_port = rte_cpu_to_be_16(dst_port);
	udp->dgram_len = rte_cpu_to_be_16((uint16_t)(sizeof(*udp) + len));
	udp->dgram_cksum = 0;
	fx_pattern(l4 + sizeof(*udp), len, seed);
	m = fx_ipv4_frame(f, FX_PEER_IP, FX_OUR_IP, IPPROTO_UDP, l4,
			  (uint16_t)(sizeof(*udp) + len));
	fx_udp_recksum(m);
	return m;
}

struct rte_mbuf *
fx_sip_frame(struct fx *f, uint32_t src, uint16_t sport, const char *text)
{
	uint8_t l4[sizeof(struct rte_udp_hdr) + 2048];
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)l4;
	size_t len = strlen(text);
	struct rte_mbuf *m;

	assert_true(len <= sizeof(l4) - sizeof(*udp));
	udp->src_port = rte_cpu_to_be_16(sport);
	udp->dst_port = rte_cpu_to_be_16(FX_SIP_PORT);
	udp->dgram_len = rte_cpu_to_be_16((uint16_t)(sizeof(*udp) + len));
	udp->dgram_cksum = 0;
	memcpy(l4 + sizeof(*udp), text, len);
	m = fx_ipv4_frame(f, src, FX_OUR_IP, IPPROTO_UDP, l4, (uint16_t)(sizeof(*udp) + len));
	fx_udp_recksum(m);
	return m;
}

struct rte_ipv4_hdr *
fx_assert_ipv4_out(const struct fx *f, struct rte_mbuf *m, const struct rte_ether_addr *dst_mac)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv4_hdr *ip = fx_ip(m);

	assert_true(rte_pktmbuf_data_len(m) >= sizeof(*eth) + sizeof(*ip));
	assert_true(rte_is_same_ether_addr(&eth->dst_addr, dst_mac));
	assert_true(rte_is_same_ether_addr(&eth->src_addr, &f->our_mac));
	assert_int_equal(rte_be_to_cpu_16(eth->ether_type), RTE_ETHER_TYPE_IPV4);
	assert_int_equal(ip->version_ihl, RTE_IPV4_VHL_DEF);
	assert_int_equal(rte_be_to_cpu_16(ip->total_length),
			 rte_pktmbuf_pkt_len(m) - sizeof(*eth));
	assert_int_equal(rte_ipv4_cksum(ip), 0); /* over a header with its checksum: ~0xffff */
	assert_int_equal(rte_raw_cksum(ip, sizeof(*ip)), 0xffff);
	return ip;
}

void
fx_assert_arp_request(const struct fx *f, struct rte_mbuf *m, uint32_t tpa)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_arp_hdr *a = (struct rte_arp_hdr *)(eth + 1);

	assert_int_equal(rte_pktmbuf_pkt_len(m), sizeof(*eth) + sizeof(*a));
	assert_true(rte_is_broadcast_ether_addr(&eth->dst_addr));
	assert_true(rte_is_same_ether_addr(&eth->src_addr, &f->our_mac));
	assert_int_equal(rte_be_to_cpu_16(eth->ether_type), RTE_ETHER_TYPE_ARP);
	assert_int_equal(rte_be_to_cpu_16(a->arp_hardware), RTE_ARP_HRD_ETHER);
	assert_int_equal(rte_be_to_cpu_16(a->arp_protocol), RTE_ETHER_TYPE_IPV4);
	assert_int_equal(a->arp_hlen, RTE_ETHER_ADDR_LEN);
	assert_int_equal(a->arp_plen, 4);
	assert_int_equal(rte_be_to_cpu_16(a->arp_opcode), RTE_ARP_OP_REQUEST);
	assert_true(rte_is_same_ether_addr(&a->arp_data.arp_sha, &f->our_mac));
	assert_int_equal(a->arp_data.arp_sip, fx_be32(FX_OUR_IP));
	assert_true(rte_is_zero_ether_addr(&a->arp_data.arp_tha));
	assert_int_equal(a->arp_data.arp_tip, fx_be32(tpa));
}
