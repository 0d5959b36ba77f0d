#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Calls live (issue 13), with 1 and 2 workers: sipp phones that registered with digest and sipp
# gateways on the peer namespace (tests/integration/call_lib.sh says who is where).
#   - phone 1001 -> gateway gw-a: the INVITE is challenged (AUTH-1), re-sent with the digest
#     (AUTH-3), gets 100 Trying before the gateway answers anything (INV-6), the gateway sees an
#     INVITE with our own Call-ID; ringing, answer, ACK, BYE from the caller, on both legs;
#   - phone 1001 -> phone 1002 registered behind NAT: the INVITE goes to the observed source,
#     never to the private Contact (REG-13);
#   - gateway carrier -> phone 1002, no challenge (UNAUTH-9); the callee hangs up (BYE from B);
#   - an account that is not registered gets 480 (REG-6), a number no route matches 404;
#   - calls.list shows an established call, calls.hangup ends it with a BYE on both legs, the
#     same ID again is an error naming it (sipfastctl exit 1);
#   - stats.get "calls": the outcomes counted, the gauges back to 0.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/call_lib.sh"
CTLBIN=$BUILD/ctrlplane/sipfastctl

tb_up
peer ping -c 1 -W 1 -q 10.99.0.1 >/dev/null 2>&1
call_config "$WORK/call.json"

# lines PATTERN: capture lines (sip_lines of $PCAP) matching the awk PATTERN.
lines() { awk "$1" "$WORK/sip.txt"; }
# first_time AWK-PATTERN: time of the first capture line matching it, or "" when none.
first_time() { lines "$1" | awk 'NR == 1 { print $1 }'; }
before() { # before T1 T2: both present and T1 <= T2
	[ -n "$1" ] && [ -n "$2" ] && awk -v a="$1" -v b="$2" 'BEGIN { exit !(a <= b) }' ||
		{ echo "before: '$1' !<= '$2'" >&2; return 1; }
}
nonempty() { [ -n "$1" ] || { echo "nothing matched" >&2; return 1; }; }
# every_call [PATH]: calls.list followed through every page ("next" until null: with two
# workers a call may sit on worker 1, after worker 0's empty page), as {"calls": [...]}; with
# PATH (dotted, e.g. calls.0.caller) the JSON value there.
every_call() {
	$PY - "$ROOT/tests/integration" "$CTL" "${1:-}" <<'PY'
import json, sys
sys.path.insert(0, sys.argv[1])
import ctl
cursor, calls, pages = None, [], 0
while True:
    r = ctl.call(sys.argv[2], "calls.list", {"cursor": cursor})["result"]
    calls, pages, cursor = calls + r["calls"], pages + 1, r["next"]
    if cursor is None or pages > 1000:
        break
v = {"calls": calls}
for k in filter(None, sys.argv[3].split(".")):
    v = v[int(k)] if isinstance(v, list) else v[k]
print(json.dumps(v))
PY
}
calls_list() { every_call "$1"; }
# set_max_duration S|null: SS_MAX_CALL_DURATION through config.set.
set_max_duration() { ctl config.set "{\"params\": {\"SS_MAX_CALL_DURATION\": $1}}" >/dev/null; }
# all_pages: "CALLS PAGES" after following calls.list's "next" from the start until null.
all_pages() {
	$PY - "$ROOT/tests/integration" "$CTL" <<'PY'
import sys
sys.path.insert(0, sys.argv[1])
import ctl
cursor, calls, pages = None, 0, 0
while True:
    r = ctl.call(sys.argv[2], "calls.list", {"cursor": cursor})["result"]
    calls, pages, cursor = calls + len(r["calls"]), pages + 1, r["next"]
    if cursor is None or pages > 1000:
        break
print(calls, pages)
PY
}
# wait_confirmed N: calls.list (every page) shows N calls in state confirmed within 10 s.
wait_confirmed() {
	for _ in $(seq 1 100); do
		[ "$(every_call | $PY -c 'import json,sys; print(sum(c["state"] == "confirmed" for c in json.load(sys.stdin)["calls"]))')" = "$1" ] && return 0
		sleep 0.1
	done
	every_call >&2
	return 1
}

