#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# NAT keep-alive live (issue 6). From the peer namespace (10.99.0.2) sipp registers 50 NAT
# bindings (Contact 192.168.1.10 differs from the source; source ports 6001-6050), one short
# NAT binding (port 6099, Expires 20) and one non-NAT binding (1001, port 5071). With PERIOD 10,
# SEND_INTERVAL 200 and SEND_ONE_TIME 8 a peer-side capture over three periods must show: each
# NAT source port gets one keep-alive every 10 s, payload exactly "ping\r\n" from
# 10.99.0.1:5060 (KA-1, KA-4, KA-12); batches of at most 8, each cycle 8,8,..,rest at 200 ms
# steps (KA-5, KA-16, one worker); nothing to the non-NAT binding (KA-3); the short binding
# expires on time although it got keep-alives and they stop (KA-10, KA-8). Then MESSAGE ""
# stops them (KA-2), and a budget too small for the list overruns with a warning (KA-7).
# About 80 s.
source "$(dirname "$0")/lib.sh"

N=50
SHORT_PORT=6099
KA_ANALYSE="python3 $ROOT/tests/integration/ka_pcap.py"

write_config() {
	local accounts='{"user": "1001", "password": "secret-1001"}' i
	for i in $(seq 1 "$N") 99; do
		accounts="$accounts, {\"user\": \"ka$i\", \"password\": \"pw-ka$i\"}"
	done
	cat >"$1" <<EOF2
{
	"interfaces": [{"port": 0, "ipv4": "10.99.0.1/24", "gateway": "10.99.0.254"}],
	"sip": {"port": 5060, "domain": "sipfast.test"},
	"params": {"SS_REPLY_UNAUTHORIZED": "Off",
		   "SS_ENDPOINT_NAT_EXPIRE": 120,
		   "SS_SIP_NAT_KEEP_ALIVE_MESSAGE": "ping\r\n",
		   "SS_SIP_NAT_KEEP_ALIVE_PERIOD": 10,
		   "SS_SIP_NAT_KEEP_ALIVE_SEND_INTERVAL": 200,
		   "SS_SIP_NAT_KEEP_ALIVE_SEND_ONE_TIME": 8},
	"accounts": [$accounts],
	"gateways": [],
	"runtime": {"mbufs_per_socket": 8191, "big_mbufs": 255}
}
EOF2
}

# register_auth.xml with a private Contact: the registrar marks the binding NAT (I-8, REG-3).
sed 's/Contact: <sip:\[service\]@\[local_ip\]:\[local_port\]>/Contact: <sip:[service]@192.168.1.10:5060>/' \
	"$ROOT/tests/integration/sipp/register_auth.xml" >"$WORK/register_nat.xml"

# sipp_reg SCENARIO-PATH USER PASSWORD PORT EXPIRES: one REGISTER with digest; true when 200.
sipp_reg() {
	peer timeout 20 sipp -sf "$1" -s "$2" -au "$2" -ap "$3" -key expires "$5" -m 1 \
		-timeout 10s -timeout_error -nostdin -i 10.99.0.2 -p "$4" 10.99.0.1:5060 \
		>"$WORK/sipp_$4.out" 2>&1
}
regs() { ctl registrations.list "${1:-{\}}" --path="$2"; }
eq() { [ "$1" = "$2" ]; }
le() { python3 -c "import sys; sys.exit(not float('$1') <= float('$2'))"; }
ka() { $KA_ANALYSE "$WORK/ka.pcap" "$@"; }

