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

SCRIPT=$(basename "$0" .sh)  # names the setup FAIL lines: SETUP_<script>_<what>

# die WHAT WHY...: a setup step failed: print a FAIL line naming it and stop this script
# (scripts/test.sh also counts the non-zero exit). Setup steps are not tests: they print no PASS.
die() {
	local what=$1
	shift
	echo "FAIL SETUP_${SCRIPT}_$what: $*"
	FAILS=$((FAILS + 1))
	exit 1
}
# setup WHAT COMMAND...: run a setup step; silent when it succeeds, die when it fails.
setup() {
	local what=$1
	shift
	"$@" || die "$what" "$*"
}

tb_up() { "$ROOT/scripts/testbed.sh" up "$TB" >/dev/null || die tb_up "scripts/testbed.sh up $TB"; }
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
	# The same --vdev string as scripts/run.sh: af_packet frames that hold the largest datagram
	# sipfastd accepts (scripts/testbed.sh vdev says why).
	vdev=$("$ROOT/scripts/testbed.sh" vdev "$TB" "$workers")
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
	die sf_start "sipfastd did not print 'sipfastd: ready' within 10 s"
}

sf_stop() {
	[ -n "$SF_PID" ] || return 0
	kill -INT "$SF_PID" 2>/dev/null
	wait "$SF_PID"
	local rc=$?
	SF_PID=""
	return $rc
}

# cap_start FILE FILTER: capture on the peer's side of the veth (what sipfastd sent) until
# cap_stop. --immediate-mode: without it the packets of the last buffer timeout (up to 1 s)
# before the SIGINT are lost (seen: a canary echo reply 0.5 s before cap_stop missing). The capture must prove it runs: tcpdump's "listening on" line within 10 s and the
# pcap file header written, else a FAIL line SETUP_<script>_cap_start and the script stops.
CAP_IF=${SF_CAP_IF:-}       # test hook: another interface (a capture that cannot start)
cap_start() {
	local err="$1.err"
	ip netns exec "$TB-peer" tcpdump -Z root -i "${CAP_IF:-${TB}1}" -n -U --immediate-mode -w "$1" "$2" \
		>/dev/null 2>"$err" &
	CAP_PID=$!
	for _ in $(seq 1 100); do
		grep -qs "listening on" "$err" && [ -s "$1" ] && { sleep 0.2; return 0; }
		kill -0 "$CAP_PID" 2>/dev/null || break
		sleep 0.1
	done
	die cap_start "tcpdump on ${CAP_IF:-${TB}1} did not start: $(tr '\n' ' ' <"$err" 2>/dev/null)"
}
# cap_stop: stop the capture; a tcpdump that died during the capture (not by our SIGINT) dies.
cap_stop() {
	sleep 0.5
	kill -0 "$CAP_PID" 2>/dev/null || die cap_stop "tcpdump exited before cap_stop"
	kill -INT "$CAP_PID" 2>/dev/null
	wait "$CAP_PID" 2>/dev/null
	CAP_PID=""
}
# cap_count FILE FILTER: packets matching FILTER in capture FILE. A read failure (missing or
# broken file, bad filter) prints "unreadable" (never a number, so a `= 0` check fails) and
# returns 1.
cap_count() {
	local out
	if ! out=$(tcpdump -r "$1" -n "$2" 2>"$WORK/cap_count.err"); then
		echo "tcpdump -r $1 '$2' failed: $(cat "$WORK/cap_count.err")" >&2
		echo unreadable
		return 1
	fi
	[ -z "$out" ] && { echo 0; return 0; }
	printf '%s\n' "$out" | wc -l
}
# cap_count_between FILE FILTER T0 T1: like cap_count, only packets with T0 <= time < T1
# (epoch seconds, e.g. from `date +%s.%N`).
cap_count_between() {
	local out
	if ! out=$(tcpdump -tt -r "$1" -n "$2" 2>"$WORK/cap_count.err"); then
		echo "tcpdump -r $1 '$2' failed: $(cat "$WORK/cap_count.err")" >&2
		echo unreadable
		return 1
	fi
	printf '%s\n' "$out" | awk -v a="$3" -v b="$4" '$1 != "" && $1 >= a && $1 < b { n++ } END { print n + 0 }'
}
# Canary for "nothing came back" checks: an ICMP echo from the peer, which sipfastd answers
# (NET: ping). A silence check passes only when the same capture holds the echo reply, so a
# capture that saw nothing proves nothing.
canary() {
	local i
	for i in 1 2 3; do
		peer ping -c 1 -W 2 -q 10.99.0.1 >/dev/null 2>&1 && return 0
	done
	echo "canary: 3 pings unanswered" >&2
	return 1
}
CANARY_FILTER='icmp and src host 10.99.0.1 and icmp[icmptype] = icmp-echoreply'
# silent_in FILE FILTER: the capture saw the canary's reply and nothing matching FILTER.
silent_in() {
	local c n
	c=$(cap_count "$1" "$CANARY_FILTER") || return 1
	n=$(cap_count "$1" "$2") || return 1
	[ "$c" -ge 1 ] || { echo "silent_in: no canary echo reply in $1" >&2; return 1; }
	[ "$n" = 0 ] || { echo "silent_in: $n packets matching '$2' in $1" >&2; return 1; }
}

# sleep_until T: sleep until $SECONDS reaches T; no sleep when it is already past (on a loaded
# host the steps before can take longer than planned; `sleep -3` is an error, not a no-op).
sleep_until() {
	local left=$(($1 - SECONDS))
	[ "$left" -le 0 ] || sleep "$left"
}

# now_ms: wall clock in milliseconds ($EPOCHREALTIME, bash 5), for timing checks that need more
# than $SECONDS' whole seconds. sleep_until_ms T: sleep until now_ms reaches T (no sleep when past).
now_ms() {
	local t=${EPOCHREALTIME/[.,]/}
	echo $((t / 1000))
}
sleep_until_ms() {
	local left=$(($1 - $(now_ms)))
	[ "$left" -le 0 ] || sleep "$((left / 1000)).$(printf '%03d' $((left % 1000)))"
}

ctl() { python3 "$ROOT/tests/integration/ctl.py" "$CTL" "$@"; }
# verdict_sum [EXCLUDE-REGEX] [--settle]: the per-frame verdict counters summed
# (tests/integration/verdict_sum.py), for "every datagram sent was counted once" checks.
verdict_sum() {
	python3 "$ROOT/tests/integration/verdict_sum.py" "$CTL" --exclude "${1:-}" "${@:2}"
}
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
trap 'exit 143' TERM INT # a killed script (run.sh timeout) still cleans up

finish() { exit $((FAILS > 0)); }
