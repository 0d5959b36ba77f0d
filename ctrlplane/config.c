/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Config document validation: every section is checked key by key (unknown keys are errors),
 * then turned into the snapshot the workers read. The "params" section belongs to the
 * parameter table (param_table.c).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdbool.h>
#include <string.h>

#include "ctrlplane/cfg_keys.h"
#include "ctrlplane/cfg_policy.h"
#include "ctrlplane/config.h"
#include "ctrlplane/param_table.h"

#define CFG_PATH_MAX sizeof(((struct cfg_error *)0)->path)

/* @p = "@base.@key" (or "@key" at the top level), cut at the buffer size. */
static void
cfg_join(char p[CFG_PATH_MAX], const char *base, const char *key)
{
	if (snprintf(p, CFG_PATH_MAX, "%s%s%s", base, *base ? "." : "", key) >= (int)CFG_PATH_MAX)
		p[CFG_PATH_MAX - 1] = '\0';
}

/* Read an optional integer @key of @obj into *@out, within [@min, @max]. */
static int
cfg_get_uint(const json_t *obj, const char *key, const char *path, uint64_t min, uint64_t max,
	     uint32_t *out, struct cfg_error *err)
{
	const json_t *v = json_object_get(obj, key);
	char p[CFG_PATH_MAX];
	json_int_t i;

	if (v == NULL)
		return 0;
	cfg_join(p, path, key);
	if (!json_is_integer(v))
		return cfg_error_set(err, p, "expected an integer in [%llu, %llu]",
				     (unsigned long long)min, (unsigned long long)max);
	i = json_integer_value(v);
	if (i < 0 || (uint64_t)i < min || (uint64_t)i > max)
		return cfg_error_set(err, p, "%lld is out of range [%llu, %llu]", (long long)i,
				     (unsigned long long)min, (unsigned long long)max);
	*out = (uint32_t)i;
	return 0;
}

/* Parse "a.b.c.d" (or "a.b.c.d/len", required, when @prefix_len is not NULL). */
static int
cfg_parse_addr(const json_t *v, const char *p, uint32_t *ip_be, uint8_t *prefix_len,
	       struct cfg_error *err)
{
	uint8_t ignored;

	if (prefix_len == NULL)
		return cfg_parse_ipv4(v, p, CFG_PREFIX_NONE, 1,
				      "an IPv4 address, e.g. \"10.99.0.254\"", ip_be, &ignored, err);
	return cfg_parse_ipv4(v, p, CFG_PREFIX_REQUIRED, 1,
			      "an IPv4 address with prefix, e.g. \"10.99.0.1/24\"", ip_be,
			      prefix_len, err);
}

/* "xx:xx:xx:xx:xx:xx" (hex, either case) into @mac; false when @v is anything else. */
static bool
cfg_parse_mac(const json_t *v, uint8_t mac[6])
{
	const char *s = json_is_string(v) ? json_string_value(v) : NULL;
	unsigned int b[6], i;
	int n = 0;

	if (s == NULL || strlen(s) != 17 ||
	    sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%n", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5],
		   &n) != 6 || n != 17)
		return false;
	for (i = 0; i < 6; i++) {
		if (!isxdigit((unsigned char)s[3 * i]) || !isxdigit((unsigned char)s[3 * i + 1]))
			return false;
		mac[i] = (uint8_t)b[i];
	}
	return true;
}

