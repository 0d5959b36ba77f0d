#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# INV-1 live (issue 13): a gateway that never answers. The gateway carrier (10.99.0.5) calls
# 8..., routed to gw-silent (10.99.0.4: a socket that reads and never answers). With the
# defaults (SS_SIP_RESEND_INTERVAL 0.5,1,2,4,..., SS_SIP_TIMEOUT_INVITE 10 s) the INVITE to
# gw-silent is sent at 0, 0.5, 1.5, 3.5 and 7.5 s (5 packets, on the peer's capture), the leg
# fails at 10 s: 408 to the caller (I-18), and no CANCEL is sent to gw-silent (nothing
# provisional came). Tolerance: +-150 ms per packet (the wheel ticks 1 ms; the host is shared).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/call_lib.sh"

tb_up
peer ping -c 1 -W 1 -q 10.99.0.1 >/dev/null 2>&1
call_config "$WORK/call.json"
sf_start --workers 1 --config "$WORK/call.json"

# gw-silent: bound (so the peer sends no ICMP port unreachable), reads, never answers.
peer $PY -c 'import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("10.99.0.4", 5060))
end = time.time() + 25
while time.time() < end:
    s.settimeout(max(0.1, end - time.time()))
    try: s.recvfrom(65535)
    except socket.timeout: pass' &
UAS_PIDS+=($!)
sleep 0.5
cap_start "$WORK/inv1.pcap" 'udp'
peer $PY "$ROOT/tests/integration/call_probe.py" --src 10.99.0.5 --to 8123 --wait 13 \
	>"$WORK/probe.out" 2>&1
cap_stop
sip_lines "$WORK/inv1.pcap" >"$WORK/sip.txt"

# INVITE times to gw-silent, relative to the first.
mapfile -t rel < <(awk '$3 == "10.99.0.4:5060" && $4 == "INVITE" { if (t0 == "") t0 = $1; printf "%.3f\n", $1 - t0 }' "$WORK/sip.txt")
t0=$(awk '$3 == "10.99.0.4:5060" && $4 == "INVITE" { print $1; exit }' "$WORK/sip.txt")
t408=$(awk '$3 == "10.99.0.5:5060" && $4 == "408" { print $1; exit }' "$WORK/sip.txt")
near() { # near VALUE EXPECTED TOLERANCE
	awk -v v="$1" -v e="$2" -v t="$3" 'BEGIN { d = v - e; if (d < 0) d = -d; exit !(v != "" && d <= t) }' ||
		{ echo "near: '$1' is not $2 +- $3" >&2; return 1; }
}
check INV_1_five_invites_to_silent_gateway test "${#rel[@]}" = 5
check INV_1_invite_at_0 near "${rel[0]:-}" 0 0.001
check INV_1_invite_at_0_5 near "${rel[1]:-}" 0.5 0.15
check INV_1_invite_at_1_5 near "${rel[2]:-}" 1.5 0.15
check INV_1_invite_at_3_5 near "${rel[3]:-}" 3.5 0.15
check INV_1_invite_at_7_5 near "${rel[4]:-}" 7.5 0.15
check INV_1_408_to_caller_at_10s near "$(awk -v a="${t0:-0}" -v b="${t408:-0}" 'BEGIN { print b - a }')" 10 0.2
check INV_1_caller_final_408 grep -q "^FINAL 408" "$WORK/probe.out"
check INV_1_caller_got_100_first grep -qE "^0\.[0-9]+ 100 INVITE" "$WORK/probe.out"
check INV_1_no_cancel_to_silent_gateway eq "$(awk '$3 == "10.99.0.4:5060" && $4 == "CANCEL"' "$WORK/sip.txt" | wc -l)" 0
check INV_1_timeout_counted eq "$(ctl stats.get --path=calls.timeout)" 1
check INV_1_gauges_back_to_zero gauges_zero 5
sf_stop
finish
