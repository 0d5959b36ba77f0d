#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# SS_REPLY_UNAUTHORIZED live, with real scanners and UAs from the peer namespace (10.99.0.2):
# Off: sipvicious (svmap, svwar, svcrack) and raw REGISTER/INVITE/OPTIONS from an unknown
# source get nothing at all (capture: zero non-ARP packets from 10.99.0.1), drops counted per
# method, known scanner User-Agents (sipvicious) apart in sip_drop_scanner_ua; the peer
# configured as a gateway gets 200 OK to a sipp OPTIONS. On (restart, until
# the control-plane toggle test exists): unknown OPTIONS -> 403 (sipp), REGISTER -> 401
# challenge, INVITE -> 403, and svmap finds the device.
source "$(dirname "$0")/lib.sh"

# write_config FILE ON|OFF [GATEWAY_IP]
write_config() {
	local gw=""
	[ -n "${3:-}" ] && gw="{\"name\": \"peer\", \"address\": \"$3\"}"
	cat >"$1" <<EOF
{
	"interfaces": [{"port": 0, "ipv4": "10.99.0.1/24", "gateway": "10.99.0.254"}],
	"sip": {"port": 5060, "domain": "sipfast.test"},
	"params": {"SS_REPLY_UNAUTHORIZED": "$2"},
	"accounts": [{"user": "1001", "password": "secret-1001"}],
	"gateways": [$gw],
	"runtime": {"mbufs_per_socket": 8191, "big_mbufs": 255}
}
EOF
}

# What sipfastd sent in the Off capture, apart from the canary's echo reply.
FROM_DUT='src host 10.99.0.1 and not (icmp and icmp[icmptype] = icmp-echoreply)'
# Requests a scanner (or probe) at the peer sent to the SIP port.
TO_DUT='udp and src host 10.99.0.2 and dst host 10.99.0.1 and dst port 5060'
now() { date +%s.%N; }
# scanner_silent NAME MIN T0 T1 RESULT-CHECK...: the scanner NAME really ran: its own requests
# are on the wire between T0 and T1 (at least MIN), sipfastd sent nothing back then, the
# capture saw the canary (silent_in), and RESULT-CHECK (what the scanner reported) holds.
scanner_silent() {
	local name=$1 min=$2 t0=$3 t1=$4 sent back
	shift 4
	sent=$(cap_count_between "$WORK/off.pcap" "$TO_DUT" "$t0" "$t1") || return 1
	back=$(cap_count_between "$WORK/off.pcap" "$FROM_DUT" "$t0" "$t1") || return 1
	echo "  $name: $sent requests on the wire, $back packets back" >&2
	[ "$sent" -ge "$min" ] || { echo "$name sent $sent requests (< $min)" >&2; return 1; }
	[ "$back" = 0 ] && silent_in "$WORK/off.pcap" "$FROM_DUT" && "$@"
}
probe() { peer python3 "$ROOT/tests/integration/sip_probe.py" 10.99.0.1 "$@"; }
sv() { peer timeout 60 "$@" 2>&1; }
not() { ! "$@"; }
# sipp_ok SCENARIO PORT: one call of a sipp scenario from the peer; true when it passed.
sipp_ok() {
	peer timeout 20 sipp -sf "$ROOT/tests/integration/sipp/$1" -m 1 -timeout 10s -timeout_error \
		-nostdin -i 10.99.0.2 -p "$2" 10.99.0.1:5060 >"$WORK/sipp_$1.out" 2>&1
}
# Up to three tries: on a loaded 2-CPU host svmap's own short timeout can miss the answer.
svmap_finds_us() {
	local i
	for i in 1 2 3; do
		peer timeout 60 svmap 10.99.0.1 -p 5060 2>&1 | grep -q '10.99.0.1:5060' && return 0
	done
	return 1
}
junk_counted() {
	local before
	before=$(counter sip_drop_malformed)
	peer python3 "$ROOT/tests/integration/udp_send.py" 10.99.0.1 5060 3 --payload HELLO
	sleep 0.5
	test "$(counter sip_drop_malformed)" -eq $((before + 3))
}
answer_is() { [[ "$1" == "$2" ]]; }

# The fewest requests each scanner sends here when nothing answers (sipvicious 0.3.3, seen on
# the wire): svmap 1 OPTIONS; svwar 1 per run (2): it sends a sanity probe for a random
# extension first and gives up when nothing answers it, --force or not, so the silence stops
# it before the range is tried; svcrack 1: it asks for a challenge first and stops when none
# comes, so it never sends a password. Fewer means the scanner did not run (or the capture
# missed it) and the silence proves nothing.
SVMAP_MIN=${SVMAP_MIN:-1}
SVWAR_MIN=${SVWAR_MIN:-2}
SVCRACK_MIN=${SVCRACK_MIN:-1}

tb_up
peer ping -c 1 -W 1 -q 10.99.0.1 >/dev/null 2>&1

