/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The immutable configuration snapshot workers read. Built by the control plane, published
 * through each worker's config ring, never written after publication, freed after QSBR says
 * every worker has moved on (see ctrlplane/publish.c).
 */
#ifndef SF_SNAPSHOT_H
#define SF_SNAPSHOT_H

#include <stdbool.h>
#include <stdint.h>

#include "dataplane/params.h"

#define SF_MAX_PORTS 8      /* DPDK port ids 0..7 may carry an interface */
#define SF_DOMAIN_MAX 128
#define SF_SERVER_MAX 64
#define SF_REG_EXPIRY_JITTER_MAX 50 /* % (sip.register_expiry_jitter) */
#define SF_REPLY_BUDGET_RATE_DEFAULT 100   /* replies/s (sip.reply_budget_rate) */
#define SF_REPLY_BUDGET_BURST_DEFAULT 200  /* replies (sip.reply_budget_burst) */
#define SF_REPLY_BUDGET_MAX 1000000u       /* either key's largest value */

/* lockout.per_ip_* (beyond the seed): ranges and defaults, config/README.md "lockout". */
#define SF_IP_CEILING_MAX_FAILURES_MAX 10000
#define SF_IP_CEILING_WINDOW_MAX_S 3600
#define SF_IP_CEILING_SUSPEND_MAX_S 86400
#define SF_IP_CEILING_WINDOW_DEFAULT_S 60
#define SF_IP_CEILING_SUSPEND_DEFAULT_S 600

/*
 * Per-source-IP ceiling across usernames (authfail.h): wrong digest answers from one source
 * IP, whatever the user, counted in fixed windows; reaching @max_failures in one window
 * refuses every request of that IP for @suspend_s. @max_failures 0 = off (the default).
 */
struct sf_ip_ceiling {
	uint32_t max_failures; /* lockout.per_ip_max_failures, 0 = off */
	uint32_t window_s;     /* lockout.per_ip_window_s, 1..SF_IP_CEILING_WINDOW_MAX_S */
	uint32_t suspend_s;    /* lockout.per_ip_suspend_s, 1..SF_IP_CEILING_SUSPEND_MAX_S */
};

struct sf_iface {
	bool present;           /* an interface is configured on this port id */
	bool icmp_echo;         /* answer ICMP echo requests */
	uint8_t prefix_len;     /* on-link prefix length */
	uint16_t mtu;           /* IPv4 MTU, bytes (L3) */
	uint32_t ipv4;          /* our address, network byte order */
	uint32_t netmask;       /* network byte order */
	uint32_t gateway;       /* default gateway, network byte order, 0 = none */
	bool gateway_mac_set;   /* gateway_mac given: the gateway's entry is static (no ARP) */
	uint8_t gateway_mac[6];  /* its MAC, when gateway_mac_set */
};

/* "offender" section (issue 14, dataplane/offender/offender.h): defaults and ranges. */
#define SF_OFFENDER_THRESHOLD_DEFAULT 20      /* drops in one window */
#define SF_OFFENDER_WINDOW_MS_DEFAULT 1000
#define SF_OFFENDER_REMEMBER_S_DEFAULT 300
#define SF_OFFENDER_TABLE_SIZE_DEFAULT 65536  /* entries per worker (fixed at start) */
#define SF_OFFENDER_THRESHOLD_MAX 1000000
#define SF_OFFENDER_WINDOW_MS_MIN 10
#define SF_OFFENDER_WINDOW_MS_MAX 600000
#define SF_OFFENDER_REMEMBER_S_MAX 86400
#define SF_OFFENDER_TABLE_SIZE_MIN 1024
#define SF_OFFENDER_TABLE_SIZE_MAX 4194304    /* a power of two in [MIN, MAX] */

/* The section's run-time settings; table_size is start-up sizing (struct sf_runtime). */
struct sf_offender_cfg {
	bool enabled;          /* offender.enabled */
	uint32_t threshold;    /* offender.threshold: drops in one window that remember a source */
	uint32_t window_ms;    /* offender.window_ms */
	uint32_t remember_s;   /* offender.remember_s */
};

struct policy;

struct snapshot {
	uint64_t generation;                 /* 1 for the startup config, +1 per update */
	struct sf_iface ifaces[SF_MAX_PORTS]; /* indexed by DPDK port id */
	uint16_t sip_port;                   /* host byte order */
	uint16_t sip_port_be;                /* the same, network byte order */
	char domain[SF_DOMAIN_MAX];          /* SIP domain / realm, NUL-terminated */
	char server[SF_SERVER_MAX];          /* Server header value of our responses */
	uint8_t server_len;                  /* 0 = no Server header (default: tell scanners nothing) */
	uint8_t reg_expiry_jitter_pct;       /* sip.register_expiry_jitter: up to this % is taken at
					      * random off each granted registration expiry; 0 = off */
	struct sf_ip_ceiling ip_ceiling;     /* lockout section (beyond the seed), off by default */
	uint32_t reply_budget_rate;          /* sip.reply_budget_rate: replies/s to one source IP
					      * not yet authenticated, per worker; 0 = no budget */
	uint32_t reply_budget_burst;         /* sip.reply_budget_burst: bucket size, replies */
	struct sf_params params;             /* every SS_* parameter, typed */
	bool ka_spread_even;                 /* "keepalive": {"spread": "even"}: pace each cycle's
					      * keep-alives evenly over its ticks (not in the seed);
					      * false = the seed's walk (KA-5/KA-6), the default */
	struct sf_offender_cfg offender;     /* L3 offender memory (config "offender") */
	struct policy *policy;               /* accounts and gateways (owned), NULL = none */
};

/* Free @snap (from malloc) and everything it owns; NULL is fine. Control plane only. */
void snapshot_free(struct snapshot *snap);

#endif
