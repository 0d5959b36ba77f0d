#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The test bed: two network namespaces joined by a veth pair.
#   NAME-dut  holds NAME0, no kernel IP: sipfastd binds it with net_af_packet.
#   NAME-peer holds NAME1 = 10.99.0.2/24 (tx checksum offload off, so frames carry real
#             checksums); sipfastd is 10.99.0.1. The peer also owns 10.99.0.3 .. 10.99.0.9
#             (secondary addresses, SF_PEER_EXTRA), so one namespace can play several user
#             agents and gateways with their own addresses (issue 13: the demo gateway of
#             config/sipfast.json is 10.99.0.3; the call tests put phones and gateways on
#             the others). A UA binds one with `sipp -i 10.99.0.N`.
# Usage: testbed.sh up|down|status [NAME]   (NAME defaults to "sf"; at most 10 characters)
#        testbed.sh vdev [NAME] [QUEUES]   prints the --vdev string for sipfastd on NAME0
#
# The --vdev string lives here so scripts/run.sh and the live tests use the same one.
# net_af_packet joins a fanout group with PACKET_FANOUT_FLAG_DEFRAG: the kernel reassembles
# fragments and hands over one frame as big as the whole datagram, which the PMD truncates to
# its ring frame (default 2,048 bytes). AF_FRAMESZ leaves room for the largest datagram
# sipfastd accepts (16,384 bytes with its Ethernet header: one big-pool buffer) plus the
# TPACKET2 header (66 bytes before the frame); ctrlplane/ports.c gives the port an RX pool
# whose mbufs hold such a frame. A longer datagram arrives truncated and is counted
# drop_ip_truncated. Blocks of 4 frames (17 pages).
set -euo pipefail

cmd=${1:-}
name=${2:-sf}
[ ${#name} -le 10 ] || { echo "testbed: NAME must be at most 10 characters" >&2; exit 2; }
dut="$name-dut" peer="$name-peer"
PEER_IP=${SF_PEER_IP:-10.99.0.2}
PEER_EXTRA=${SF_PEER_EXTRA-10.99.0.3 10.99.0.4 10.99.0.5 10.99.0.6 10.99.0.7 10.99.0.8 10.99.0.9}
PREFIX=${SF_PREFIX:-24}
AF_FRAMESZ=17408   # 16,384 + 1,024; a multiple of 16 (TPACKET_ALIGNMENT)
AF_BLOCKSZ=69632   # 4 frames, a multiple of the page size
AF_FRAMECNT=512    # the PMD's default ring length

vdev() {
	local queues=${1:-1} v="net_af_packet0,iface=${name}0"
	v="$v,blocksz=$AF_BLOCKSZ,framesz=$AF_FRAMESZ,framecnt=$AF_FRAMECNT"
	[ "$queues" -gt 1 ] && v="$v,qpairs=$queues"
	echo "$v"
}

up() {
	down 2>/dev/null || true
	ip netns add "$dut"
	ip netns add "$peer"
	ip link add "${name}0" type veth peer name "${name}1"
	ip link set "${name}0" netns "$dut"
	ip link set "${name}1" netns "$peer"
	ip -n "$dut" link set lo up
	ip -n "$dut" link set "${name}0" up
	# No kernel stack on the DUT side: sipfastd answers ARP and ICMP itself.
	ip netns exec "$dut" sysctl -qw "net.ipv6.conf.${name}0.disable_ipv6=1"
	ip -n "$peer" link set lo up
	ip -n "$peer" addr add "$PEER_IP/$PREFIX" dev "${name}1"
	local a
	for a in $PEER_EXTRA; do
		ip -n "$peer" addr add "$a/$PREFIX" dev "${name}1"
	done
	ip -n "$peer" link set "${name}1" up
	ip netns exec "$peer" sysctl -qw "net.ipv6.conf.${name}1.disable_ipv6=1"
	ip netns exec "$peer" ethtool -K "${name}1" tx off >/dev/null
	ip netns exec "$dut" ethtool -K "${name}0" tx off rx off >/dev/null 2>&1 || true
	echo "testbed $name up: $dut/${name}0 (sipfastd) <-> $peer/${name}1 ($PEER_IP/$PREFIX${PEER_EXTRA:+, also $PEER_EXTRA})"
}

down() {
	ip netns del "$dut" 2>/dev/null || true
	ip netns del "$peer" 2>/dev/null || true
}

case "$cmd" in
up) up ;;
down) down ;;
vdev) vdev "${3:-1}" ;;
status) ip netns list | grep -E "^($dut|$peer)( |$)" || { echo "testbed $name: down"; exit 1; } ;;
*) echo "usage: $0 up|down|status [NAME] | vdev [NAME] [QUEUES]" >&2; exit 2 ;;
esac
