#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# 1,000 calls at a steady 200 calls/s (issue 13), with 1 and with 2 workers: the gateway carrier
# (10.99.0.5, a sipp UAC) calls 9... through sipfastd to gw-a (10.99.0.3, a sipp UAS): INVITE,
# 100, 180, 200, ACK, 100 ms of call, BYE, 200 on both legs. Every call completes on both sides
# (sipp's exit status and its "Successful call" count), sipfastd counts 1,000 answered, and the
# gauges (call_active, call_setup) return to 0. With 2 workers both own calls (rule K: the
# owner is the hash of the caller's Call-ID).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/call_lib.sh"
N=${SF_CALL_LOAD_N:-1000}
RATE=${SF_CALL_LOAD_RATE:-200}

tb_up
peer ping -c 1 -W 1 -q 10.99.0.1 >/dev/null 2>&1
call_config "$WORK/call.json"

for workers in ${SF_CALL_WORKERS:-1 2}; do
	w=w$workers
	sf_start --workers "$workers" --config "$WORK/call.json"
	uas_start "load_uas_$w" call_uas.xml 10.99.0.3 5060 -m "$N" -d 0
	check "LOAD_${N}_calls_completed_caller_$w" \
		uac "load_uac_$w" call_uac.xml 9123 carrier 10.99.0.5 5060 -m "$N" -r "$RATE" -d 100 \
		-l 1000
	check "LOAD_${N}_calls_completed_callee_$w" uas_wait "load_uas_$w" 30
	check "LOAD_caller_successful_$w" eq "$(successful "load_uac_$w")" "$N"
	check "LOAD_callee_successful_$w" eq "$(successful "load_uas_$w")" "$N"
	check "LOAD_answered_counted_$w" eq "$(ctl stats.get --path=calls.answered)" "$N"
	check "LOAD_no_failed_outcomes_$w" eq "$(ctl stats.get --path=calls | $PY -c 'import json,sys; d=json.load(sys.stdin); print(sum(d[k] for k in ("4xx","5xx","6xx","timeout","cancelled","rejected_full","no_ack")))')" 0
	check "LOAD_gauges_back_to_zero_$w" gauges_zero 10
	check "LOAD_occupancy_back_to_zero_$w" eq "$(ctl stats.get --path=calls.occupancy)" 0
	[ "$FAILS" = 0 ] || diag
	if [ "$workers" -gt 1 ]; then
		for k in $(seq 0 $((workers - 1))); do
			check "LOAD_worker_${k}_owned_calls_$w" test "$(counter call_answered "$k")" -gt 0
		done
	fi
	sf_stop
done
finish