for workers in ${SF_CALL_WORKERS:-1 2}; do
	w=w$workers
	sf_start --workers "$workers" --config "$WORK/call.json"
	setup "register_1001_$w" register 1001 10.99.0.2 5071
	setup "register_1002_nat_$w" peer timeout 20 sipp -sf "$SIPP_DIR/register_nat.xml" -s 1002 \
		-au 1002 -ap secret-1002 -key expires 300 -key contact 192.0.2.50:5999 -m 1 \
		-timeout 10s -timeout_error -nostdin -i 10.99.0.6 -p 5072 10.99.0.1:5060
	check "REG_13_binding_nat_$w" eq "$(ctl registrations.list '{"user": "1002"}' --path=bindings.0.nat)" true
	cap_start "$WORK/call_$w.pcap" 'udp'

	# --- phone 1001 -> gateway gw-a (9...) ------------------------------------------------
	uas_start "gwa_$w" call_uas.xml 10.99.0.3 5060 -m 1 -d 200
	check "AUTH_3_phone_to_gateway_call_completed_$w" \
		uac "p2g_$w" call_uac.xml 9123 1001 10.99.0.2 5071 -m 1 -d 300
	check "INV_6_gateway_answered_the_call_$w" uas_wait "gwa_$w"

	# --- phone 1001 -> phone 1002 (registered behind NAT) ---------------------------------
	uas_start "p1002_$w" call_uas.xml 10.99.0.6 5072 -m 1 -d 200
	check "REG_13_phone_to_phone_call_completed_$w" \
		uac "p2p_$w" call_uac.xml 1002 1001 10.99.0.2 5071 -m 1 -d 300
	check "REG_13_callee_answered_$w" uas_wait "p1002_$w"

	# --- gateway carrier -> phone 1002; the callee hangs up -------------------------------
	uas_start "g2p_callee_$w" call_uas_bye.xml 10.99.0.6 5072 -m 1 -d 300
	check "UNAUTH_9_gateway_to_phone_call_completed_$w" \
		uac "g2p_$w" call_uac_bye_in.xml 1002 carrier 10.99.0.5 5060 -m 1
	check "CALL_bye_from_callee_ends_both_legs_$w" uas_wait "g2p_callee_$w"

	# --- refused calls ----------------------------------------------------------------------
	check "REG_6_invite_to_unregistered_account_480_$w" eq \
		"$(peer $PY "$ROOT/tests/integration/call_probe.py" --src 10.99.0.5 --to 1003 | tail -1)" "FINAL 480"
	check "CALL_no_route_404_$w" eq \
		"$(peer $PY "$ROOT/tests/integration/call_probe.py" --src 10.99.0.5 --to 5555 | tail -1)" "FINAL 404"

	# --- calls.list, calls.hangup --------------------------------------------------------
	uas_start "held_$w" call_uas.xml 10.99.0.3 5060 -m 1 -d 100
	uac "held_caller_$w" call_uac_bye_in.xml 9777 1001 10.99.0.2 5071 -m 1 &
	held_pid=$!
	setup "held_call_confirmed_$w" wait_confirmed 1
	id=$(calls_list calls.0.id | tr -d '"')
	check "CTL_calls_list_caller_$w" eq "$(calls_list calls.0.caller)" '"1001"'
	check "CTL_calls_list_called_$w" eq "$(calls_list calls.0.called)" '"9777"'
	check "CTL_calls_list_gateway_$w" eq "$(calls_list calls.0.gateway)" '"gw-a"'
	check "CTL_calls_list_a_peer_$w" eq "$(calls_list calls.0.a.peer.ip)" '"10.99.0.2"'
	check "CTL_calls_list_b_peer_$w" eq "$(calls_list calls.0.b.peer.ip)" '"10.99.0.3"'
	# Every page (one worker, at most 4,096 slots each) followed to "next": null at the end.
	check "CTL_calls_list_pages_followed_to_the_end_$w" eq "$(all_pages)" "1 $((workers * 4))"
	check "CTL_sipfastctl_calls_table_$w" grep -q "^$id  *confirmed  *1001  *9777  *gateway gw-a" \
		<<<"$("$CTLBIN" --socket "$CTL" calls)"
	check "CTL_calls_hangup_ended_$w" eq "$(ctl calls.hangup "{\"id\": \"$id\"}" --path=ended)" true
	wait "$held_pid"
	check "CTL_calls_hangup_bye_to_caller_$w" test $? = 0
	check "CTL_calls_hangup_bye_to_callee_$w" uas_wait "held_$w"
	err=$(ctl calls.hangup "{\"id\": \"$id\"}" 2>&1)
	check "CTL_calls_hangup_stale_id_names_it_$w" grep -q "$id" <<<"$err"
	"$CTLBIN" --socket "$CTL" calls hangup "$id" >/dev/null 2>&1
	check "CTL_sipfastctl_hangup_stale_exit_1_$w" test $? = 1
	err=$(ctl calls.hangup '{"id": "zz"}' 2>&1)
	check "CTL_calls_hangup_malformed_id_error_$w" grep -q "not a call ID" <<<"$err"

	cap_stop
	sip_lines "$WORK/call_$w.pcap" >"$WORK/sip.txt"

	# --- MAX: SS_MAX_CALL_DURATION 2 s: both sipps get our BYE 2 s after the answer --------
	# (after the capture: the wire checks below count this run's earlier calls only)
	setup "max_duration_2_$w" set_max_duration 2
	uas_start "capped_$w" call_uas.xml 10.99.0.3 5060 -m 1 -d 100
	t_start=$(now_ms)
	uac "capped_caller_$w" call_uac_bye_in.xml 9778 1001 10.99.0.2 5071 -m 1 &
	capped_pid=$!
	wait "$capped_pid"
	check "MAX_3_bye_to_caller_at_the_cap_$w" test $? = 0
	t_bye=$(now_ms)
	check "MAX_3_bye_to_callee_at_the_cap_$w" uas_wait "capped_$w"
	# the cap runs from the answer, which comes after the INVITE: never under 2 s from it
	check "MAX_3_cap_2s_after_answer_not_before_$w" test $((t_bye - t_start)) -ge 2000 -a $((t_bye - t_start)) -lt 15000
	check "MAX_3_counted_call_duration_capped_$w" eq "$(ctl stats.get --path=calls.duration_capped)" 1
	setup "max_duration_none_$w" set_max_duration null

	# --- what went over the wire ----------------------------------------------------------
	# AUTH-1: the first INVITE of 1001 got a challenge (401 or 407), CSeq INVITE.
	check "AUTH_1_invite_challenged_$w" nonempty "$(first_time '$2 == "10.99.0.1:5060" && $3 == "10.99.0.2:5071" && ($4 == "401" || $4 == "407") && $6 == "INVITE"')"
	# INV-6: 100 to the caller before anything came back from the gateway.
	t100=$(first_time '$3 == "10.99.0.2:5071" && $4 == "100" && $6 == "INVITE"')
	tgw=$(first_time '$2 == "10.99.0.3:5060" && $4 ~ /^[0-9]+$/')
	check "INV_6_100_trying_before_the_gateway_answered_$w" before "$t100" "$tgw"
	# The B leg is ours: an INVITE to the gateway whose Call-ID is a minted token (sf1...).
	check "CALL_b_leg_call_id_minted_$w" nonempty "$(lines '$2 == "10.99.0.1:5060" && $3 == "10.99.0.3:5060" && $4 == "INVITE" && $7 ~ /^sf1/')"
	check "CALL_b_leg_call_id_not_the_callers_$w" eq "$(lines '$3 == "10.99.0.3:5060" && $4 == "INVITE" && $7 !~ /^sf1/' | wc -l)" 0
	# REG-13: to the observed source, never to the private Contact.
	check "REG_13_invite_to_observed_source_$w" nonempty "$(lines '$3 == "10.99.0.6:5072" && $4 == "INVITE"')"
	check "REG_13_nothing_to_private_contact_$w" eq "$(lines '$3 ~ /^192\.0\.2\.50:/' | wc -l)" 0
	# UNAUTH-9: the gateway's INVITE was not challenged.
	check "UNAUTH_9_gateway_not_challenged_$w" eq "$(lines '$3 == "10.99.0.5:5060" && ($4 == "401" || $4 == "407")' | wc -l)" 0
	# BYE both legs: the caller's BYE reached the callee side, the callee's the caller side.
	check "CALL_bye_relayed_to_gateway_$w" nonempty "$(lines '$2 == "10.99.0.1:5060" && $3 == "10.99.0.3:5060" && $4 == "BYE"')"
	check "CALL_bye_relayed_to_caller_$w" nonempty "$(lines '$2 == "10.99.0.1:5060" && $3 == "10.99.0.5:5060" && $4 == "BYE"')"

	# --- counters ------------------------------------------------------------------------
	check "CALL_gauges_back_to_zero_$w" gauges_zero 5
	# four answered calls above (the held one included), then the MAX call
	check "CALL_answered_counted_$w" eq "$(ctl stats.get --path=calls.answered)" 5
	check "CALL_4xx_counted_$w" eq "$(ctl stats.get --path=calls.4xx)" 2
	check "CALL_hangups_counted_$w" eq "$(ctl stats.get --path=calls.hangups)" 1
	check "CALL_capacity_exported_$w" test "$(ctl stats.get --path=calls.capacity)" -gt 0
	sf_stop
done
finish
