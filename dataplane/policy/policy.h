/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Source policy: who sent this request? Configured gateway (by source IP, optionally port),
 * configured account (by identity, optionally pinned to source addresses), live binding,
 * known dialog, suspended, or unknown (I-1). The tables are part of the immutable config
 * snapshot; lookups take no lock and allocate nothing. Pure C, no DPDK, no jansson.
 */
#ifndef SF_POLICY_H
#define SF_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dataplane/params.h"
#include "dataplane/sf_span.h"
#include "dataplane/sip/scan.h"

#define POLICY_NAME_MAX 64     /* gateway name, bytes with NUL */
#define POLICY_USER_MAX 64     /* account user, bytes with NUL */
#define POLICY_PASSWORD_MAX 128 /* account password, bytes with NUL */
#define POLICY_PREFIX_MAX 32   /* one called-number prefix, bytes with NUL */
#define POLICY_REALM_MAX 128   /* digest realm the HA1s are for, bytes with NUL (SF_DOMAIN_MAX) */
#define POLICY_DEFAULT_REALM "sipfast" /* realm when the snapshot has no SIP domain (fixtures) */
#define POLICY_MAX_ACCOUNTS 1000000u
#define POLICY_MAX_GATEWAYS 65536u

/** What the policy decided about a request's source. */
enum policy_class {
	POLICY_UNKNOWN,   /* none of the below: SS_REPLY_UNAUTHORIZED decides */
	POLICY_GATEWAY,   /* source IP (and port, when configured) of a gateway */
	POLICY_BINDING,   /* source IP:port of a live registration binding */
	POLICY_ACCOUNT,   /* identity is a configured account, source allowed */
	POLICY_DIALOG,    /* in-dialog request of a known dialog, from its peer IP */
	POLICY_SUSPENDED, /* (source IP, account) is locked out */
};

/** One source prefix an account may use. */
struct policy_net {
	uint32_t ip_be;   /* network byte order, already masked */
	uint32_t mask_be; /* network byte order */
};

struct policy_account {
	char user[POLICY_USER_MAX];           /* digest username / AoR user */
	uint16_t user_len;                    /* bytes */
	bool has_ha1;                         /* ha1 given instead of password: MD5 only */
	uint8_t ha1[16];                      /* MD5(user:realm:password), binary: the
						 configured ha1, or (password accounts)
						 computed for policy.ha1_realm at config */
	uint8_t ha1_sha256[32];               /* SHA-256(user:realm:password), binary, for
						 policy.ha1_realm; password accounts only */
	char password[POLICY_PASSWORD_MAX];   /* when !has_ha1 */
	uint16_t n_allowed;                   /* 0 = any source */
	struct policy_net *allowed;           /* n_allowed entries */
	struct sf_params *params;             /* per-account overrides merged on the globals,
						 NULL = the globals */
};

struct policy_gateway {
	char name[POLICY_NAME_MAX];
	uint32_t ip_be;                       /* network byte order */
	uint16_t port;                        /* host order, 5060 when not given */
	int32_t priority;                     /* lower first */
	uint32_t invite_timeout_s;            /* 8.1 invite timeout, s; 0 = SS_SIP_TIMEOUT_INVITE */
	uint16_t n_prefixes;
	char (*prefixes)[POLICY_PREFIX_MAX];  /* called-number prefixes, NUL-terminated */
	uint32_t next_same_ip;                /* index + 1 of the next gateway with this IP */
};

/*
 * Open-addressing table of uint32 indexes (stored + 1, 0 = empty), linear probing, at least
 * half empty. Why not rte_hash: config.c (which builds this) is pure C tested without EAL
 * under ASan, rte_hash_create() needs a running EAL, and a probe here is one multiply and
 * usually one cache line, cheaper than rte_hash_lookup's signature/bucket walk.
 */
struct policy_table {
	uint32_t mask;                        /* slots - 1 (slots is a power of two) */
	uint32_t *slots;                      /* index + 1 per slot, 0 = empty */
};

struct policy {
	uint32_t n_accounts;
	uint32_t n_gateways;
	struct policy_account *accounts;
	struct policy_gateway *gateways;
	struct policy_table by_user;          /* account user -> account */
	struct policy_table by_ip;            /* gateway IP -> first gateway with it */
	uint64_t nonce_key;                   /* keys stateless challenge nonces */
	/*
	 * Realm the password accounts' ha1 / ha1_sha256 were computed for when the snapshot
	 * was built (policy_realm() of its SIP domain), so a REGISTER hashes no password.
	 * Length 0: not computed (a policy built without the config parser).
	 */
	char ha1_realm[POLICY_REALM_MAX];
	uint16_t ha1_realm_len;
};

/**
 * The digest realm of a snapshot whose SIP domain is @domain (a NUL-terminated string in a
 * buffer of @cap bytes): the domain, or POLICY_DEFAULT_REALM when it is empty. The registrar
 * and the config parser (which precomputes HA1 for it) share this rule.
 */
