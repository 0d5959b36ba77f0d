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
test_unknown_keys_rejected_at_every_level(void **state)
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

static void
test_params_errors_come_from_the_parameter_table(void **state)
{
	(void)state;
	expect_error("params", "{\"SS_ENDPOINT_NAT_EXPIRE\": \"soon\"}", "params.SS_ENDPOINT_NAT_EXPIRE",
		     "soon");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_document_fills_snapshot_and_runtime),
		cmocka_unit_test(test_unknown_keys_rejected_at_every_level),
		cmocka_unit_test(test_interface_errors_name_the_path),
		cmocka_unit_test(test_duplicate_port_rejected),
		cmocka_unit_test(test_keepalive_spread_mode_key),
		cmocka_unit_test(test_sip_section_checked),
		cmocka_unit_test(test_CFG_sip_reply_budget_keys_checked),
		cmocka_unit_test(test_lockout_per_ip_ceiling_section_checked),
		cmocka_unit_test(test_runtime_ranges_checked),
		cmocka_unit_test(test_params_errors_come_from_the_parameter_table),
	};

	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
