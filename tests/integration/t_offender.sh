#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The L3 offender memory live (issue 14 item 1), SS_REPLY_UNAUTHORIZED Off, a short memory
# (threshold 3 drops in 60 s, remembered 30 s: the control calls take seconds on a loaded
# host): svmap (sipvicious) from 10.99.0.3 is remembered
# (offender_remembered, offenders.list) and its next scans are dropped at L3 (drop_l3_offender,
# no SIP byte read: sip_received stands still); the gateway 10.99.0.2 flooding OPTIONS is
# never remembered (every OPTIONS answered); a phone (account 1001) at the remembered address
# is dropped until the memory expires, then registers (200 OK); sipfastctl offenders lists
# and clears.
source "$(dirname "$0")/lib.sh"

CTLBIN=$BUILD/ctrlplane/sipfastctl
SCANNER=10.99.0.3
REMEMBER_S=30

cat >"$WORK/offender.json" <<EOF
{
	"interfaces": [{"port": 0, "ipv4": "10.99.0.1/24", "gateway": "10.99.0.254"}],
	"sip": {"port": 5060, "domain": "sipfast.test"},
	"params": {"SS_REPLY_UNAUTHORIZED": "Off"},
	"accounts": [{"user": "1001", "password": "secret-1001"}],
	"gateways": [{"name": "gw", "address": "10.99.0.2"}],
	"offender": {"enabled": true, "threshold": 3, "window_ms": 60000,
		     "remember_s": $REMEMBER_S, "table_size": 4096},
	"runtime": {"mbufs_per_socket": 8191, "big_mbufs": 255}
}
EOF

sv() { peer timeout 60 "$@" 2>&1; }
# totals NAME...: those summed counters, space-separated, from one stats.get (python starts
# slowly on a loaded host: one call, not one per counter).
totals() {
	python3 -c "import sys; sys.path.insert(0, '$ROOT/tests/integration'); import ctl
t = ctl.call('$CTL', 'stats.get')['result']['total']; print(*[t.get(n, 0) for n in sys.argv[1:]])" "$@"
}
listed() { ctl offenders.list | python3 -c "import json, sys; print(' '.join(o['ip'] for o in json.load(sys.stdin)['offenders']))"; }
# n_listed IP: entries offenders.list shows for IP (a number only when the call worked)
n_listed() { ctl offenders.list "{\"ip\": \"$1\"}" --path=total; }
has_word() { [[ " $1 " == *" $2 "* ]]; }
# svmap_until_remembered: svmap from $SCANNER until the memory holds it (one OPTIONS per run
# when nothing answers; at most 8 runs); T_REMEMBERED ($SECONDS) and BEFORE (sip_received,
# drop_l3_offender, sip_drop_scanner_ua) then hold what the first stats.get that saw it said.
svmap_until_remembered() {
	local i r
	for i in 1 2 3 4 5 6 7 8; do
		sv svmap -b "$SCANNER" 10.99.0.1 -p 5060 >>"$WORK/svmap.txt"
		read -r r BEFORE_RX BEFORE_L3 BEFORE_UA <<<"$(totals offender_remembered sip_received \
			drop_l3_offender sip_drop_scanner_ua)"
		[ "$r" -ge 1 ] && { T_REMEMBERED=$SECONDS; return 0; }
	done
	return 1
}
options_answers() { # options_answers N: 200 OKs to N OPTIONS from the gateway's address
	peer python3 "$ROOT/tests/integration/sip_probe.py" 10.99.0.1 OPTIONS --count "$1" \
		--interval 0.01 --wait 2 | grep -c '^SIP/2.0 200'
}
register_from_scanner() {
	peer python3 "$ROOT/tests/integration/reg_digest.py" 10.99.0.1 1001 secret-1001 \
		--src "$SCANNER" --wait 2 2>&1 | tail -1
}

