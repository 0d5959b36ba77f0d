/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The config document outside "params" (which test_param_table covers): every section is
 * validated key by key, and an error names the JSON path and what was expected.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <cmocka.h>

#include "ctrlplane/config.h"
#include "dataplane/policy/policy.h"
#include "dataplane/auth/authfail.h"

static const char *const good_doc =
	"{\"interfaces\": [{\"port\": 0, \"ipv4\": \"10.99.0.1/24\", \"gateway\": \"10.99.0.254\","
	" \"mtu\": 1400, \"icmp_echo\": false}],"
	" \"sip\": {\"port\": 5070, \"domain\": \"sipfast.test\"},"
	" \"runtime\": {\"mbufs_per_socket\": 4095, \"frag_timeout_ms\": 500}}";

/* Build the good document with the key at dotted @path ("interfaces.0.mtu") set to the JSON
 * @value, or removed when @value is NULL. */
static int
build_with(const char *path, const char *value, struct snapshot *snap, struct sf_runtime *rt,
	   struct cfg_error *err)
{
	json_t *doc = json_loads(good_doc, 0, NULL), *parent = doc;
	char buf[128];
	char *seg, *dot;
	int rc;

	assert_non_null(doc);
	if (path != NULL) {
		snprintf(buf, sizeof(buf), "%s", path);
		for (seg = buf; (dot = strchr(seg, '.')) != NULL; seg = dot + 1) {
			*dot = '\0';
			parent = json_is_array(parent) ? json_array_get(parent, strtoul(seg, NULL, 10))
							: json_object_get(parent, seg);
			assert_non_null(parent);
		}
		if (value == NULL)
			json_object_del(parent, seg);
		else
			json_object_set_new(parent, seg, json_loads(value, JSON_DECODE_ANY, NULL));
	}
	memset(err, 0, sizeof(*err));
	rc = config_build(doc, snap, rt, err);
	json_decref(doc);
	return rc;
}

static void
expect_error(const char *path, const char *value, const char *err_path, const char *needle)
{
	struct snapshot *snap = calloc(1, sizeof(*snap));
	struct cfg_error err;

	assert_int_equal(build_with(path, value, snap, NULL, &err), -EINVAL);
	assert_string_equal(err.path, err_path);
	if (strstr(err.msg, needle) == NULL)
		fail_msg("error for %s: \"%s\" does not mention \"%s\"", err_path, err.msg, needle);
	snapshot_free(snap);
}

static void
test_valid_document_fills_snapshot_and_runtime(void **state)
{
	struct snapshot *snap = calloc(1, sizeof(*snap));
	struct sf_runtime rt;
	struct cfg_error err;

	(void)state;
	assert_int_equal(build_with(NULL, NULL, snap, &rt, &err), 0);
	assert_true(snap->ifaces[0].present);
	assert_false(snap->ifaces[1].present);
	assert_int_equal(snap->ifaces[0].ipv4, inet_addr("10.99.0.1"));
	assert_int_equal(snap->ifaces[0].netmask, inet_addr("255.255.255.0"));
	assert_int_equal(snap->ifaces[0].gateway, inet_addr("10.99.0.254"));
	assert_int_equal(snap->ifaces[0].prefix_len, 24);
	assert_int_equal(snap->ifaces[0].mtu, 1400);
	assert_false(snap->ifaces[0].icmp_echo);
	assert_int_equal(snap->sip_port, 5070);
	assert_int_equal(snap->sip_port_be, htons(5070));
	assert_string_equal(snap->domain, "sipfast.test");
	assert_int_equal(snap->server_len, 0); /* no Server header unless configured */
	assert_int_equal(snap->reg_expiry_jitter_pct, 0); /* expiry jitter off unless configured */
	assert_int_equal(snap->ip_ceiling.max_failures, 0); /* per-IP ceiling off unless configured */
	assert_int_equal(snap->ip_ceiling.window_s, 60);
	assert_int_equal(snap->ip_ceiling.suspend_s, 600);
	assert_int_equal(rt.mbufs_per_socket, 4095);
	assert_int_equal(rt.frag_timeout_ms, 500);
	assert_int_equal(rt.rx_desc, 1024); /* default kept */
	assert_true(snap->params.reply_unauthorized); /* params absent: the spec's defaults */
	snapshot_free(snap);
}