# --- Off, peer unknown -----------------------------------------------------------------------
write_config "$WORK/off.json" Off
sf_start --config "$WORK/off.json"
# Both directions: the scanners' own requests prove they ran; the canary proves the capture saw.
cap_start "$WORK/off.pcap" 'not arp'
t_svmap=$(now)
sv svmap 10.99.0.1 -p 5060 >"$WORK/svmap.txt"
# svmap sends User-Agent: friendly-scanner (sipvicious libs/svhelper.py makeRequest default).
svmap_scanner=$(counter sip_drop_scanner_ua)
svmap_options=$(counter sip_drop_unknown_options)
# Scanners guess usernames that are not configured (a configured one is challenged, UNAUTH-7).
t_svwar=$(now)
sv svwar -e 2000-2010 -m REGISTER 10.99.0.1 -p 5060 >"$WORK/svwar.txt"
sv svwar -e 2000-2005 -m INVITE 10.99.0.1 -p 5060 >>"$WORK/svwar.txt"
t_svcrack=$(now)
sv svcrack -u 2001 -r 1-20 10.99.0.1 -p 5060 >"$WORK/svcrack.txt"
t_probe=$(now)
reg=$(probe REGISTER --user 1001 --auth 9999)
inv6=$(probe INVITE --count 10 --interval 0.3)
opt=$(probe OPTIONS)
bye=$(probe BYE --to-tag)
t_end=$(now)
canary
cap_stop
check UNAUTH_5_off_capture_zero_packets_back silent_in "$WORK/off.pcap" "$FROM_DUT"
check UNAUTH_5_off_svmap_finds_nothing scanner_silent svmap "$SVMAP_MIN" "$t_svmap" "$t_svwar" \
	not grep -q '10.99.0.1:5060' "$WORK/svmap.txt"
check UNAUTH_5_off_svwar_finds_no_extension scanner_silent svwar "$SVWAR_MIN" "$t_svwar" "$t_svcrack" \
	not grep -qE '\| *20[0-9][0-9] *\|' "$WORK/svwar.txt"
check UNAUTH_5_off_svcrack_finds_no_password scanner_silent svcrack "$SVCRACK_MIN" "$t_svcrack" "$t_probe" \
	not grep -qiE '\| *2001 *\|' "$WORK/svcrack.txt"
check UNAUTH_5_off_raw_requests_unanswered test "$reg$inv6$opt$bye" = NONENONENONENONE
check UNAUTH_6_off_invite_retransmissions_silent test "$inv6" = NONE
check GEN_4_off_unknown_register_drops_counted test "$(counter sip_drop_unknown_register)" -gt 0
check GEN_4_off_unknown_invite_drops_counted test "$(counter sip_drop_unknown_invite)" -ge 10
check GEN_4_off_unknown_options_drops_counted test "$(counter sip_drop_unknown_options)" -gt 0
check GEN_4_off_svmap_counted_as_scanner_ua test "$svmap_scanner" -gt 0
check GEN_4_off_svmap_not_counted_per_method test "$svmap_options" = 0
check GEN_4_off_no_reply_verdicts test "$(($(counter sip_rejected_unknown) + $(counter sip_challenged_unknown)))" = 0
check GEN_1_junk_silent_and_counted junk_counted
# UNAUTH-7 / -11 (the parts without the registrar): a configured account is challenged from
# any address even with Off; the final answer waits for the registrar and call engine.
check UNAUTH_7_off_account_register_challenged answer_is "$(probe REGISTER --user 1001)" 'SIP/2.0 401 Unauthorized'
check UNAUTH_11_off_account_invite_challenged answer_is "$(probe INVITE --user 1001)" 'SIP/2.0 401 Unauthorized'
sf_stop

# --- Off, peer configured as a gateway ---------------------------------------------------------
write_config "$WORK/gw.json" Off 10.99.0.2
sf_start --config "$WORK/gw.json"
check UNAUTH_9_gateway_options_sipp_gets_200 sipp_ok options_200.xml 5071
check UNAUTH_9_gateway_options_counted test "$(counter sip_replied_options)" = 1
check UNAUTH_13_gateway_bye_no_dialog_481 answer_is "$(probe BYE --to-tag)" 'SIP/2.0 481 Call/Transaction Does Not Exist'
# Routed without a challenge (UNAUTH-9): its number has no route here, so the call engine
# answers 404 (a challenge would be 401/407).
check UNAUTH_9_gateway_invite_not_challenged answer_is "$(probe INVITE)" 'SIP/2.0 404 Not Found'
check UNAUTH_9_gateway_invite_admitted test "$(counter sip_invite_admitted)" = 1
sf_stop

# --- On, peer unknown (a daemon started On; UNAUTH-12, the live switch, is in t_config.sh) ---
write_config "$WORK/on.json" On
sf_start --config "$WORK/on.json"
check UNAUTH_4_on_unknown_options_sipp_gets_403 sipp_ok options_403.xml 5072
check UNAUTH_1_on_unknown_register_challenged answer_is "$(probe REGISTER)" 'SIP/2.0 401 Unauthorized'
check UNAUTH_2_on_unknown_credentials_403 answer_is "$(probe REGISTER --auth 9999)" 'SIP/2.0 403 Forbidden'
check UNAUTH_3_on_unknown_invite_403_only answer_is "$(probe INVITE)" 'SIP/2.0 403 Forbidden'
check UNAUTH_4_on_svmap_options_answered_device_found svmap_finds_us
check UNAUTH_13_on_unknown_bye_403 answer_is "$(probe BYE --to-tag)" 'SIP/2.0 403 Forbidden'
sf_stop
finish
