#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# NAT keep-alive with two workers (issue 6). 40 NAT bindings from the peer namespace spread over
# both workers' shards (AoR owner); PERIOD 10, SEND_INTERVAL 200, SEND_ONE_TIME 6 (3 per worker
# per tick). Peer-side capture of one cycle in the seed's walk: the datagrams of one tick
# from both workers together never exceed 6, and a tick does carry more than one worker's
# share (KA-16). Then config.apply switches "keepalive": {"spread": "even"}: from the next
# cycle the 40 keep-alives are paced over the 50 ticks, no tick above ceil(40/50) + 1 = 2.
# About 60 s.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/ka_lib.sh"

N=40
BUDGET=6
PARAMS='"SS_REPLY_UNAUTHORIZED": "Off",
	"SS_ENDPOINT_NAT_EXPIRE": 120,
	"SS_SIP_NAT_KEEP_ALIVE_MESSAGE": "ping\r\n",
	"SS_SIP_NAT_KEEP_ALIVE_PERIOD": 10,
	"SS_SIP_NAT_KEEP_ALIVE_SEND_INTERVAL": 200,
	"SS_SIP_NAT_KEEP_ALIVE_SEND_ONE_TIME": '$BUDGET

tb_up
peer ping -c 1 -W 1 -q 10.99.0.1 >/dev/null 2>&1
ka_write_config "$WORK/ka.json" "$N" "" "$PARAMS"
sf_start --workers 2 --config "$WORK/ka.json"

setup "register_${N}_nat" register_nat_all "$N"
setup "nat_bindings" eq "$(regs '{"nat": true}' total)" "$N"
b0=$(counter ka_bindings 0)
b1=$(counter ka_bindings 1)
setup "bindings_on_both_workers" test "$b0" -gt 0 -a "$b1" -gt 0 -a $((b0 + b1)) -eq "$N"

# One whole cycle and a bit, seed walk: ticks of 3 + 3 from cycle start until the list is done.
cap_start "$WORK/ka.pcap" "udp and src host 10.99.0.1"
sleep 10.5
cap_stop
tick_max=$(ka max_batch 0.1)
check "KA_16_two_workers_one_tick_never_above_send_one_time" test "$tick_max" -le "$BUDGET"
check "KA_16_a_tick_carries_both_workers_shares" test "$tick_max" -gt $((BUDGET / 2))
check "KA_16_every_binding_reached" test "$(ka count_all)" -ge "$N"
check "KA_16_both_workers_sent" test "$(counter ka_sent 0)" -gt 0 -a "$(counter ka_sent 1)" -gt 0
check "KA_16_no_overrun" eq "$(counter ka_overruns)" 0

# keepalive.spread "even" through config.apply (sipfastctl apply): taken at the next cycle.
ka_write_config "$WORK/ka_even.json" "$N" "" "$PARAMS" '"keepalive": {"spread": "even"},'
apply_even() {
	"$BUILD/ctrlplane/sipfastctl" --socket "$CTL" apply "$WORK/ka_even.json" >"$WORK/even.out" 2>&1
}
check "KA_spread_even_applied" apply_even
spread_flat_refused() {
	ka_write_config "$WORK/ka_flat.json" "$N" "" "$PARAMS" '"keepalive": {"spread": "flat"},'
	"$BUILD/ctrlplane/sipfastctl" --socket "$CTL" apply "$WORK/ka_flat.json" \
		>"$WORK/flat.out" 2>&1 && return 1
	grep -q "keepalive.spread" "$WORK/flat.out"
}
check "KA_spread_unknown_value_refused_naming_the_key" spread_flat_refused
sleep 10 # the cycle running at the update ends in the seed's walk
cap_start "$WORK/ka.pcap" "udp and src host 10.99.0.1"
sleep 10.5
cap_stop
check "KA_spread_even_no_tick_above_ceil_n_over_ticks_plus_1" test "$(ka max_batch 0.1)" -le 2
check "KA_spread_even_every_binding_reached" test "$(ka count_all)" -ge "$N"
check "KA_spread_even_each_binding_once_per_cycle" eq "$(ka counts "6001-$((6000 + N))" 1 2)" ok
check "KA_spread_even_no_overrun" eq "$(counter ka_overruns)" 0
check "KA_2w_clean_stop" sf_stop
finish
