#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Two workers on af_packet qpairs=2 (kernel fanout by flow hash): both receive traffic, and
# every datagram is counted exactly once across them (sip_received: on the worker that reads
# it, the source owner for an unknown source, issue 11 rule S; or drop_l3_offender: each
# worker remembers the flooding source after 20 unknown drops of its own, issue 14).
source "$(dirname "$0")/lib.sh"
tb_up
sf_start --workers 2
peer ping -c 1 -W 1 -q 10.99.0.1 >/dev/null
peer python3 "$ROOT/tests/integration/udp_send.py" 10.99.0.1 5060 256 --sports 64
sleep 1
r0=$(counter rx_packets 0)
r1=$(counter rx_packets 1)
w0=$(($(counter sip_received 0) + $(counter drop_l3_offender 0)))
w1=$(($(counter sip_received 1) + $(counter drop_l3_offender 1)))
check NET_two_workers_both_receive test "$r0" -gt 0 -a "$r1" -gt 0
check NET_two_workers_count_once test $((w0 + w1)) = 256
check NET_two_workers_clean_stop sf_stop
finish