static int
cfg_parse_iface(const json_t *o, const char *path, struct snapshot *snap, struct cfg_error *err)
{
	static const char *const keys[] = {"port", "name", "ipv4", "mtu", "gateway", "gateway_mac",
					   "icmp_echo", NULL};
	struct sf_iface ifc = {.present = true, .icmp_echo = true, .mtu = 1500};
	uint32_t port = UINT32_MAX, mtu = 1500;
	char p[CFG_PATH_MAX];
	const json_t *v;
	int rc;

	if (!json_is_object(o))
		return cfg_error_set(err, path, "expected an object {port, ipv4, ...}");
	rc = cfg_check_keys(o, keys, path, err);
	if (rc == 0)
		rc = cfg_get_uint(o, "port", path, 0, SF_MAX_PORTS - 1, &port, err);
	if (rc == 0)
		rc = cfg_get_uint(o, "mtu", path, 576, 9000, &mtu, err);
	if (rc != 0)
		return rc;
	if (port == UINT32_MAX)
		return cfg_error_set(err, path, "missing \"port\" (the DPDK port index)");
	if (snap->ifaces[port].present) {
		cfg_join(p, path, "port");
		return cfg_error_set(err, p, "port %u is configured twice", port);
	}
	ifc.mtu = (uint16_t)mtu;
	cfg_join(p, path, "ipv4");
	v = json_object_get(o, "ipv4");
	if (v == NULL)
		return cfg_error_set(err, p, "missing: expected \"a.b.c.d/len\"");
	rc = cfg_parse_addr(v, p, &ifc.ipv4, &ifc.prefix_len, err);
	if (rc != 0)
		return rc;
	ifc.netmask = htonl(UINT32_MAX << (32 - ifc.prefix_len));
	v = json_object_get(o, "gateway");
	if (v != NULL && !json_is_null(v)) {
		cfg_join(p, path, "gateway");
		rc = cfg_parse_addr(v, p, &ifc.gateway, NULL, err);
		if (rc != 0)
			return rc;
		if ((ifc.gateway & ifc.netmask) != (ifc.ipv4 & ifc.netmask) ||
		    ifc.gateway == ifc.ipv4)
			return cfg_error_set(err, p, "gateway must be another host on the "
						     "interface's subnet");
	}
	v = json_object_get(o, "gateway_mac");
	if (v != NULL && !json_is_null(v)) {
		cfg_join(p, path, "gateway_mac");
		if (!cfg_parse_mac(v, ifc.gateway_mac))
			return cfg_error_set(err, p, "expected a MAC \"xx:xx:xx:xx:xx:xx\"");
		if ((ifc.gateway_mac[0] & 1) != 0 ||
		    memcmp(ifc.gateway_mac, (const uint8_t[6]){0}, 6) == 0)
			return cfg_error_set(err, p, "must be a unicast MAC, not zero, broadcast "
						     "or multicast");
		if (ifc.gateway == 0)
			return cfg_error_set(err, p, "needs \"gateway\" (the address it belongs "
						     "to)");
		ifc.gateway_mac_set = true;
	}
	v = json_object_get(o, "icmp_echo");
	if (v != NULL) {
		if (!json_is_boolean(v)) {
			cfg_join(p, path, "icmp_echo");
			return cfg_error_set(err, p, "expected true or false");
		}
		ifc.icmp_echo = json_is_true(v);
	}
	snap->ifaces[port] = ifc;
	return 0;
}