# Register ka1..kaN from ports 6001.., five sipp at a time (waited for by pid: sipfastd is a
# job of this shell too), then once more one by one for any that failed; true when all got 200.
register_nat_all() {
	local i ok=0 pids=()
	for i in $(seq 1 "$N"); do
		{ sipp_reg "$WORK/register_nat.xml" "ka$i" "pw-ka$i" $((6000 + i)) 300 &&
			touch "$WORK/ok_$i"; } &
		pids+=($!)
		[ $((i % 5)) -eq 0 ] && { wait "${pids[@]}"; pids=(); }
	done
	[ ${#pids[@]} -gt 0 ] && wait "${pids[@]}"
	for i in $(seq 1 "$N"); do
		[ -e "$WORK/ok_$i" ] || sipp_reg "$WORK/register_nat.xml" "ka$i" "pw-ka$i" \
			$((6000 + i)) 300 && ok=$((ok + 1))
	done
	[ "$ok" -eq "$N" ] || { echo "only $ok of $N registered" >&2; return 1; }
}

tb_up
peer ping -c 1 -W 1 -q 10.99.0.1 >/dev/null 2>&1
write_config "$WORK/ka.json"
sf_start --config "$WORK/ka.json" || exit 1

check "KA_setup_register_${N}_nat" register_nat_all
check "KA_setup_register_non_nat" sipp_reg "$ROOT/tests/integration/sipp/register_auth.xml" \
	1001 secret-1001 5071 300
check "KA_setup_register_short_nat" sipp_reg "$WORK/register_nat.xml" ka99 pw-ka99 \
	"$SHORT_PORT" 20
t_short=$(date +%s.%N)
check "KA_setup_nat_bindings" eq "$(regs '{"nat": true}' total)" $((N + 1))
check "KA_setup_non_nat_binding" eq "$(regs '{"user": "1001"}' bindings.0.nat)" false
check "KA_setup_short_granted_20" eq "$(regs '{"user": "ka99"}' bindings.0.granted)" 20

# Three periods and a bit; the capture starts after every binding is on the schedule.
cap_start "$WORK/ka.pcap" "udp and src host 10.99.0.1"
sleep 31
cap_stop
sent_before=$(counter ka_sent)

check "KA-1_KA-12_one_per_period_each_nat_binding" \
	eq "$(ka per_port "6001-$((6000 + N))" 10)" ok
n_first=$(ka count 6001)
check "KA-1_three_periods_in_31s" test "$n_first" -ge 3 -a "$n_first" -le 4
check "KA-1_from_local_sip_address" eq "$(ka bad_source)" 0
check "KA-4_payload_exactly_ping_crlf" eq "$(ka payloads)" "b'ping\\r\\n'"
check "KA-5_KA-16_batches_at_most_send_one_time" eq "$(ka max_batch 0.1)" 8
check "KA-5_seed_walk_bursts_of_8_then_rest_every_200ms" eq "$(ka shape 8 0.2)" ok
check "KA-3_non_nat_binding_gets_nothing" eq "$(ka count 5071)" 0
check "KA-10_short_binding_got_keepalives" test "$(ka count "$SHORT_PORT")" -ge 1
check "KA-10_short_binding_expired_anyway" eq "$(regs '{"user": "ka99"}' total)" 0
check "KA-8_no_keepalive_after_expiry" le "$(ka last "$SHORT_PORT")" "$(echo "$t_short + 20.5" | bc)"
check "KA_counter_ka_sent" test "$sent_before" -ge "$(ka count_all)"
check "KA_counter_bindings_after_expiry" eq "$(counter ka_bindings)" "$N"
check "KA-7_no_overrun_within_capacity" eq "$(counter ka_overruns)" 0

# KA-2: an empty message stops keep-alives at once; registrations stay.
set_empty() { ctl config.set '{"params": {"SS_SIP_NAT_KEEP_ALIVE_MESSAGE": ""}}' >/dev/null; }
check "KA-2_set_empty_message" set_empty
sleep 0.5
sent_off=$(counter ka_sent)
cap_start "$WORK/ka.pcap" "udp and src host 10.99.0.1"
sleep 11
cap_stop
check "KA-2_empty_message_sends_nothing" eq "$(ka count_all)" 0
check "KA-2_counter_unchanged" eq "$(counter ka_sent)" "$sent_off"
check "KA-2_bindings_kept" eq "$(regs '{"nat": true}' total)" "$N"

# KA-7 (live, KA-13): 1 per 1000 ms reaches 10 of the 50 bindings per cycle: every cycle
# overruns, 40 not reached each time, and the control plane warns.
set_small() {
	ctl config.set '{"params": {"SS_SIP_NAT_KEEP_ALIVE_MESSAGE": "ping\r\n",
		"SS_SIP_NAT_KEEP_ALIVE_SEND_INTERVAL": 1000,
		"SS_SIP_NAT_KEEP_ALIVE_SEND_ONE_TIME": 1}}' >/dev/null
}
missed0=$(counter ka_not_reached)
check "KA-7_set_small_budget" set_small
sleep 22
overruns=$(counter ka_overruns)
missed=$(( $(counter ka_not_reached) - missed0 ))
check "KA-7_cycles_overrun" test "$overruns" -ge 1
check "KA-7_not_reached_40_per_cycle" test "$missed" -eq $((40 * overruns))
check "KA-7_capacity_warning_logged" grep -q "keepalive: capacity exceeded" "$WORK/sipfastd.out"
sf_stop
finish
