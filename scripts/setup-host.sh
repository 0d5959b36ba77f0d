#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Prepare a production host for sipfastd: reserve hugepages and bind NICs to vfio-pci.
#   setup-host.sh [--pages N] [--page-size 2M|1G] [--dry-run] PCI|IFACE ...
# Checks: IOMMU on (or vfio no-IOMMU mode explicitly enabled), vfio-pci loadable, and never
# unbinds the interface carrying the host's default route (you would lose the host).
set -euo pipefail

pages=1024 size=2M dry=0 devs=()
while [ $# -gt 0 ]; do
	case "$1" in
	--pages) pages=$2; shift 2 ;;
	--page-size) size=$2; shift 2 ;;
	--dry-run) dry=1; shift ;;
	-h|--help)
		sed -n '3,6p' "$0" | sed 's/^# \{0,1\}//'
		exit 0 ;;
	-*) echo "setup-host: unknown option $1" >&2; exit 2 ;;
	*) devs+=("$1"); shift ;;
	esac
done
[ ${#devs[@]} -gt 0 ] || { echo "setup-host: name at least one NIC (PCI address or interface)" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "setup-host: needs root" >&2; exit 1; }
command -v dpdk-devbind.py >/dev/null || { echo "setup-host: dpdk-devbind.py missing: apt-get install dpdk" >&2; exit 1; }

run() { if [ $dry = 1 ]; then echo "would run: $*"; else "$@"; fi; }

# PCI address of a device given as PCI address or kernel interface name.
pci_of() {
	if [ -e "/sys/bus/pci/devices/$1" ]; then echo "$1"
	elif [ -e "/sys/bus/pci/devices/0000:$1" ]; then echo "0000:$1"
	elif [ -e "/sys/class/net/$1/device" ]; then basename "$(readlink -f "/sys/class/net/$1/device")"
	else echo "setup-host: $1 is neither a PCI address nor a PCI network interface" >&2; return 1
	fi
}

default_route_pci=""
dr_if=$(ip -4 route show default 2>/dev/null | awk '{for (i=1;i<NF;i++) if ($i=="dev") print $(i+1); exit}')
[ -n "$dr_if" ] && [ -e "/sys/class/net/$dr_if/device" ] &&
	default_route_pci=$(basename "$(readlink -f "/sys/class/net/$dr_if/device")")

if [ -z "$(ls -A /sys/kernel/iommu_groups 2>/dev/null)" ]; then
	if [ "$(cat /sys/module/vfio/parameters/enable_unsafe_noiommu_mode 2>/dev/null)" != Y ]; then
		echo "setup-host: no IOMMU groups: enable VT-d/AMD-Vi in firmware and boot with" \
			"intel_iommu=on iommu=pt (or, knowingly, vfio enable_unsafe_noiommu_mode=1)" >&2
		exit 1
	fi
	echo "setup-host: warning: vfio no-IOMMU mode (no DMA isolation)"
fi
run modprobe vfio-pci

for d in "${devs[@]}"; do
	pci=$(pci_of "$d")
	if [ -n "$default_route_pci" ] && [ "$pci" = "$default_route_pci" ]; then
		echo "setup-host: refusing to unbind $d ($pci): it carries the default route via $dr_if" >&2
		exit 1
	fi
	run dpdk-devbind.py --bind=vfio-pci "$pci"
done

run dpdk-hugepages.py --pagesize "$size" --setup "$((pages * ${size%[MG]} ))${size: -1}"
[ $dry = 1 ] || { dpdk-hugepages.py --show; dpdk-devbind.py --status-dev net; }