static int
cfg_parse_interfaces(const json_t *arr, struct snapshot *snap, struct cfg_error *err)
{
	char p[CFG_PATH_MAX];
	size_t i;
	json_t *o;

	if (!json_is_array(arr) || json_array_size(arr) == 0)
		return cfg_error_set(err, "interfaces", "expected a non-empty list of interfaces");
	json_array_foreach((json_t *)arr, i, o) {
		int rc;

		snprintf(p, sizeof(p), "interfaces[%zu]", i);
		rc = cfg_parse_iface(o, p, snap, err);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static int
cfg_parse_sip(const json_t *o, struct snapshot *snap, struct cfg_error *err)
{
	static const char *const keys[] = {"port", "domain", "server", "register_expiry_jitter",
					   "reply_budget_rate", "reply_budget_burst", NULL};
	uint32_t port = 5060, jitter = 0, rb_rate = SF_REPLY_BUDGET_RATE_DEFAULT,
		 rb_burst = SF_REPLY_BUDGET_BURST_DEFAULT;
	const json_t *d, *server;
	int rc;

	if (!json_is_object(o))
		return cfg_error_set(err, "sip", "expected an object {port, domain}");
	rc = cfg_check_keys(o, keys, "sip", err);
	if (rc == 0)
		rc = cfg_get_uint(o, "port", "sip", 1, 65535, &port, err);
	if (rc == 0)
		rc = cfg_get_uint(o, "register_expiry_jitter", "sip", 0, SF_REG_EXPIRY_JITTER_MAX,
				  &jitter, err);
	if (rc == 0)
		rc = cfg_get_uint(o, "reply_budget_rate", "sip", 0, SF_REPLY_BUDGET_MAX, &rb_rate,
				  err);
	if (rc == 0)
		rc = cfg_get_uint(o, "reply_budget_burst", "sip", 1, SF_REPLY_BUDGET_MAX,
				  &rb_burst, err);
	if (rc != 0)
		return rc;
	d = json_object_get(o, "domain");
	if (!json_is_string(d) || json_string_length(d) == 0 ||
	    json_string_length(d) >= SF_DOMAIN_MAX)
		return cfg_error_set(err, "sip.domain",
				     "expected the SIP domain (also the digest realm), "
				     "1..%d characters", SF_DOMAIN_MAX - 1);
	memcpy(snap->domain, json_string_value(d), json_string_length(d) + 1);
	server = json_object_get(o, "server");
	if (server != NULL) {
		const char *v = json_string_value(server);
		size_t i, n = json_string_length(server);

		if (v == NULL || n >= SF_SERVER_MAX)
			return cfg_error_set(err, "sip.server", "expected a Server header value of "
							      "0..%d characters", SF_SERVER_MAX - 1);
		for (i = 0; i < n; i++)
			if ((unsigned char)v[i] < 0x20 || (unsigned char)v[i] > 0x7e)
				return cfg_error_set(err, "sip.server", "character %zu is not "
								      "printable ASCII", i);
		memcpy(snap->server, v, n);
		snap->server_len = (uint8_t)n;
	}
	snap->reg_expiry_jitter_pct = (uint8_t)jitter;
	snap->reply_budget_rate = rb_rate;
	snap->reply_budget_burst = rb_burst;
	snap->sip_port = (uint16_t)port;
	snap->sip_port_be = htons((uint16_t)port);
	return 0;
}

/*
 * lockout (beyond the seed): the per-source-IP ceiling across usernames. Absent = off, with
 * the default window and suspension kept for when it is turned on.
 */
static int
cfg_parse_lockout(const json_t *o, struct snapshot *snap, struct cfg_error *err)
{
	static const char *const keys[] = {"per_ip_max_failures", "per_ip_window_s",
					   "per_ip_suspend_s", NULL};
	struct sf_ip_ceiling c = {.max_failures = 0,
				  .window_s = SF_IP_CEILING_WINDOW_DEFAULT_S,
				  .suspend_s = SF_IP_CEILING_SUSPEND_DEFAULT_S};
	int rc = 0;

	if (o != NULL) {
		if (!json_is_object(o))
			return cfg_error_set(err, "lockout", "expected an object {per_ip_max_failures, "
							     "per_ip_window_s, per_ip_suspend_s}");
		rc = cfg_check_keys(o, keys, "lockout", err);
		if (rc == 0)
			rc = cfg_get_uint(o, "per_ip_max_failures", "lockout", 0,
					  SF_IP_CEILING_MAX_FAILURES_MAX, &c.max_failures, err);
		if (rc == 0)
			rc = cfg_get_uint(o, "per_ip_window_s", "lockout", 1,
					  SF_IP_CEILING_WINDOW_MAX_S, &c.window_s, err);
		if (rc == 0)
			rc = cfg_get_uint(o, "per_ip_suspend_s", "lockout", 1,
					  SF_IP_CEILING_SUSPEND_MAX_S, &c.suspend_s, err);
	}
	if (rc == 0)
		snap->ip_ceiling = c;
	return rc;
}

static void
cfg_runtime_defaults(struct sf_runtime *rt)
{
	*rt = (struct sf_runtime){
		.mbufs_per_socket = 16383,
		.mbuf_cache = 256,
		.big_mbufs = 511,
		.rx_desc = 1024,
		.tx_desc = 1024,
		.tx_drain_us = 100,
		.frag_max_flows = 4096,
		.frag_timeout_ms = 300,
		.frag_mbufs = 2047,
		.frag_source_max = 128,
		.arp_hold_ms = 1000,
		.authfail_entries = 16384,
		.register_replay_entries = 65536,
		.register_answer_cache = 1024,
		.calls_per_worker = 16384,
	};
}

static int
cfg_parse_runtime(const json_t *o, struct sf_runtime *rt, struct cfg_error *err)
{
	static const char *const keys[] = {"mbufs_per_socket", "mbuf_cache", "big_mbufs",
					   "rx_desc", "tx_desc", "tx_drain_us", "frag_max_flows",
					   "frag_timeout_ms", "frag_mbufs", "frag_source_max",
					   "arp_hold_ms", "authfail_entries", "register_replay_entries",
					   "register_answer_cache", "calls_per_worker", NULL};
	uint32_t rx = rt->rx_desc, tx = rt->tx_desc;
	int rc;

	if (o == NULL)
		return 0;
	if (!json_is_object(o))
		return cfg_error_set(err, "runtime", "expected an object");
	rc = cfg_check_keys(o, keys, "runtime", err);
	if (rc == 0)
		rc = cfg_get_uint(o, "mbufs_per_socket", "runtime", 1023, 16777215,
				  &rt->mbufs_per_socket, err);
	if (rc == 0)
		rc = cfg_get_uint(o, "mbuf_cache", "runtime", 0, 512, &rt->mbuf_cache, err);
	if (rc == 0)
		rc = cfg_get_uint(o, "big_mbufs", "runtime", 63, 1048575, &rt->big_mbufs, err);
	if (rc == 0)
		rc = cfg_get_uint(o, "rx_desc", "runtime", 64, 16384, &rx, err);
	if (rc == 0)
		rc = cfg_get_uint(o, "tx_desc", "runtime", 64, 16384, &tx, err);
	if (rc == 0)
		rc = cfg_get_uint(o, "tx_drain_us", "runtime", 1, 10000, &rt->tx_drain_us, err);
	if (rc == 0)
		rc = cfg_get_uint(o, "frag_max_flows", "runtime", 16, 1048576,
				  &rt->frag_max_flows, err);
	if (rc == 0)
		rc = cfg_get_uint(o, "frag_timeout_ms", "runtime", 100, 60000,
				  &rt->frag_timeout_ms, err);
	if (rc == 0)
		rc = cfg_get_uint(o, "frag_mbufs", "runtime", 63, 1048575, &rt->frag_mbufs, err);
	if (rc == 0)
		rc = cfg_get_uint(o, "frag_source_max", "runtime", 8, 65535, &rt->frag_source_max,
				  err);
	if (rc == 0)
		rc = cfg_get_uint(o, "arp_hold_ms", "runtime", 10, 10000, &rt->arp_hold_ms, err);
	if (rc == 0)
		rc = cfg_get_uint(o, "authfail_entries", "runtime", 64, 16777216,
				  &rt->authfail_entries, err);
	if (rc == 0)
		rc = cfg_get_uint(o, "register_replay_entries", "runtime", 64, 16777216,
				  &rt->register_replay_entries, err);
	if (rc == 0)
		rc = cfg_get_uint(o, "register_answer_cache", "runtime", 16, 65536,
				  &rt->register_answer_cache, err);
	if (rc == 0)
		rc = cfg_get_uint(o, "calls_per_worker", "runtime", 16, 1048576,
				  &rt->calls_per_worker, err);
	rt->rx_desc = (uint16_t)rx;
	rt->tx_desc = (uint16_t)tx;
	return rc;
}

/*
 * "keepalive" (optional, not a seed parameter): {"spread": "seed" | "even"}. "seed" (default)
 * is the seed's walk, bursts of SEND_ONE_TIME from each cycle start (KA-5/KA-6); "even" paces
 * a cycle's keep-alives over all its ticks (flat packet rate) and places new bindings at a
 * random phase. Changed by config.apply; workers take it at their next cycle start.
 */
static int
cfg_parse_keepalive(const json_t *o, struct snapshot *snap, struct cfg_error *err)
{
	static const char *const keys[] = {"spread", NULL};
	const json_t *v;
	const char *s;
	int rc;

	snap->ka_spread_even = false;
	if (o == NULL)
		return 0;
	if (!json_is_object(o))
		return cfg_error_set(err, "keepalive", "expected an object {\"spread\": "
						     "\"seed\" | \"even\"}");
	rc = cfg_check_keys(o, keys, "keepalive", err);
	if (rc != 0)
		return rc;
	v = json_object_get(o, "spread");
	if (v == NULL)
		return 0;
	s = json_string_value(v);
	if (s != NULL && strcmp(s, "even") == 0)
		snap->ka_spread_even = true;
	else if (s == NULL || strcmp(s, "seed") != 0)
		return cfg_error_set(err, "keepalive.spread",
				     "%s%s%s is not a spread mode: expected \"seed\" (bursts from "
				     "the cycle start, the default) or \"even\" (paced over the "
				     "whole period)", s ? "\"" : "", s ? s : "a non-string",
				     s ? "\"" : "");
	return 0;
}

/* Sections later modules own: for now each must be a list of objects. */
static int
cfg_check_list_of_objects(const json_t *doc, const char *key, struct cfg_error *err)
{
	const json_t *arr = json_object_get(doc, key);
	char p[CFG_PATH_MAX];
	size_t i;
	json_t *o;

	if (arr == NULL)
		return 0;
	if (!json_is_array(arr))
		return cfg_error_set(err, key, "expected a list of objects");
	json_array_foreach((json_t *)arr, i, o) {
		if (!json_is_object(o)) {
			snprintf(p, sizeof(p), "%s[%zu]", key, i);
			return cfg_error_set(err, p, "expected an object");
		}
	}
	return 0;
}

int
config_build(const json_t *doc, struct snapshot *snap, struct sf_runtime *rt,
	     struct cfg_error *err)
{
	static const char *const keys[] = {"interfaces", "sip", "params", "accounts",
					   "gateways", "routes", "runtime", "keepalive", "lockout",
					   NULL};
	struct sf_runtime scratch;
	const json_t *params;
	int rc;

	if (!json_is_object(doc))
		return cfg_error_set(err, "", "the document must be a JSON object");
	memset(snap, 0, sizeof(*snap));
	if (rt == NULL)
		rt = &scratch;
	cfg_runtime_defaults(rt);
	rc = cfg_check_keys(doc, keys, "", err);
	if (rc == 0)
		rc = cfg_parse_interfaces(json_object_get(doc, "interfaces"), snap, err);
	if (rc == 0)
		rc = cfg_parse_sip(json_object_get(doc, "sip"), snap, err);
	if (rc == 0)
		rc = cfg_parse_lockout(json_object_get(doc, "lockout"), snap, err);
	if (rc == 0)
		rc = cfg_parse_runtime(json_object_get(doc, "runtime"), rt, err);
	if (rc == 0)
		rc = cfg_check_list_of_objects(doc, "routes", err);
	if (rc == 0)
		rc = cfg_parse_keepalive(json_object_get(doc, "keepalive"), snap, err);
	if (rc != 0)
		return rc;
	params = json_object_get(doc, "params");
	if (params == NULL)
		param_table_defaults(&snap->params);
	else
		rc = param_table_parse(params, &snap->params, err);
	/* Last: it allocates snap->policy, and frees it itself when it fails. */
	return rc != 0 ? rc : cfg_policy_parse(doc, snap, err);
}

int
config_load_file(const char *path, json_t **doc, struct cfg_error *err)
{
	json_error_t jerr;

	*doc = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (*doc == NULL)
		return cfg_error_set(err, "", "%s:%d:%d: %s", path, jerr.line, jerr.column,
				     jerr.text);
	return 0;
}

const char *
config_ipv4_str(uint32_t ip_be, char *buf, size_t len)
{
	struct in_addr a = {.s_addr = ip_be};

	return inet_ntop(AF_INET, &a, buf, (socklen_t)len);
}
