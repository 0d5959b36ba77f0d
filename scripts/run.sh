#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Bring sipfastd up on the veth test bed with config/sipfast.json (the embedded default).
# Installs what is missing, builds, creates the test bed, runs sipfastd in the foreground.
# Ctrl-C stops it cleanly (counters are printed) and removes the test bed.
# Environment: SF_TESTBED (default sf), SF_CONFIG, SF_CTL, SF_LCORES (default '0@0,1@1').
set -euo pipefail
cd "$(dirname "$0")/.."

[ "$(id -u)" -eq 0 ] || { echo "run.sh: needs root (network namespaces, af_packet)" >&2; exit 1; }
name=${SF_TESTBED:-sf}
config=${SF_CONFIG:-config/sipfast.json}
ctl=${SF_CTL:-/run/sipfast/ctl.sock}
lcores=${SF_LCORES:-0@0,1@1}

scripts/install-deps.sh
scripts/build.sh release
scripts/testbed.sh up "$name"
[ "${SF_KEEP_TESTBED:-0}" = 1 ] || trap 'scripts/testbed.sh down "$name"' EXIT

cat <<TXT

sipfastd is starting on the test bed "$name" (10.99.0.1, SIP on UDP 5060). Try, in another shell:
  ip netns exec $name-peer ping -c 3 10.99.0.1
  ip netns exec $name-peer sipp -sn uac -m 1 -i 10.99.0.2 10.99.0.1:5060
  build/ctrlplane/sipfastctl --socket $ctl stats
  dpdk-telemetry.py -f $name   then: /sipfast/stats
Ctrl-C stops it.

TXT
ip netns exec "$name-dut" build/ctrlplane/sipfastd --lcores "$lcores" --no-huge -m 512 \
	--no-pci --file-prefix "$name" --vdev "$(scripts/testbed.sh vdev "$name")" \
	-- --config "$config" --ctl "$ctl" &
pid=$!
trap 'kill -INT $pid 2>/dev/null || true' INT TERM
wait $pid || wait $pid