static void
test_CFG_3_unknown_keys_rejected_at_every_level(void **state)
{
	(void)state;
	expect_error("interface", "[]", "interface", "unknown key");
	expect_error("interfaces.0.ipv6", "\"::1\"", "interfaces[0].ipv6", "unknown key");
	expect_error("sip.realm", "\"x\"", "sip.realm", "unknown key");
	expect_error("runtime.mbufs", "1", "runtime.mbufs", "unknown key");
}

/*
 * "keepalive": {"spread"} (issue 6, beyond the seed): "seed" (default) or "even"; anything
 * else is refused with an error naming keepalive.spread.
 */
static void
test_keepalive_spread_mode_key(void **state)
{
	struct snapshot *snap = calloc(1, sizeof(*snap));
	struct cfg_error err;

	(void)state;
	assert_int_equal(build_with(NULL, NULL, snap, NULL, &err), 0);
	assert_false(snap->ka_spread_even); /* absent: the seed's walk */
	snapshot_free(snap);
	snap = calloc(1, sizeof(*snap));
	assert_int_equal(build_with("keepalive", "{\"spread\": \"even\"}", snap, NULL, &err), 0);
	assert_true(snap->ka_spread_even);
	snapshot_free(snap);
	snap = calloc(1, sizeof(*snap));
	assert_int_equal(build_with("keepalive", "{\"spread\": \"seed\"}", snap, NULL, &err), 0);
	assert_false(snap->ka_spread_even);
	snapshot_free(snap);
	snap = calloc(1, sizeof(*snap));
	assert_int_equal(build_with("keepalive", "{}", snap, NULL, &err), 0);
	assert_false(snap->ka_spread_even);
	snapshot_free(snap);
	expect_error("keepalive", "{\"spread\": \"flat\"}", "keepalive.spread", "\"flat\"");
	expect_error("keepalive", "{\"spread\": \"Even\"}", "keepalive.spread", "\"even\"");
	expect_error("keepalive", "{\"spread\": 1}", "keepalive.spread", "non-string");
	expect_error("keepalive", "{\"spread\": \"even\", \"jitter\": 1}", "keepalive.jitter",
		     "unknown key");
	expect_error("keepalive", "\"even\"", "keepalive", "spread");
}

static void
test_interface_errors_name_the_path(void **state)
{
	(void)state;
	expect_error("interfaces", "[]", "interfaces", "non-empty");
	expect_error("interfaces.0.ipv4", "\"10.99.0.1\"", "interfaces[0].ipv4", "prefix");
	expect_error("interfaces.0.ipv4", "\"10.99.0.300/24\"", "interfaces[0].ipv4", "10.99.0.300");
	expect_error("interfaces.0.ipv4", "\"10.99.0.1/33\"", "interfaces[0].ipv4", "1..32");
	expect_error("interfaces.0.ipv4", NULL, "interfaces[0].ipv4", "missing");
	expect_error("interfaces.0.port", "8", "interfaces[0].port", "[0, 7]");
	expect_error("interfaces.0.port", NULL, "interfaces[0]", "port");
	expect_error("interfaces.0.mtu", "575", "interfaces[0].mtu", "575");
	expect_error("interfaces.0.gateway", "\"10.98.0.1\"", "interfaces[0].gateway", "subnet");
	expect_error("interfaces.0.gateway", "\"10.99.0.1\"", "interfaces[0].gateway", "subnet");
	expect_error("interfaces.0.icmp_echo", "\"yes\"", "interfaces[0].icmp_echo", "true or false");
}

