/* SPDX-License-Identifier: BSD-3-Clause */
/* authfail.c's private table, shared with authfail_setup.c (create/destroy). Not an API. */
#ifndef SF_AUTHFAIL_IMPL_H
#define SF_AUTHFAIL_IMPL_H

#include <stdbool.h>
#include <stdint.h>

#include "dataplane/auth/authfail.h"

#define AF_PROBE 16         /* slots searched from an entry's home; entries never sit further */
#define AF_IDLE_DEFAULT_S 3600
#define AF_CAPACITY_MAX (1u << 24)

enum af_kind {
	AF_EMPTY,
	AF_LOCK,    /* (source IP, user): failure counters and suspension */
	AF_SESSION, /* (source IP, Call-ID): one authentication session */
	AF_IP,      /* source IP: the optional ceiling across users */
};

/* One slot, one cache line. Field use by kind is on each member. */
struct af_entry {
	uint64_t hash;          /* keyed hash of kind, IP and the whole name; home = hash & mask */
	uint32_t src_ip;        /* network byte order */
	uint32_t last_s;        /* last wrong answer, s: idle expiry, eviction age */
	uint32_t t0_s;          /* LOCK, IP: suspended until (0 = not); SESSION: first challenge */
	uint32_t t1_s;          /* SESSION: timeout snapshot, s; IP: window start */
	uint16_t n_fail;        /* LOCK: non-REGISTER failures; SESSION: failures; IP: in window */
	uint16_t n_fail_reg;    /* LOCK: REGISTER failures */
	uint16_t retry;         /* SESSION: SS_SIP_AUTHENTICATION_RETRY snapshot (I-34) */
	uint8_t kind;           /* enum af_kind */
	uint8_t name_len;       /* length of the user / Call-ID, capped at 255 */
	uint8_t name[AUTHFAIL_NAME_MAX]; /* its first bytes, for exact compare and listing */
} __attribute__((aligned(64)));

_Static_assert(sizeof(struct af_entry) == 64, "one auth-failure entry per cache line");

struct authfail_table {
	struct af_entry *slots;      /* capacity entries */
	uint32_t mask;               /* capacity - 1 */
	uint32_t n_live;
	uint32_t cursor;             /* next slot authfail_expire() looks at */
	uint64_t seed;
	struct authfail_config cfg;
	struct authfail_stats stats;
};

static inline bool
authfail_ip_ceiling_ok(uint32_t max_fail, uint32_t window_s, uint32_t suspend_s)
{
	return max_fail == 0 ||
	       (max_fail <= AUTHFAIL_IP_MAX_FAIL_MAX && window_s != 0 && suspend_s != 0);
}

#endif
