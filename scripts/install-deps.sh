#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Install every Debian package the build, the tests and the test bed need. Idempotent: does
# nothing (and needs no network) when everything is already there.
set -euo pipefail

PKGS=(
	build-essential meson ninja-build pkg-config clang libclang-rt-14-dev
	dpdk dpdk-dev libdpdk-dev libosip2-dev libjansson-dev libnuma-dev libcmocka-dev
	nettle-dev libpcap-dev
	sip-tester sipvicious tshark tcpdump python3 python3-scapy
	linphone-cli # a real softphone for the call tests (t_call_softphone.sh)
	iproute2 ethtool iputils-ping procps valgrind
)

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer no without a prompt.
echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