/* ARP-8 (issue 12 defect 8): the optional static gateway MAC, validated, errors name the key. */
static void
test_ARP_8_gateway_mac_key(void **state)
{
	static const uint8_t want[6] = {0x02, 0x00, 0x5e, 0x0a, 0xbc, 0xfe};
	struct snapshot *snap = calloc(1, sizeof(*snap));
	struct sf_runtime rt;
	struct cfg_error err;

	(void)state;
	assert_non_null(snap);
	assert_int_equal(build_with("interfaces.0.gateway_mac", "\"02:00:5E:0a:bc:fe\"", snap, &rt,
				    &err), 0);
	assert_true(snap->ifaces[0].gateway_mac_set);
	assert_memory_equal(snap->ifaces[0].gateway_mac, want, 6);
	snapshot_free(snap);
	snap = calloc(1, sizeof(*snap));
	assert_non_null(snap);
	assert_int_equal(build_with(NULL, NULL, snap, &rt, &err), 0);
	assert_false(snap->ifaces[0].gateway_mac_set);
	snapshot_free(snap);
	expect_error("interfaces.0.gateway_mac", "\"02:00:5e:0a:bc\"", "interfaces[0].gateway_mac",
		     "xx:xx");
	expect_error("interfaces.0.gateway_mac", "\"02:00:5e:0a:bc:fg\"",
		     "interfaces[0].gateway_mac", "xx:xx");
	expect_error("interfaces.0.gateway_mac", "\"02:00:5e:0a:bc:fe:\"",
		     "interfaces[0].gateway_mac", "xx:xx");
	expect_error("interfaces.0.gateway_mac", "7", "interfaces[0].gateway_mac", "xx:xx");
	expect_error("interfaces.0.gateway_mac", "\"01:00:5e:00:00:01\"",
		     "interfaces[0].gateway_mac", "unicast");
	expect_error("interfaces.0.gateway_mac", "\"ff:ff:ff:ff:ff:ff\"",
		     "interfaces[0].gateway_mac", "unicast");
	expect_error("interfaces.0.gateway_mac", "\"00:00:00:00:00:00\"",
		     "interfaces[0].gateway_mac", "unicast");
}

static void
test_duplicate_port_rejected(void **state)
{
	(void)state;
	expect_error("interfaces", "[{\"port\": 0, \"ipv4\": \"10.99.0.1/24\"},"
				   " {\"port\": 0, \"ipv4\": \"10.98.0.1/24\"}]",
		     "interfaces[1].port", "twice");
}

static void
test_sip_section_checked(void **state)
{
	struct snapshot *snap = calloc(1, sizeof(*snap));
	struct cfg_error err;

	(void)state;
	expect_error("sip", NULL, "sip", "{port, domain}");
	expect_error("sip.domain", NULL, "sip.domain", "realm");
	expect_error("sip.domain", "\"\"", "sip.domain", "1..127");
	expect_error("sip.port", "0", "sip.port", "[1, 65535]");
	expect_error("sip.port", "\"5060\"", "sip.port", "integer");
	expect_error("sip.server", "\"sipfast\\r\\nX: y\"", "sip.server", "printable");
	expect_error("sip.server", "42", "sip.server", "Server header");
	/* Expiry jitter (beyond the seed): a percentage, 0 (off, the default) to 50. */
	assert_int_equal(build_with("sip.register_expiry_jitter", "25", snap, NULL, &err), 0);
	assert_int_equal(snap->reg_expiry_jitter_pct, 25);
	snapshot_free(snap);
	expect_error("sip.register_expiry_jitter", "51", "sip.register_expiry_jitter", "[0, 50]");
	expect_error("sip.register_expiry_jitter", "\"10%\"", "sip.register_expiry_jitter",
		     "integer");
}

/*
 * sip.reply_budget_rate / _burst (issue 12 item 6): absent, the defaults (100/s, 200); set,
 * taken; out of range or not an integer, refused naming the key.
 */
static void
test_CFG_sip_reply_budget_keys_checked(void **state)
{
	struct snapshot *snap = calloc(1, sizeof(*snap));
	struct cfg_error err;

	(void)state;
	assert_int_equal(build_with(NULL, NULL, snap, NULL, &err), 0);
	assert_int_equal(snap->reply_budget_rate, 100);
	assert_int_equal(snap->reply_budget_burst, 200);
	snapshot_free(snap);
	snap = calloc(1, sizeof(*snap));
	assert_int_equal(build_with("sip.reply_budget_rate", "0", snap, NULL, &err), 0);
	assert_int_equal(snap->reply_budget_rate, 0);
	snapshot_free(snap);
	snap = calloc(1, sizeof(*snap));
	assert_int_equal(build_with("sip.reply_budget_burst", "7", snap, NULL, &err), 0);
	assert_int_equal(snap->reply_budget_burst, 7);
	snapshot_free(snap);
	expect_error("sip.reply_budget_rate", "1000001", "sip.reply_budget_rate", "[0, 1000000]");
	expect_error("sip.reply_budget_rate", "\"fast\"", "sip.reply_budget_rate", "integer");
	expect_error("sip.reply_budget_burst", "0", "sip.reply_budget_burst", "[1, 1000000]");
}