static inline struct sf_span
policy_realm(const char *domain, size_t cap)
{
	size_t len = strnlen(domain, cap);

	if (len == 0)
		return (struct sf_span){(const uint8_t *)POLICY_DEFAULT_REALM,
					sizeof(POLICY_DEFAULT_REALM) - 1};
	return (struct sf_span){(const uint8_t *)domain, (uint16_t)len};
}

/**
 * Hooks into modules that own per-source state. Each returns false until its module lands
 * (binding: registrar, dialog: call engine, suspended: lockout). Called on the worker that
 * handles the request.
 */
struct policy_hooks {
	/** Is @ip_be:@port_be (network order) a live registration binding's address? */
	bool (*binding_live)(void *ctx, uint32_t ip_be, uint16_t port_be);
	/** Does in-dialog request @s (To tag set) match a dialog whose peer IP is @ip_be? */
	bool (*dialog_known)(void *ctx, const struct sip_scan *s, uint32_t ip_be);
	/** Is (@ip_be, @user) suspended by the lockout? */
	bool (*suspended)(void *ctx, uint32_t ip_be, struct sf_span user);
	void *ctx;
};

/** Allocate an empty policy for @n_accounts and @n_gateways entries (control plane). */
struct policy *policy_create(uint32_t n_accounts, uint32_t n_gateways);

/** Build the lookup tables once every entry is filled in. Returns 0 or -ENOMEM. */
int policy_finalize(struct policy *pol);

/** Free @pol and everything it owns; NULL is fine. */
void policy_free(struct policy *pol);

/**
 * The gateway a request from @ip_be:@port_be comes from, or NULL. Gateways are trusted by
 * address (I-1); among gateways sharing the address, one whose configured port equals the
 * source port wins, else the first one configured.
 */
const struct policy_gateway *policy_gateway_by_source(const struct policy *pol, uint32_t ip_be,
						      uint16_t port_be);

/** The account named @user (exact bytes, case-sensitive), or NULL. */
const struct policy_account *policy_account_by_user(const struct policy *pol,
						    struct sf_span user);

/** May account @a be used from @ip_be? */
bool policy_account_allows(const struct policy_account *a, uint32_t ip_be);

/**
 * The identity a request claims (I-1): the Authorization / Proxy-Authorization username,
 * else the From user, else (REGISTER only) the To user. Empty span when none.
 * Needs SIP_WANT_FROM_TO | SIP_WANT_AUTH in @s.
 */
struct sf_span policy_identity(const struct sip_scan *s);

/**
 * Classify by source address only: gateway, then live binding. Returns POLICY_UNKNOWN when
 * the address alone does not decide. *@gw is set for POLICY_GATEWAY (may be NULL).
 * Inline, and the gateway lookup called only when gateways are configured: every datagram
 * asks, and the out-of-line frame cost 23 + 9 instructions a frame of flood_unknown
 * (callgrind), more than the binding hook it leads to.
 */
static inline enum policy_class
policy_classify_source(const struct policy *pol, const struct policy_hooks *hooks,
		       uint32_t ip_be, uint16_t port_be, const struct policy_gateway **gw)
{
	const struct policy_gateway *g = NULL;

	if (pol != NULL && pol->n_gateways != 0)
		g = policy_gateway_by_source(pol, ip_be, port_be);
	if (gw != NULL)
		*gw = g;
	if (g != NULL)
		return POLICY_GATEWAY;
	if (hooks->binding_live(hooks->ctx, ip_be, port_be))
		return POLICY_BINDING;
	return POLICY_UNKNOWN;
}

/**
 * Classify by what the request says (after policy_classify_source() returned UNKNOWN):
 * configured account (allowed from @ip_be; suspended when the hook says so), then known
 * dialog. Needs SIP_WANT_FROM_TO | SIP_WANT_AUTH | SIP_WANT_DIALOG in @s. *@acct is set for
 * POLICY_ACCOUNT and POLICY_SUSPENDED (may be NULL).
 */
enum policy_class policy_classify_request(const struct policy *pol,
					  const struct policy_hooks *hooks, uint32_t ip_be,
					  const struct sip_scan *s,
					  const struct policy_account **acct);

/**
 * The unknown-source drop decision from a skim (sip_scan_skim()), for a request whose source
 * address policy_classify_source() did not recognise. True when policy_classify_request()
 * on a full scan would certainly say POLICY_UNKNOWN: its To has no tag (no dialog can match,
 * I-36) and its identity (policy_identity()'s precedence) is no configured account allowed
 * from @ip_be (I-1). Only the values that decide are parsed: none when there are no accounts
 * and To has no ';', and credentials only up to their username. False when the full policy
 * scan must decide: an account matched, To has a tag, or a value the decision needs does
 * not parse (the full scan then reports it).
 */
bool policy_skim_unknown(const struct policy *pol, uint32_t ip_be, const struct sip_skim *k);

/** Hooks that always say no (until the registrar, call engine and lockout land). */
extern const struct policy_hooks policy_hooks_none;

#endif
