#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Live L2-L4 on the veth test bed, one worker: ping, ARP learned by the peer's kernel, UDP to the
# SIP port counted, UDP elsewhere silent (no reply, no ICMP error), clean stop on SIGINT.
source "$(dirname "$0")/lib.sh"
tb_up
sf_start

check NET_ping_answers peer ping -c 3 -i 0.2 -W 1 -q 10.99.0.1
neigh_dynamic() { peer ip neigh show 10.99.0.1 | grep -q lladdr && ! peer ip neigh show 10.99.0.1 | grep -q PERMANENT; }
check NET_peer_learns_our_mac_by_arp neigh_dynamic

# Everything sipfastd sends from here on is captured on the peer side.
cap_start "$WORK/peer.pcap" 'src host 10.99.0.1 and not arp'
peer python3 "$ROOT/tests/integration/udp_send.py" 10.99.0.1 5060 5
peer python3 "$ROOT/tests/integration/udp_send.py" 10.99.0.1 5070 7
peer python3 "$ROOT/tests/integration/udp_send.py" 10.99.0.1 53 3 --payload junk
sleep 1
canary # the same capture must see the echo reply, or its silence proves nothing
cap_stop
check NET_udp_to_sip_port_counted test "$(counter sip_received)" = 5
# The probe has no Via/From/To/Call-ID/CSeq and comes from an unknown source with
# SS_REPLY_UNAUTHORIZED Off (the default): the skim drops it silently as an unknown OPTIONS
# without proving it well formed (it reads no more than the decision needs, see
# sip_input_skim_drop()), so it is counted there, not as malformed (GEN-1, before the skim).
check NET_udp_to_sip_port_probe_dropped_unknown test "$(counter sip_drop_unknown_options)" = 5
check NET_udp_to_sip_port_probe_not_malformed test "$(counter sip_drop_malformed)" = 0
check NET_udp_other_port_counted_drop test "$(counter drop_udp_port)" = 10
check NET_udp_other_port_no_reply_no_icmp \
	silent_in "$WORK/peer.pcap" "not (icmp and icmp[icmptype] = icmp-echoreply)"

check NET_sigint_clean_stop sf_stop
check NET_stop_prints_counters grep -q "sipfastd: stopped; counters" "$WORK/sipfastd.out"
finish