/*
 * lockout (beyond the seed): the per-source-IP ceiling across usernames. Absent: off with the
 * default window (60 s) and suspension (600 s); each key range-checked, errors name the key.
 */
static void
test_lockout_per_ip_ceiling_section_checked(void **state)
{
	struct snapshot *snap = calloc(1, sizeof(*snap));
	struct cfg_error err;

	(void)state;
	assert_int_equal(build_with("lockout", "{\"per_ip_max_failures\": 20, \"per_ip_window_s\": 30,"
					       " \"per_ip_suspend_s\": 3600}", snap, NULL, &err), 0);
	assert_int_equal(snap->ip_ceiling.max_failures, 20);
	assert_int_equal(snap->ip_ceiling.window_s, 30);
	assert_int_equal(snap->ip_ceiling.suspend_s, 3600);
	snapshot_free(snap);
	snap = calloc(1, sizeof(*snap));
	assert_int_equal(build_with("lockout", "{\"per_ip_max_failures\": 5}", snap, NULL, &err), 0);
	assert_int_equal(snap->ip_ceiling.max_failures, 5);
	assert_int_equal(snap->ip_ceiling.window_s, 60); /* defaults for what is not given */
	assert_int_equal(snap->ip_ceiling.suspend_s, 600);
	snapshot_free(snap);
	snap = calloc(1, sizeof(*snap));
	assert_int_equal(build_with("lockout", "{}", snap, NULL, &err), 0);
	assert_int_equal(snap->ip_ceiling.max_failures, 0);
	snapshot_free(snap);
	expect_error("lockout", "[]", "lockout", "object");
	expect_error("lockout", "{\"per_ip_max\": 5}", "lockout.per_ip_max", "unknown key");
	expect_error("lockout", "{\"per_ip_max_failures\": 10001}", "lockout.per_ip_max_failures",
		     "[0, 10000]");
	expect_error("lockout", "{\"per_ip_max_failures\": -1}", "lockout.per_ip_max_failures",
		     "-1");
	expect_error("lockout", "{\"per_ip_max_failures\": \"10\"}", "lockout.per_ip_max_failures",
		     "integer");
	expect_error("lockout", "{\"per_ip_window_s\": 0}", "lockout.per_ip_window_s", "[1, 3600]");
	expect_error("lockout", "{\"per_ip_window_s\": 3601}", "lockout.per_ip_window_s",
		     "[1, 3600]");
	expect_error("lockout", "{\"per_ip_suspend_s\": 0}", "lockout.per_ip_suspend_s",
		     "[1, 86400]");
	expect_error("lockout", "{\"per_ip_suspend_s\": 86401}", "lockout.per_ip_suspend_s",
		     "[1, 86400]");
}

static void
test_runtime_ranges_checked(void **state)
{
	(void)state;
	expect_error("runtime.mbuf_cache", "513", "runtime.mbuf_cache", "513");
	expect_error("runtime.tx_drain_us", "0", "runtime.tx_drain_us", "[1, 10000]");
	expect_error("runtime", "[]", "runtime", "object");
}

/*
 * Registrar table sizes (issue 12 defects 7, 9): defaults 16384 / 65536 / 1024, a value is
 * taken, out of range is an error naming the key.
 */
static void
test_runtime_registrar_table_sizes(void **state)
{
	struct snapshot *snap = calloc(1, sizeof(*snap));
	struct sf_runtime rt;
	struct cfg_error err;

	(void)state;
	assert_int_equal(build_with(NULL, NULL, snap, &rt, &err), 0);
	assert_int_equal(rt.authfail_entries, 16384);
	assert_int_equal(rt.register_replay_entries, 65536);
	assert_int_equal(rt.register_answer_cache, 1024);
	snapshot_free(snap);
	snap = calloc(1, sizeof(*snap));
	assert_int_equal(build_with("runtime.register_replay_entries", "262144", snap, &rt, &err),
			 0);
	assert_int_equal(rt.register_replay_entries, 262144);
	snapshot_free(snap);
	expect_error("runtime.authfail_entries", "63", "runtime.authfail_entries", "63");
	expect_error("runtime.register_replay_entries", "16777217",
		     "runtime.register_replay_entries", "16777217");
	expect_error("runtime.register_answer_cache", "65537", "runtime.register_answer_cache",
		     "65537");
}

