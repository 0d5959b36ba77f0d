/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The config document (config/sipfast.json): load, validate every key, build a snapshot.
 * Pure C + jansson (no DPDK), so the sanitizer build tests it. See config/README.md.
 */
#ifndef SF_CONFIG_H
#define SF_CONFIG_H

#include <stdint.h>

#include <jansson.h>

#include "ctrlplane/cfg_error.h"
#include "dataplane/snapshot.h"

/* Start-up sizing from the "runtime" section; changing it needs a restart. */
struct sf_runtime {
	uint32_t mbufs_per_socket; /* frames in each socket's packet pool */
	uint32_t mbuf_cache;       /* per-lcore mempool cache, frames */
	uint32_t big_mbufs;        /* 16 KiB buffers for reassembled datagrams, per socket */
	uint16_t rx_desc;          /* RX descriptors per queue */
	uint16_t tx_desc;          /* TX descriptors per queue */
	uint32_t tx_drain_us;      /* longest a frame waits in a TX buffer, µs */
	uint32_t frag_max_flows;   /* datagrams being reassembled at once, per worker */
	uint32_t frag_timeout_ms;  /* a partial datagram is dropped after this, ms */
	uint32_t frag_mbufs;       /* fragment pool per socket: all reassembly tables hold at most this */
	uint32_t frag_source_max;  /* fragments admitted per source address per frag_timeout_ms */
	uint32_t arp_hold_ms;      /* a packet waits this long for an ARP answer, ms */
	uint32_t authfail_entries; /* auth-failure / lockout table slots, per worker */
	uint32_t register_replay_entries; /* REGISTER (nonce, nc) replay guard, per worker */
	uint32_t register_answer_cache;   /* answers kept for REGISTER retransmissions (GEN-3) */
	uint32_t calls_per_worker;        /* call slots per worker (issue 13) */
};

/*
 * Parse @path into a new JSON document (*@doc, caller json_decref()s it). A syntax error names
 * the file, line and column.
 */
int config_load_file(const char *path, json_t **doc, struct cfg_error *err);

/*
 * Validate the whole document @doc and fill @snap (generation left 0) and @rt (may be NULL).
 * On error nothing the caller owns is changed except @snap/@rt, which are then garbage;
 * @err names the JSON path and what was expected.
 */
int config_build(const json_t *doc, struct snapshot *snap, struct sf_runtime *rt,
		 struct cfg_error *err);

/* Format "a.b.c.d" of a network-byte-order address into @buf (>= 16 bytes). */
const char *config_ipv4_str(uint32_t ip_be, char *buf, size_t len);

#endif
