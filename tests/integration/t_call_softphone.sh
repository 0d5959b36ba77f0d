#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# A real softphone from Debian places a call through sipfastd (issue 13): linphonec
# (liblinphone 5.1, package linphone-cli), headless, account 1001 on the peer (10.99.0.2:5090)
# with sipfastd as registrar and outbound proxy. It registers (digest: AUTH-1, AUTH-3), calls
# sip:9555@sipfast.test; sipfastd challenges the INVITE, linphonec re-sends it with its digest,
# gets 100 Trying (INV-6), and sipfastd routes it by prefix to gw-a (10.99.0.3, a sipp UAS that
# rings 200 ms and answers). calls.list shows the call; linphonec hangs up (BYE) and quits
# (un-REGISTER). The callee side passes only if it saw INVITE, ACK and BYE.
# (baresip 1.0.0, Debian 12's other headless softphone, cannot be this test: its libre fails
# the whole challenge, "Function not implemented", when one of sipfastd's two WWW-Authenticate
# headers says algorithm=SHA-256.)
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/call_lib.sh"

command -v linphonec >/dev/null ||
	die linphonec "linphonec is not installed (scripts/install-deps.sh: linphone-cli)"
tb_up
peer ping -c 1 -W 1 -q 10.99.0.1 >/dev/null 2>&1
call_config "$WORK/call.json"
sf_start --workers 1 --config "$WORK/call.json"

lp=$WORK/linphone
# liblinphone needs a writable ~/.local/share/linphone, or it never opens its SIP socket.
mkdir -p "$lp/home/.local/share/linphone"
sed -e "s/@LOCAL_PORT@/5090/g" -e "s/@REGISTRAR@/10.99.0.1:5060/g" \
	-e "s/@DOMAIN@/sipfast.test/g" -e "s/@USER@/1001/g" -e "s/@PASS@/secret-1001/g" \
	-e "s/@REALM@/sipfast.test/g" -e "s/@EXPIRES@/120/g" -e "s/@SENDREGISTER@/1/g" \
	"$ROOT/tests/integration/linphone/linphonerc.template" | grep -v '^#' >"$lp/linphonerc"
cap_start "$WORK/softphone.pcap" 'udp port 5060 or udp port 5090'
uas_start sp_gw call_uas.xml 10.99.0.3 5060 -m 1 -d 200
# Commands on linphonec's stdin, timed: the call 2 s after start, hung up 5 s later, quit.
{
	sleep 2
	echo "soundcard use files"
	echo "call sip:9555@sipfast.test"
	sleep 5
	echo "calls"
	echo "terminate"
	sleep 2
	echo "quit"
} | HOME="$lp/home" peer setsid timeout --kill-after=5 30 linphonec -c "$lp/linphonerc" \
	-d 0 >"$lp/linphonec.out" 2>&1 &
lp_pid=$!
registered() {
	for _ in $(seq 1 50); do
		[ "$(ctl registrations.list '{"user": "1001"}' --path=total)" = 1 ] && return 0
		sleep 0.1
	done
	return 1
}
confirmed() {
	for _ in $(seq 1 50); do
		[ "$(ctl calls.list '{}' --path=calls.0.state 2>/dev/null)" = '"confirmed"' ] && return 0
		sleep 0.1
	done
	return 1
}
check SOFTPHONE_AUTH_3_linphonec_registered registered
check SOFTPHONE_linphonec_call_listed_confirmed confirmed
check SOFTPHONE_linphonec_call_caller_1001 eq "$(ctl calls.list '{}' --path=calls.0.caller)" '"1001"'
wait "$lp_pid"
check SOFTPHONE_linphonec_exited_cleanly test $? = 0
check SOFTPHONE_gateway_got_invite_ack_bye uas_wait sp_gw 10
cap_stop
sip_lines "$WORK/softphone.pcap" >"$WORK/sip.txt"
lines() { awk "$1" "$WORK/sip.txt"; }
to_phone='$2 == "10.99.0.1:5060" && $3 ~ /^10\.99\.0\.2:/'
check SOFTPHONE_AUTH_1_invite_challenged test "$(lines "$to_phone"' && ($4 == "401" || $4 == "407") && $6 == "INVITE"' | wc -l)" -ge 1
check SOFTPHONE_INV_6_100_trying_to_linphonec test "$(lines "$to_phone"' && $4 == "100" && $6 == "INVITE"' | wc -l)" -ge 1
check SOFTPHONE_200_to_linphonec test "$(lines "$to_phone"' && $4 == "200" && $6 == "INVITE"' | wc -l)" -ge 1
check SOFTPHONE_linphonec_bye_relayed test "$(lines '$3 == "10.99.0.3:5060" && $4 == "BYE"' | wc -l)" -ge 1
check SOFTPHONE_answered_counted eq "$(ctl stats.get --path=calls.answered)" 1
check SOFTPHONE_gauges_back_to_zero gauges_zero 5
[ "$FAILS" = 0 ] || { echo "linphonec output:" >&2; tail -30 "$lp/linphonec.out" >&2; cat "$WORK/sip.txt" >&2; }
sf_stop
finish