/*
 * The call engine's keys (issue 13): runtime.calls_per_worker (default 16384, 16..1048576) and
 * gateways[].invite_timeout (8.1, s, 1..300, absent = 0: SS_SIP_TIMEOUT_INVITE); errors name
 * the key.
 */
static void
test_CALL_config_keys(void **state)
{
	struct snapshot *snap = calloc(1, sizeof(*snap));
	struct sf_runtime rt;
	struct cfg_error err;

	(void)state;
	assert_int_equal(build_with(NULL, NULL, snap, &rt, &err), 0);
	assert_int_equal(rt.calls_per_worker, 16384);
	snapshot_free(snap);
	snap = calloc(1, sizeof(*snap));
	assert_int_equal(build_with("runtime.calls_per_worker", "64", snap, &rt, &err), 0);
	assert_int_equal(rt.calls_per_worker, 64);
	snapshot_free(snap);
	snap = calloc(1, sizeof(*snap));
	assert_int_equal(build_with("gateways", "[{\"name\": \"g\", \"address\": \"10.99.0.5\", "
					    "\"invite_timeout\": 5}, {\"name\": \"h\", "
					    "\"address\": \"10.99.0.6\"}]", snap, &rt, &err), 0);
	assert_int_equal(snap->policy->gateways[0].invite_timeout_s, 5);
	assert_int_equal(snap->policy->gateways[1].invite_timeout_s, 0);
	snapshot_free(snap);
	expect_error("runtime.calls_per_worker", "15", "runtime.calls_per_worker", "15");
	expect_error("runtime.calls_per_worker", "1048577", "runtime.calls_per_worker", "1048577");
	expect_error("gateways", "[{\"name\": \"g\", \"address\": \"10.99.0.5\", "
				 "\"invite_timeout\": 0}]", "gateways[0].invite_timeout", "[1, 300]");
	expect_error("gateways", "[{\"name\": \"g\", \"address\": \"10.99.0.5\", "
				 "\"invite_timeout\": 301}]", "gateways[0].invite_timeout", "[1, 300]");
}

static void
test_CFG_4_params_errors_name_the_key(void **state)
{
	(void)state;
	expect_error("params", "{\"SS_ENDPOINT_NAT_EXPIRE\": \"soon\"}", "params.SS_ENDPOINT_NAT_EXPIRE",
		     "soon");
	/* CFG-4 through the whole document: range and word errors name the key and the range. */
	expect_error("params", "{\"SS_AUTHENTICATION_FAILED_SUSPEND\": 3601}",
		     "params.SS_AUTHENTICATION_FAILED_SUSPEND", "60–3600");
	expect_error("params", "{\"SS_SIP_USER_AGENT_PRIVACY\": \"Foo\"}",
		     "params.SS_SIP_USER_AGENT_PRIVACY", "\"Foo\"");
	/* The same rules inside an account's overrides, with the account's path. */
	expect_error("accounts", "[{\"user\": \"a\", \"password\": \"p\","
		     " \"params\": {\"SS_AUTHENTICATION_MAX_RETRY\": 1000}}]",
		     "accounts[0].params.SS_AUTHENTICATION_MAX_RETRY", "0–999");
}

/* Build the good document with "params" @globals and "accounts" @accounts (JSON text). */
static struct snapshot *
build_params(const char *globals, const char *accounts)
{
	struct snapshot *snap = calloc(1, sizeof(*snap));
	json_t *doc = json_loads(good_doc, 0, NULL);
	struct cfg_error err;

	assert_non_null(snap);
	assert_non_null(doc);
	if (globals != NULL)
		json_object_set_new(doc, "params", json_loads(globals, 0, NULL));
	if (accounts != NULL)
		json_object_set_new(doc, "accounts", json_loads(accounts, 0, NULL));
	memset(&err, 0, sizeof(err));
	if (config_build(doc, snap, NULL, &err) != 0)
		fail_msg("config_build: %s: %s", err.path, err.msg);
	json_decref(doc);
	return snap;
}

/*
 * CFG-10: an override set to null is cleared and the global applies again. Today the
 * overrides that exist are per account (accounts[].params, read by the registrar for each
 * REGISTER); per-gateway overrides ("Invite timeout" etc., PARAMETERS.md section 8) and "new
 * calls through that gateway" need the call engine and are not tested here. Regression: before
 * the fix a null override was refused ("found null") and the document did not load.
 */
