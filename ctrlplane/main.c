/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sipfastd: EAL and ports on the main lcore, workers on every other lcore, then the control
 * loop (control socket, snapshot reclaim) until SIGINT/SIGTERM.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include "ctrlplane/config.h"
#include "ctrlplane/ctl_keepalive.h"
#include "ctrlplane/ctl_server.h"
#include "ctrlplane/daemon.h"
#include "ctrlplane/log.h"
#include "ctrlplane/param_table.h"
#include "ctrlplane/ports.h"
#include "ctrlplane/publish.h"
#include "ctrlplane/stats.h"
#include "dataplane/bench_discard.h"
#include "dataplane/loop.h"
#include "dataplane/net/net_worker.h"
#include "dataplane/registrar/location.h"
#include "dataplane/sip_input.h"
#include "dataplane/steer.h"

RTE_LOG_REGISTER(sf_logtype_cp, sipfast.cp, INFO);

#define CTL_POLL_MS 50

static volatile sig_atomic_t signal_stop;

static void
on_signal(int sig)
{
	RTE_SET_USED(sig);
	signal_stop = 1;
}

static void
usage(FILE *f, const char *prog)
{
	fprintf(f,
		"Usage: %s [EAL options] -- --config FILE [--ctl PATH] [--bench-packets N]\n"
		"       [--bench-fixed-nonce [--bench-clock-step S]] [--bench-discard]\n"
		"       [--bench-ka-bindings N] [--bench-fixed-tokens]\n"
		"\n"
		"sipfastd: DPDK fast-path SIP-over-UDP processor. The main lcore runs the control\n"
		"plane; every other lcore is a worker with one RX/TX queue per port.\n"
		"\n"
		"Options (after the EAL options and '--'):\n"
		"  -c, --config FILE      config document (see config/README.md); required\n"
		"  -s, --ctl PATH         control socket (default %s)\n"
		"      --bench-packets N  benchmark: stop after each worker received N frames\n"
		"      --bench-fixed-nonce\n"
		"                         benchmark only: never in production. Fixed nonce key and\n"
		"                         frozen registrar clock, so digests precomputed by\n"
		"                         scripts/bench_nonce.py verify run after run (anyone who\n"
		"                         reads the generator can forge nonces; nothing expires)\n"
		"      --bench-clock-step S\n"
		"                         test only, with --bench-fixed-nonce: that registrar clock\n"
		"                         advances S seconds with each SIP datagram a worker\n"
		"                         received (the Nth is seen at start + (N-1)*S), so an\n"
		"                         offline pcap replay can let sessions time out\n"
		"      --bench-discard    benchmark only: workers receive each burst and free it,\n"
		"                         nothing else (the PMD's own cost; no packet is answered)\n"
		"      --bench-ka-bindings N\n"
		"                         benchmark only: never in production. Size each location\n"
		"                         shard for N bindings and preload a NAT binding (public\n"
		"                         100.64.0.0/10 via the interface's gateway, whose MAC is\n"
		"                         set to 02:00:00:00:00:fe) for each of the config's first N\n"
		"                         accounts, then account the keep-alive poll in TSC cycles and\n"
		"                         print a report at exit (scripts/bench_keepalive.sh)\n"
		"      --bench-fixed-tokens\n"
		"                         benchmark only: never in production. The call engine's\n"
		"                         token entropy is 0, so every Call-ID, tag and branch it\n"
		"                         mints is predictable (owner, slot, generation, sub) and\n"
		"                         scripts/bench_calls.py can write the B leg's answers\n"
		"  -h, --help             this text\n"
		"\n"
		"Examples:\n"
		"  %s --lcores '0@0,1@1' --no-huge -m 512 --no-pci --file-prefix sf \\\n"
		"     --vdev net_af_packet0,iface=sf0 -- --config config/sipfast.json\n"
		"  %s -l 0-3 -a 0000:03:00.0 -- --config /etc/sipfast/sipfast.json\n"
		"\n"
		"Exit status: 0 after a clean stop (SIGINT/SIGTERM), 1 on a startup error.\n",
		prog, CTL_SERVER_DEFAULT_PATH, prog, prog);
}

