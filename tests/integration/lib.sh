# SPDX-License-Identifier: BSD-3-Clause
# Shared by the live tests: a private test bed, sipfastd on it, counters, result lines.
# Each test script sources this, calls tb_up / sf_start, runs checks with `check`, and ends
# with `finish`. Result lines "PASS <id>" / "FAIL <id>: why" go to stdout for scripts/test.sh.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${SF_BUILD:-$ROOT/build}
SIPFASTD=$BUILD/ctrlplane/sipfastd
TB=t$$                      # test bed name, unique per test process (<= 10 chars)
TB=${TB:0:10}
WORK=$(mktemp -d /tmp/sfit.XXXXXX)
CTL=$WORK/ctl.sock
SF_PID=""
FAILS=0

tb_up() { "$ROOT/scripts/testbed.sh" up "$TB" >/dev/null; }
peer() { ip netns exec "$TB-peer" "$@"; }

# sf_start [--workers N] [--config FILE]: start sipfastd on the test bed and wait until ready.
sf_start() {
	local workers=1 config="$ROOT/config/sipfast.json" lcores vdev
	while [ $# -gt 0 ]; do
		case "$1" in
		--workers) workers=$2; shift 2 ;;
		--config) config=$2; shift 2 ;;
		*) echo "sf_start: unknown $1" >&2; return 2 ;;
		esac
	done
	# Main lcore on CPU 0; workers share CPU 1 when there are more than the machine has.
	lcores="0@0"
	for i in $(seq 1 "$workers"); do lcores="$lcores,$i@$((1 + (i - 1) % ($(nproc) > 1 ? $(nproc) - 1 : 1)))"; done
	vdev="net_af_packet0,iface=${TB}0"
	[ "$workers" -gt 1 ] && vdev="$vdev,qpairs=$workers"
	ip netns exec "$TB-dut" "$SIPFASTD" --lcores "$lcores" --no-huge -m 512 --no-pci \
		--no-shconf --file-prefix "$TB" --vdev "$vdev" \
		-- --config "$config" --ctl "$CTL" >"$WORK/sipfastd.out" 2>&1 &
	SF_PID=$!
	for _ in $(seq 1 100); do
		# -s: the file appears only once the background job has opened it
		grep -qs "sipfastd: ready" "$WORK/sipfastd.out" && return 0
		kill -0 "$SF_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "sipfastd did not start:" >&2
	cat "$WORK/sipfastd.out" >&2
	return 1
}

sf_stop() {
	[ -n "$SF_PID" ] || return 0
	kill -INT "$SF_PID" 2>/dev/null
	wait "$SF_PID"
	local rc=$?
	SF_PID=""
	return $rc
}

# cap_start FILE FILTER: capture on the peer's side of the veth (what sipfastd sent) until cap_stop.
cap_start() {
	ip netns exec "$TB-peer" tcpdump -Z root -i "${TB}1" -n -U -w "$1" "$2" >/dev/null 2>&1 &
	CAP_PID=$!
	sleep 1 # tcpdump needs a moment before it sees packets
}
cap_stop() {
	sleep 0.5
	kill -INT "$CAP_PID" 2>/dev/null
	wait "$CAP_PID" 2>/dev/null
}

ctl() { python3 "$ROOT/tests/integration/ctl.py" "$CTL" "$@"; }
# counter NAME [WORKER]: a summed counter, or one worker's.
counter() {
	if [ $# -gt 1 ]; then ctl stats.get --path="workers.$2.counters.$1"
	else ctl stats.get --path="total.$1"; fi
}

# check ID CONDITION-COMMAND...: run the command; PASS when it succeeds.
check() {
	local id=$1
	shift
	if "$@"; then
		echo "PASS $id"
	else
		echo "FAIL $id: $*"
		FAILS=$((FAILS + 1))
	fi
}

cleanup() {
	[ -n "$SF_PID" ] && kill -KILL "$SF_PID" 2>/dev/null
	[ -n "${CAP_PID:-}" ] && kill -KILL "$CAP_PID" 2>/dev/null
	"$ROOT/scripts/testbed.sh" down "$TB" >/dev/null 2>&1
	rm -rf "$WORK"
}
trap cleanup EXIT

finish() { exit $((FAILS > 0)); }