static void
test_CFG_10_override_set_to_null_falls_back_to_global(void **state)
{
	struct snapshot *snap;
	const struct sf_params *a;

	(void)state;
	snap = build_params("{\"SS_ENDPOINT_EXPIRE\": 600, \"SS_SIP_AUTHENTICATION_RETRY\": 4}",
			    "[{\"user\": \"alice\", \"password\": \"pw\", \"params\":"
			    " {\"SS_ENDPOINT_EXPIRE\": 120, \"SS_SIP_AUTHENTICATION_RETRY\": 3}}]");
	a = snap->policy->accounts[0].params;
	assert_non_null(a);
	assert_int_equal(a->endpoint_expire_s, 120);
	assert_int_equal(a->auth_retry, 3);
	snapshot_free(snap);

	/* The next document clears one override: that key is the global again, the other stays. */
	snap = build_params("{\"SS_ENDPOINT_EXPIRE\": 600, \"SS_SIP_AUTHENTICATION_RETRY\": 4}",
			    "[{\"user\": \"alice\", \"password\": \"pw\", \"params\":"
			    " {\"SS_ENDPOINT_EXPIRE\": null, \"SS_SIP_AUTHENTICATION_RETRY\": 3}}]");
	a = snap->policy->accounts[0].params;
	assert_int_equal(a->endpoint_expire_s, 600);
	assert_int_equal(a->auth_retry, 3);
	assert_int_equal(snap->params.endpoint_expire_s, 600);
	snapshot_free(snap);

	/* Every override null: the account's values are exactly the globals. */
	snap = build_params("{\"SS_ENDPOINT_EXPIRE\": 600, \"SS_GATEWAY_SWITCH_LIMIT\": 3}",
			    "[{\"user\": \"alice\", \"password\": \"pw\", \"params\":"
			    " {\"SS_ENDPOINT_EXPIRE\": null, \"SS_GATEWAY_SWITCH_LIMIT\": null}}]");
	assert_memory_equal(snap->policy->accounts[0].params, &snap->params, sizeof(snap->params));
	assert_false(snap->params.switch_limit_none);
	snapshot_free(snap);
}

static void
expect_session(struct authfail_table *t, const struct authfail_attempt *at,
	       const struct sf_params *p, uint32_t now, enum authfail_result want)
{
	assert_int_equal(authfail_record_failure(t, at, p, now), want);
}

/*
 * CFG-9 (I-34): work already running keeps the values it started with. Two snapshots built
 * from two documents, as config.apply makes them: an authentication session opened under the
 * old one keeps its retry count and timeout (AUTH-12), a suspension started under the old one
 * keeps its end time, and the new values apply to the next session and the next suspension.
 * Not tested here: calls and client transactions (NT-4, MAX-5) need the call engine.
 * Keep-alive values "from the next cycle" are test_KA_13_new_message_from_next_cycle
 * (test_ka_tx.c). Registrar caps "from the next REGISTER": registrar.c reads the expiry caps
 * from the snapshot the worker holds when each REGISTER arrives (nothing is copied into a
 * binding), and no test of its own asserts that yet.
 */
