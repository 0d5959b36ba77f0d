#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# CANCEL live (issue 13), with 1 and 2 workers: the gateway carrier (10.99.0.5) calls 9...,
# routed to gw-a (10.99.0.3), and cancels (tests/integration/call_lib.sh: who is where).
#   - before gw-a sent anything: the caller gets 200 for its CANCEL and 487 for the INVITE; gw-a
#     gets the CANCEL only after its 180 (RFC 3261 9.1: a CANCEL waits for a provisional);
#   - after gw-a's 180: the same, the CANCEL relayed at once;
#   - gw-a answers 200 across the CANCEL: the caller still gets 200 + 487, and sipfastd ACKs the
#     late 200 and BYEs that leg, once (call_late_2xx);
#   - every call counted cancelled, the gauges back to 0.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/call_lib.sh"

tb_up
peer ping -c 1 -W 1 -q 10.99.0.1 >/dev/null 2>&1
call_config "$WORK/call.json"

lines() { awk "$1" "$WORK/sip.txt"; }
first_time() { lines "$1" | awk 'NR == 1 { print $1 }'; }
before() {
	[ -n "$1" ] && [ -n "$2" ] && awk -v a="$1" -v b="$2" 'BEGIN { exit !(a <= b) }' ||
		{ echo "before: '$1' !<= '$2'" >&2; return 1; }
}
count() { lines "$1" | wc -l; }

for workers in ${SF_CALL_WORKERS:-1 2}; do
	w=w$workers
	sf_start --workers "$workers" --config "$WORK/call.json"
	cap_start "$WORK/cancel_$w.pcap" 'udp'

	# Before a provisional: gw-a rings only after 1.5 s; the caller cancels 0.3 s after 100.
	uas_start "early_$w" call_uas_cancel.xml 10.99.0.3 5060 -m 1 -d 1500
	check "CANCEL_before_provisional_caller_gets_200_and_487_$w" \
		uac "early_caller_$w" call_uac_cancel_early.xml 9001 carrier 10.99.0.5 5060 -m 1 -d 300
	check "CANCEL_before_provisional_callee_cancelled_after_its_180_$w" uas_wait "early_$w"

	# After a provisional: gw-a rings at once; the caller cancels 0.3 s after the 180.
	uas_start "ringing_$w" call_uas_cancel.xml 10.99.0.3 5060 -m 1 -d 0
	check "CANCEL_after_provisional_caller_gets_200_and_487_$w" \
		uac "ringing_caller_$w" call_uac_cancel_ringing.xml 9002 carrier 10.99.0.5 5060 -m 1 -d 300
	check "CANCEL_after_provisional_callee_cancelled_$w" uas_wait "ringing_$w"

	# gw-a's 200 crosses the CANCEL: ACK + BYE to gw-a, once; the caller still gets 487.
	uas_start "late_$w" call_uas_cancel_200.xml 10.99.0.3 5060 -m 1
	check "CANCEL_200_crossing_caller_gets_487_$w" \
		uac "late_caller_$w" call_uac_cancel_ringing.xml 9003 carrier 10.99.0.5 5060 -m 1 -d 300
	check "CANCEL_200_crossing_callee_gets_ack_and_bye_$w" uas_wait "late_$w"
	cap_stop
	sip_lines "$WORK/cancel_$w.pcap" >"$WORK/sip.txt"

	# The calls by their B-leg Call-IDs, in order: early, ringing, late.
	mapfile -t bcids < <(lines '$3 == "10.99.0.3:5060" && $4 == "INVITE" { print $7 }' | awk '!seen[$0]++')
	check "CANCEL_three_b_legs_$w" test "${#bcids[@]}" = 3
	b1=${bcids[0]:-none} b2=${bcids[1]:-none} b3=${bcids[2]:-none}
	t180=$(first_time "\$2 == \"10.99.0.3:5060\" && \$4 == \"180\" && \$7 == \"$b1\"")
	tcancel=$(first_time "\$3 == \"10.99.0.3:5060\" && \$4 == \"CANCEL\" && \$7 == \"$b1\"")
	check "CANCEL_held_until_the_callees_provisional_$w" before "$t180" "$tcancel"
	check "CANCEL_relayed_after_provisional_$w" test "$(count "\$3 == \"10.99.0.3:5060\" && \$4 == \"CANCEL\" && \$7 == \"$b2\"")" -ge 1
	check "CANCEL_late_200_acked_$w" test "$(count "\$3 == \"10.99.0.3:5060\" && \$4 == \"ACK\" && \$7 == \"$b3\"")" -ge 1
	# One BYE transaction to gw-a for the late 200 (its retransmissions share the CSeq).
	check "CANCEL_late_200_byed_once_$w" eq "$(lines "\$3 == \"10.99.0.3:5060\" && \$4 == \"BYE\" && \$7 == \"$b3\" { print \$5 }" | sort -u | wc -l)" 1
	check "CANCEL_no_bye_for_cancelled_calls_$w" eq "$(count "\$3 == \"10.99.0.3:5060\" && \$4 == \"BYE\" && (\$7 == \"$b1\" || \$7 == \"$b2\")")" 0
	# The caller got 487 for each of its three INVITEs.
	check "CANCEL_487_to_caller_$w" eq "$(lines '$3 == "10.99.0.5:5060" && $4 == "487" { print $7 }' | sort -u | wc -l)" 3

	check "CANCEL_cancelled_counted_$w" eq "$(ctl stats.get --path=calls.cancelled)" 3
	check "CANCEL_late_2xx_counted_$w" eq "$(counter call_late_2xx)" 1
	check "CANCEL_gauges_back_to_zero_$w" gauges_zero 10
	sf_stop
done
finish
