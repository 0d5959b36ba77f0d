#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Bring sipfastd up on the veth test bed with config/sipfast.json (the embedded default).
# Installs what is missing, builds, creates the test bed, starts the demo gateway (a sipp UAS
# on 10.99.0.3:5060 in the peer namespace, config/sipfast.json's "demo-gw": it rings 1 s and
# answers every call), runs sipfastd in the foreground and prints commands that register the
# demo phones 1001 and 1002, make calls and show them. Ctrl-C stops sipfastd cleanly
# (counters are printed), the demo gateway, and removes the test bed.
# Environment: SF_TESTBED (default sf), SF_CONFIG, SF_CTL, SF_LCORES (default '0@0,1@1'),
# SF_DEMO_GW=0 (no demo gateway), SF_KEEP_TESTBED=1 (leave the test bed up).
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
gw_pid=""
cleanup() {
	[ -n "$gw_pid" ] && kill "$gw_pid" 2>/dev/null
	[ "${SF_KEEP_TESTBED:-0}" = 1 ] || scripts/testbed.sh down "$name"
}
trap cleanup EXIT

# The demo gateway (config/sipfast.json "demo-gw", 10.99.0.3:5060, numbers starting 9 or 00):
# answers every INVITE with 180, then 200 after 1 s, and waits for the BYE. Its screen goes to
# /tmp/sipfast-demo-gw.log (sipp's statistics: calls answered so far).
if [ "${SF_DEMO_GW:-1}" = 1 ]; then
	ip netns exec "$name-peer" sipp -sf tests/integration/sipp/call_uas.xml -i 10.99.0.3 \
		-p 5060 -d 1000 -nostdin -trace_screen -screen_file /tmp/sipfast-demo-gw.log \
		>/dev/null 2>&1 &
	gw_pid=$!
fi

sipp="ip netns exec $name-peer sipp"
s=tests/integration/sipp
ctlcmd="build/ctrlplane/sipfastctl --socket $ctl"
cat <<TXT

sipfastd is starting on the test bed "$name" (10.99.0.1, SIP on UDP 5060), with the demo
accounts 1001 / demo-1001 and 1002 / demo-1002 and the demo gateway "demo-gw" (10.99.0.3,
numbers starting 9 or 00; a sipp UAS that rings 1 s and answers). In another shell, from this
directory:

  # reachable, counters
  ip netns exec $name-peer ping -c 3 10.99.0.1
  $ctlcmd stats

  # register the phones (sipp from the peer namespace, digest auth; expiry 1 hour)
  $sipp -sf $s/register_auth.xml -s 1001 -au 1001 -ap demo-1001 -key expires 3600 -m 1 -i 10.99.0.2 -p 5071 10.99.0.1:5060
  $sipp -sf $s/register_auth.xml -s 1002 -au 1002 -ap demo-1002 -key expires 3600 -m 1 -i 10.99.0.2 -p 5072 10.99.0.1:5060
  $ctlcmd registrations

  # phone 1002 waits for one call (rings 1 s, answers); leave it running, or add -bg
  $sipp -sf $s/call_uas.xml -d 1000 -m 1 -i 10.99.0.2 -p 5072

  # in a third shell: 1001 calls 1002 (challenged, digest, 100, 180, 200, ACK; BYE after 20 s)
  $sipp -sf $s/call_uac.xml -s 1002 -key caller 1001 -au 1001 -ap demo-1001 -auth_uri 1002@10.99.0.1:5060 -d 20000 -m 1 -i 10.99.0.2 -p 5071 10.99.0.1:5060

  # in a fourth shell: 1001 calls the gateway (9 + a number: routed by prefix to demo-gw); this
  # caller waits for a BYE, so the call stays up until you hang it up below
  $sipp -sf $s/call_uac_bye_in.xml -s 9555123 -key caller 1001 -au 1001 -ap demo-1001 -auth_uri 9555123@10.99.0.1:5060 -m 1 -i 10.99.0.2 -p 5073 10.99.0.1:5060

  # while calls are up: list them, end one by its ID (first column): BYE to both legs
  $ctlcmd calls
  $ctlcmd calls hangup ID
  # outcomes, gauges and table occupancy
  $ctlcmd call stats.get | grep -A14 '"calls"'

  dpdk-telemetry.py -f $name   then: /sipfast/stats  or  /sipfast/calls
Ctrl-C stops it.

TXT
ip netns exec "$name-dut" build/ctrlplane/sipfastd --lcores "$lcores" --no-huge -m 512 \
	--no-pci --file-prefix "$name" --vdev "$(scripts/testbed.sh vdev "$name")" \
	-- --config "$config" --ctl "$ctl" &
pid=$!
trap 'kill -INT $pid 2>/dev/null || true' INT TERM
wait $pid || wait $pid