static void
test_CFG_9_running_auth_sessions_keep_their_values(void **state)
{
	struct authfail_config cfg = { .capacity = 256 };
	struct snapshot *old_s, *new_s;
	struct authfail_table *t;
	struct authfail_attempt at;
	const uint32_t ip = htonl(0x0a000005), t0 = 1000;
	unsigned int i;

	(void)state;
	old_s = build_params("{\"SS_SIP_AUTHENTICATION_RETRY\": 6, \"SS_SIP_AUTHENTICATION_TIMEOUT\":"
			     " 20, \"SS_AUTHENTICATION_MAX_RETRY\": 0,"
			     " \"SS_ENDPOINT_REGISTER_RETRY\": 2, \"SS_ENDPOINT_REGISTER_SUSPEND\": 600}",
			     NULL);
	new_s = build_params("{\"SS_SIP_AUTHENTICATION_RETRY\": 2, \"SS_SIP_AUTHENTICATION_TIMEOUT\":"
			     " 3, \"SS_AUTHENTICATION_MAX_RETRY\": 0,"
			     " \"SS_ENDPOINT_REGISTER_RETRY\": 2, \"SS_ENDPOINT_REGISTER_SUSPEND\": 60}",
			     NULL);
	t = authfail_create(&cfg, 42);
	assert_non_null(t);

	/* A session opened under the old snapshot: R = 6, timeout 20 s. */
	at = (struct authfail_attempt){ .src_ip = ip, .user = { (const uint8_t *)"bob", 3 },
					.call_id = { (const uint8_t *)"cfg9-a", 6 },
					.challenged_s = t0 };
	expect_session(t, &at, &old_s->params, t0, AUTHFAIL_CHALLENGE_AGAIN);
	/* The update lands; later answers in that session are judged with the new snapshot's
	 * params, yet the session keeps R = 6 and 20 s: the 2nd..5th answers (past the new 3 s
	 * timeout and the new R = 2) are challenged again, the 6th ends it. */
	for (i = 2; i <= 5; i++)
		expect_session(t, &at, &new_s->params, t0 + 2 * i, AUTHFAIL_CHALLENGE_AGAIN);
	expect_session(t, &at, &new_s->params, t0 + 12, AUTHFAIL_FINAL_REJECT);
	/* A session opened after the update uses the new R = 2. */
	at.call_id = (struct sf_span){ (const uint8_t *)"cfg9-b", 6 };
	at.challenged_s = t0 + 13;
	expect_session(t, &at, &new_s->params, t0 + 13, AUTHFAIL_CHALLENGE_AGAIN);
	expect_session(t, &at, &new_s->params, t0 + 14, AUTHFAIL_FINAL_REJECT);

	/* A REGISTER suspension started under the old snapshot (600 s) keeps its end. */
	at = (struct authfail_attempt){ .src_ip = ip, .user = { (const uint8_t *)"carol", 5 },
					.call_id = { (const uint8_t *)"cfg9-r", 6 },
					.challenged_s = t0, .is_register = true };
	expect_session(t, &at, &old_s->params, t0, AUTHFAIL_CHALLENGE_AGAIN);
	expect_session(t, &at, &old_s->params, t0 + 1, AUTHFAIL_NOW_LOCKED);
	assert_int_equal(authfail_check(t, ip, at.user, t0 + 1 + 300), AUTHFAIL_LOCKED);
	assert_int_equal(authfail_check(t, ip, at.user, t0 + 1 + 599), AUTHFAIL_LOCKED);
	assert_int_equal(authfail_check(t, ip, at.user, t0 + 1 + 600), AUTHFAIL_ALLOW);
	/* The next suspension takes the new 60 s. */
	at.call_id = (struct sf_span){ (const uint8_t *)"cfg9-s", 6 };
	at.challenged_s = t0 + 700;
	expect_session(t, &at, &new_s->params, t0 + 700, AUTHFAIL_CHALLENGE_AGAIN);
	expect_session(t, &at, &new_s->params, t0 + 701, AUTHFAIL_NOW_LOCKED);
	assert_int_equal(authfail_check(t, ip, at.user, t0 + 701 + 59), AUTHFAIL_LOCKED);
	assert_int_equal(authfail_check(t, ip, at.user, t0 + 701 + 60), AUTHFAIL_ALLOW);

	authfail_destroy(t);
	snapshot_free(old_s);
	snapshot_free(new_s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_document_fills_snapshot_and_runtime),
		cmocka_unit_test(test_CFG_3_unknown_keys_rejected_at_every_level),
		cmocka_unit_test(test_interface_errors_name_the_path),
		cmocka_unit_test(test_duplicate_port_rejected),
		cmocka_unit_test(test_ARP_8_gateway_mac_key),
		cmocka_unit_test(test_keepalive_spread_mode_key),
		cmocka_unit_test(test_sip_section_checked),
		cmocka_unit_test(test_CFG_sip_reply_budget_keys_checked),
		cmocka_unit_test(test_lockout_per_ip_ceiling_section_checked),
		cmocka_unit_test(test_runtime_ranges_checked),
		cmocka_unit_test(test_runtime_registrar_table_sizes),
		cmocka_unit_test(test_CALL_config_keys),
		cmocka_unit_test(test_CFG_4_params_errors_name_the_key),
		cmocka_unit_test(test_CFG_9_running_auth_sessions_keep_their_values),
		cmocka_unit_test(test_CFG_10_override_set_to_null_falls_back_to_global),
	};

	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