/* Parse the options after "--". Returns 0, 1 for --help, or -EINVAL. */
static int
parse_opts(int argc, char **argv, struct daemon_opts *o)
{
	static const struct option longs[] = {
		{"config", required_argument, NULL, 'c'},
		{"ctl", required_argument, NULL, 's'},
		{"bench-packets", required_argument, NULL, 'b'},
		{"bench-fixed-nonce", no_argument, NULL, 'N'},
		{"bench-discard", no_argument, NULL, 'D'},
		{"bench-ka-bindings", required_argument, NULL, 'K'},
		{"bench-clock-step", required_argument, NULL, 'T'},
		{"bench-fixed-tokens", no_argument, NULL, 'F'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	unsigned long long v;
	char *end;
	int c;

	o->ctl_path = CTL_SERVER_DEFAULT_PATH;
	optind = 1;
	while ((c = getopt_long(argc, argv, "c:s:h", longs, NULL)) != -1) {
		switch (c) {
		case 'c':
			o->config_path = optarg;
			break;
		case 's':
			o->ctl_path = optarg;
			break;
		case 'b':
			errno = 0;
			o->bench_packets = strtoull(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || o->bench_packets == 0) {
				fprintf(stderr, "sipfastd: --bench-packets: \"%s\" is not a "
						"positive integer\n", optarg);
				return -EINVAL;
			}
			break;
		case 'N': /* BENCHMARK ONLY, see ctl_registrar_start() */
			o->bench_fixed_nonce = true;
			break;
		case 'T': /* TEST ONLY, see ctl_registrar_start() */
			errno = 0;
			v = strtoull(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || v == 0 || v > 3600) {
				fprintf(stderr, "sipfastd: --bench-clock-step: \"%s\" is not in "
						"1..3600\n", optarg);
				return -EINVAL;
			}
			o->bench_clock_step_s = (uint32_t)v;
			break;
		case 'F': /* BENCHMARK ONLY: module_env.bench_fixed_tokens (call engine) */
			o->bench_fixed_tokens = true;
			break;
		case 'D': /* BENCHMARK ONLY: bench_discard_main instead of loop_main */
			o->bench_discard = true;
			break;
		case 'K': /* BENCHMARK ONLY, see ctl_keepalive_bench_preload() */
			errno = 0;
			v = strtoull(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || v == 0 || v > CTL_KA_BENCH_MAX) {
				fprintf(stderr, "sipfastd: --bench-ka-bindings: \"%s\" is not in "
						"1..%u\n", optarg, CTL_KA_BENCH_MAX);
				return -EINVAL;
			}
			o->bench_ka_bindings = (uint32_t)v;
			break;
		case 'h':
			return 1;
		default:
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "sipfastd: unexpected argument \"%s\"\n", argv[optind]);
		return -EINVAL;
	}
	if (o->config_path == NULL) {
		fprintf(stderr, "sipfastd: --config FILE is required (try --help)\n");
		return -EINVAL;
	}
	if (o->bench_clock_step_s != 0 && !o->bench_fixed_nonce) {
		fprintf(stderr, "sipfastd: --bench-clock-step needs --bench-fixed-nonce\n");
		return -EINVAL;
	}
	return 0;
}

/* Load and validate the config file into a snapshot. Returns the snapshot or NULL (logged). */
static struct snapshot *
daemon_load_config(struct daemon *d)
{
	struct snapshot *snap = calloc(1, sizeof(*snap));
	struct cfg_error err = {0};

	if (snap == NULL)
		return NULL;
	if (config_load_file(d->opts.config_path, &d->doc, &err) != 0 ||
	    config_build(d->doc, snap, &d->runtime, &err) != 0) {
		fprintf(stderr, "sipfastd: config %s: %s%s%s\n", d->opts.config_path, err.path,
			err.path[0] ? ": " : "", err.msg);
		free(snap);
		return NULL;
	}
	return snap;
}

/*
 * Every module's worker_init on every worker, in the module table's order (dataplane/loop.c),
 * after the shared state they need. 0 or -errno (logged with the module and the worker).
 */
static int
daemon_modules_init(struct daemon *d)
{
	const struct module_env env = {
		.frag_max_flows = d->runtime.frag_max_flows,
		.frag_timeout_ms = d->runtime.frag_timeout_ms,
		.frag_source_max = d->runtime.frag_source_max,
		.arp_hold_ms = d->runtime.arp_hold_ms,
		.arp_retry_ms = NET_ARP_RETRY_MS,
		.auth = d->auth,
		.registrar = d->registrar,
		/* --bench-ka-bindings (BENCHMARK ONLY) needs room for its preloaded bindings. */
		.location_capacity = RTE_MAX(LOCATION_DEFAULT_CAPACITY, d->opts.bench_ka_bindings),
		.offender_table_size = d->runtime.offender_table_size,
		.calls_per_worker = d->runtime.calls_per_worker,
		.txn_index_capacity = 2 * d->runtime.calls_per_worker,
		.bench_fixed_tokens = d->opts.bench_fixed_tokens, /* BENCHMARK ONLY */
	};
	const char *failed = "?";
	uint16_t i;
	int rc;

	for (i = 0; i < d->env.n_workers; i++) {
		rc = loop_modules_init(d->env.workers[i], &env, &failed);
		if (rc != 0) {
			CP_LOG(ERR, "%s: worker %u: %s", failed, i, strerror(-rc));
			return rc;
		}
	}
	return 0;
}

/* Every module's fini on every worker that exists (also after a failed start). */
static void
daemon_modules_fini(struct daemon *d)
{
	uint16_t i;

	for (i = 0; i < SF_MAX_WORKERS; i++)
		if (d->env.workers[i] != NULL)
			loop_modules_fini(d->env.workers[i]);
}

static int
daemon_start(struct daemon *d, struct snapshot *snap)
{
	size_t qs_size = rte_rcu_qsbr_get_memsize(RTE_MAX_LCORE);
	uint16_t i;
	int rc;

	d->qsbr = rte_zmalloc("sf_qsbr", qs_size, RTE_CACHE_LINE_SIZE);
	if (d->qsbr == NULL || rte_rcu_qsbr_init(d->qsbr, RTE_MAX_LCORE) != 0)
		return -ENOMEM;
	rc = net_env_create(&d->env, snap, &d->runtime, d->qsbr);
	if (rc == 0)
		rc = steer_create(d->env.workers, d->env.n_workers, sip_resume);
	if (rc == 0)
		rc = ctl_requests_start(d); /* control -> worker request rings */
	if (rc == 0)
		rc = ctl_registrar_start(d); /* shared registrar state, before the modules */
	if (rc == 0)
		rc = daemon_modules_init(d);
	if (rc == 0)
		ctl_registrar_bench_clock(d); /* BENCHMARK ONLY, nothing when off */
	if (rc == 0)
		rc = ctl_keepalive_bench_preload(d, snap); /* BENCHMARK ONLY, 0 when off */
	if (rc != 0)
		return rc;
	publish_init(&d->pub, d->qsbr, d->env.workers, d->env.n_workers);
	rc = publish_snapshot(&d->pub, snap);
	if (rc != 0)
		return rc;
	stats_telemetry_update(d->pub.generation, json_object_get(d->doc, "params"));
	stats_telemetry_init(&d->env);
	d->ctl = ctl_server_create(d->opts.ctl_path, CTL_SERVER_DEFAULT_MODE);
	if (d->ctl == NULL) {
		CP_LOG(ERR, "control socket %s: %s", d->opts.ctl_path, strerror(errno));
		return -errno;
	}
	rc = ctl_methods_register(d);
	if (rc == 0)
		rc = ctl_registrar_register(d);
	if (rc == 0)
		rc = ctl_offender_register(d);
	if (rc != 0)
		return rc;
	if (d->opts.bench_fixed_tokens)
		CP_LOG(WARNING, "--bench-fixed-tokens: minted call tokens carry no entropy "
				"(benchmark only, never in production)");
	if (d->opts.bench_discard)
		CP_LOG(WARNING, "--bench-discard: workers free every frame unprocessed (benchmark "
				"only)");
	for (i = 0; i < d->env.n_workers; i++) {
		d->env.workers[i]->rx_limit = d->opts.bench_packets;
		rc = rte_eal_remote_launch(d->opts.bench_discard ? bench_discard_main : loop_main,
					   d->env.workers[i],
					   d->env.workers[i]->lcore_id);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static bool
daemon_workers_done(const struct daemon *d)
{
	uint16_t i;

	for (i = 0; i < d->env.n_workers; i++)
		if (rte_eal_get_lcore_state(d->env.workers[i]->lcore_id) != WAIT)
			return false;
	return true;
}

static void
daemon_print_ready(const struct daemon *d, const struct snapshot *snap)
{
	char ip[INET_ADDRSTRLEN];
	uint16_t p;

	for (p = 0; p < SF_MAX_PORTS; p++)
		if (snap->ifaces[p].present)
			printf("sipfastd: port %u %s/%u, SIP on UDP %u\n", p,
			       config_ipv4_str(snap->ifaces[p].ipv4, ip, sizeof(ip)),
			       snap->ifaces[p].prefix_len, snap->sip_port);
	printf("sipfastd: ready: %u worker(s), control socket %s\n", d->env.n_workers,
	       d->opts.ctl_path);
	fflush(stdout);
}

static void
daemon_stop(struct daemon *d)
{
	d->env.stop = true;
	rte_eal_mp_wait_lcore();
	if (d->env.n_workers > 0) {
		printf("sipfastd: stopped; counters:\n");
		stats_print(&d->env, stdout);
		ctl_keepalive_bench_report(d); /* BENCHMARK ONLY, nothing when off */
		fflush(stdout);
	}
	ctl_server_destroy(d->ctl);
	steer_destroy(d->env.workers, d->env.n_workers);
	daemon_modules_fini(d); /* reverse table order; before the pools and shared state go */
	ctl_registrar_stop(d);
	ctl_requests_stop(d);
	net_env_destroy(&d->env);
	publish_destroy(&d->pub);
	rte_free(d->qsbr);
	json_decref(d->doc);
}

int
main(int argc, char **argv)
{
	struct daemon d = {0};
	struct snapshot *snap;
	int n, rc;

	n = rte_eal_init(argc, argv);
	if (n < 0) {
		fprintf(stderr, "sipfastd: EAL init failed: %s (try: sipfastd -- --help)\n",
			rte_strerror(rte_errno));
		return 1;
	}
	argv[n] = argv[0];
	rc = parse_opts(argc - n, argv + n, &d.opts);
	if (rc != 0) {
		usage(rc > 0 ? stdout : stderr, argv[0]);
		rte_eal_cleanup();
		return rc > 0 ? 0 : 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	snap = daemon_load_config(&d);
	rc = snap == NULL ? -EINVAL : daemon_start(&d, snap);
	if (rc != 0) {
		if (snap != NULL && d.pub.current != snap)
			snapshot_free(snap);
		if (snap != NULL)
			fprintf(stderr, "sipfastd: startup failed: %s\n", strerror(-rc));
		signal_stop = 1;
	} else {
		daemon_print_ready(&d, snap);
	}
	while (!signal_stop && !(d.opts.bench_packets && daemon_workers_done(&d))) {
		ctl_server_poll(d.ctl, CTL_POLL_MS);
		publish_reclaim(&d.pub);
		ctl_keepalive_watch(&d); /* KA-7 capacity warning */
		ctl_registrar_tick(&d);   /* daily nonce key rotation */
	}
	daemon_stop(&d);
	rte_eal_cleanup();
	return rc == 0 ? 0 : 1;
}