tb_up
# The test bed's peer owns 10.99.0.3 .. 10.99.0.9 (scripts/testbed.sh PEER_EXTRA).
setup sf_start sf_start --config "$WORK/offender.json"
peer ping -c 1 -W 1 -q 10.99.0.1 >/dev/null 2>&1

check UNAUTH_5_OFFENDER_svmap_source_remembered svmap_until_remembered
# Remembered: its next scan is dropped right after the IP header, no SIP byte read.
sv svmap -b "$SCANNER" 10.99.0.1 -p 5060 >>"$WORK/svmap.txt"
read -r rx l3 ua <<<"$(totals sip_received drop_l3_offender sip_drop_scanner_ua)"
check UNAUTH_5_OFFENDER_svmap_dropped_at_l3 test "$l3" -gt "$BEFORE_L3"
check OFFENDER_l3_drop_reads_no_sip_byte test "$rx" = "$BEFORE_RX"
check OFFENDER_svmap_counted_as_scanner_until_remembered test "$ua" = "$BEFORE_UA" -a "$ua" -ge 3
check OFFENDER_sipfastctl_offenders_lists_source \
	grep -q "$SCANNER" <<<"$("$CTLBIN" --socket "$CTL" offenders 2>&1)"
# A phone behind the scanner's address: dropped while remembered (no challenge comes back).
check OFFENDER_phone_at_remembered_address_dropped test "$(register_from_scanner)" = "NO CHALLENGE"
check OFFENDER_list_names_svmap_source has_word "$(listed)" "$SCANNER"

# The gateway floods OPTIONS far above the threshold: every one answered, never remembered.
check UNAUTH_9_OFFENDER_gateway_options_flood_all_answered test "$(options_answers 40)" = 40
check OFFENDER_gateway_never_listed test "$(n_listed 10.99.0.2)" = 0

# ... and registers once the memory expired.
sleep_until $((T_REMEMBERED + REMEMBER_S + 1))
check OFFENDER_phone_registers_after_memory_expired \
	test "$(register_from_scanner)" = "SIP/2.0 200 OK"
check OFFENDER_expired_counted test "$(counter offender_expired)" -ge 1

# The phone authenticated: its address is not remembered again, scanners there or not.
for _ in 1 2 3 4; do sv svmap -b "$SCANNER" 10.99.0.1 -p 5060 >>"$WORK/svmap.txt"; done
sleep 0.3
check OFFENDER_authenticated_source_not_remembered_again test "$(n_listed "$SCANNER")" = 0
check OFFENDER_authenticated_source_counted_exempt test "$(counter offender_exempt)" -ge 1

# Clear: another source remembered, then forgotten by sipfastctl offenders clear IP.
SCANNER=10.99.0.4
check OFFENDER_second_scanner_remembered svmap_until_remembered
check OFFENDER_sipfastctl_clear_one grep -Eq '"cleared": *1' \
	<<<"$("$CTLBIN" --socket "$CTL" --json offenders clear 10.99.0.4 2>&1)"
check OFFENDER_cleared_not_listed test "$(n_listed 10.99.0.4)" = 0

# The section at run time: table_size needs a restart; the switch applies, and off forgets.
apply_offender() { # apply_offender KEY VALUE: the running document with offender.KEY = VALUE
	ctl config.apply "$(python3 -c "import json, sys; d = json.load(open('$WORK/offender.json'))
d['offender'][sys.argv[1]] = json.loads(sys.argv[2]); print(json.dumps({'document': d}))" "$1" "$2")" 2>&1
}
check OFFENDER_table_size_change_needs_restart \
	grep -q "offender.table_size: changing it needs a restart" <<<"$(apply_offender table_size 8192)"
check OFFENDER_third_scanner_remembered svmap_until_remembered
apply_offender enabled false >/dev/null
sleep 0.5
check OFFENDER_disabled_by_apply_forgets test "$(n_listed 10.99.0.4)" = 0 -a \
	"$(counter offender_remembered)" = 0
sf_stop
finish
