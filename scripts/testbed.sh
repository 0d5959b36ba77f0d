#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The test bed: two network namespaces joined by a veth pair.
#   NAME-dut  holds NAME0, no kernel IP: sipfastd binds it with net_af_packet.
#   NAME-peer holds NAME1 = 10.99.0.2/24 (tx checksum offload off, so frames carry real
#             checksums); sipfastd is 10.99.0.1.
# Usage: testbed.sh up|down|status [NAME]   (NAME defaults to "sf"; at most 10 characters)
set -euo pipefail

cmd=${1:-}
name=${2:-sf}
[ ${#name} -le 10 ] || { echo "testbed: NAME must be at most 10 characters" >&2; exit 2; }
dut="$name-dut" peer="$name-peer"
PEER_IP=${SF_PEER_IP:-10.99.0.2}
PREFIX=${SF_PREFIX:-24}

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
	ip -n "$peer" link set "${name}1" up
	ip netns exec "$peer" sysctl -qw "net.ipv6.conf.${name}1.disable_ipv6=1"
	ip netns exec "$peer" ethtool -K "${name}1" tx off >/dev/null
	ip netns exec "$dut" ethtool -K "${name}0" tx off rx off >/dev/null 2>&1 || true
	echo "testbed $name up: $dut/${name}0 (sipfastd) <-> $peer/${name}1 ($PEER_IP/$PREFIX)"
}

down() {
	ip netns del "$dut" 2>/dev/null || true
	ip netns del "$peer" 2>/dev/null || true
}

case "$cmd" in
up) up ;;
down) down ;;
status) ip netns list | grep -E "^($dut|$peer)( |$)" || { echo "testbed $name: down"; exit 1; } ;;
*) echo "usage: $0 up|down|status [NAME]" >&2; exit 2 ;;
esac
