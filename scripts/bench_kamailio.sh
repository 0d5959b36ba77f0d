#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# sipfastd vs Kamailio 5.6 on the same machine in the same run: messages handled per
# CPU-second. Kamailio (Debian package, bench/kamailio.cfg, one UDP worker) listens on
# 127.0.0.1; bench/blaster.c replays the UDP payloads of the same bench_gen.py pcaps with
# sendmmsg at a bounded rate. sipfastd's figure comes from scripts/bench.sh on the same pcaps.
#
# Usage: scripts/bench_kamailio.sh [CLASS ...]      (default: flood_unknown options_gateway)
# Environment:
#   SF_KAM_COUNT  messages per class   (default 300000)
#   SF_KAM_RATE   messages per second  (default 30000, below Kamailio's saturation so no
#                 message is lost in the socket buffer; 0 = as fast as the blaster can)
#   SF_KAM_PORT   Kamailio's UDP port  (default 5070)
#   SF_BENCH_DIR  where bench.sh builds and keeps its pcaps (default build-bench)
#   SF_BENCH_REV  passed to bench.sh (e.g. HEAD)
#
# Per class: Kamailio CPU-seconds = utime+stime of every kamailio process (/proc/PID/stat,
# all of them: UDP worker, timers, ctl, main) before/after; messages handled = the delta of
# Kamailio's core counter rcv_requests (kamcmd stats.get_statistics). Loopback delivery work
# done in the blaster's softirq context is not charged to Kamailio (it favours Kamailio).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

count=${SF_KAM_COUNT:-300000}
rate=${SF_KAM_RATE:-30000}
port=${SF_KAM_PORT:-5070}
out=${SF_BENCH_DIR:-build-bench}
classes=("$@")
[ ${#classes[@]} -gt 0 ] || classes=(flood_unknown options_gateway)
gateway=127.0.0.2 # the address the gateway's messages come from (bench/kamailio.cfg knows it)

if ! command -v kamailio >/dev/null; then
	echo "bench_kamailio.sh: kamailio missing; apt-get install -y kamailio" >&2
	if ! apt-get install -y --no-install-recommends kamailio >/dev/null 2>&1; then
		echo "bench_kamailio.sh: SKIPPED: cannot install kamailio (offline?)" >&2
		exit 0
	fi
fi
kam_version=$(kamailio -v 2>/dev/null | awk '/^version:/ { print $3; exit }')

mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d /tmp/sf-kam.XXXXXX)
kpid=
cleanup() {
	[ -n "$kpid" ] && kill "$kpid" 2>/dev/null && wait "$kpid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

cc -O2 -Wall -o "$work/blaster" bench/blaster.c

# sipfastd on the same pcaps first (its classes that have landed), 3 timed runs each.
sf_classes=()
for c in "${classes[@]}"; do
	scripts/bench.sh --list | awk -v c="$c" '$1 == c && $2 == "on"' | grep -q . &&
		sf_classes+=("$c")
done
if [ ${#sf_classes[@]} -gt 0 ]; then
	SF_BENCH_RUNS=${SF_BENCH_RUNS:-3} scripts/bench.sh --no-callgrind "${sf_classes[@]}" >&2
fi
# The pcaps of every class (also the ones sipfastd cannot run yet).
frames=${SF_BENCH_FRAMES:-4096}
pcaps=$out/pcap/kamailio-$(sha1sum <scripts/bench_gen.py | cut -c1-12)-$frames
scripts/bench_gen.py --frames "$frames" --outdir "$pcaps" "${classes[@]}"

sed -e "s|@LISTEN@|udp:127.0.0.1:$port|" -e "s|@CTL@|unix:$work/kamailio_ctl|" \
	-e "s|@GATEWAY@|$gateway|" bench/kamailio.cfg >"$work/kamailio.cfg"
kamailio -f "$work/kamailio.cfg" -c >"$work/check.log" 2>&1 ||
	{ cat "$work/check.log" >&2; exit 1; }
kamailio -f "$work/kamailio.cfg" -DD -E -P "$work/kamailio.pid" -Y "$work" \
	>"$work/kamailio.log" 2>&1 &
kpid=$!
for _ in $(seq 50); do
	[ -S "$work/kamailio_ctl" ] && break
	sleep 0.1
done
[ -S "$work/kamailio_ctl" ] || { cat "$work/kamailio.log" >&2; exit 1; }

# Sum of utime+stime (clock ticks) over Kamailio's processes.
kam_ticks() {
	local p sum=0 f
	for p in $kpid $(pgrep -P "$kpid"); do
		f=$(sed 's/^.*) //' "/proc/$p/stat" 2>/dev/null) || continue
		# shellcheck disable=SC2086
		set -- $f
		sum=$((sum + ${12} + ${13}))
	done
	echo $sum
}
kam_stat() {
	kamcmd -s "unix:$work/kamailio_ctl" stats.get_statistics all 2>/dev/null |
		awk -F' = ' -v k="$1" '$1 ~ ":"k"$" { print $2 }'
}

hz=$(getconf CLK_TCK)
printf '\n%-16s %9s %9s %11s %13s %13s %8s\n' class sent handled 'kam CPU-s' \
	'kam msg/CPU-s' 'sf msg/CPU-s' ratio
for c in "${classes[@]}"; do
	src=127.0.0.1
	[ "$c" = options_gateway ] && src=$gateway
	t0=$(kam_ticks)
	r0=$(kam_stat rcv_requests)
	sent=$("$work/blaster" -f "$pcaps/$c.pcap" -d 127.0.0.1 -p "$port" -n "$count" \
		-r "$rate" -s "$src" | awk '{ print $2 }')
	sleep 1 # let Kamailio drain its socket buffer
	t1=$(kam_ticks)
	r1=$(kam_stat rcv_requests)
	handled=$((r1 - r0))
	cpu=$(awk -v t="$((t1 - t0))" -v hz="$hz" 'BEGIN { printf "%.2f", t / hz }')
	kam=$(awk -v n="$handled" -v s="$cpu" 'BEGIN { printf "%.0f", (s > 0) ? n / s : 0 }')
	sf=$(awk -F'\t' -v c="$c" '$1 == c && $7 == "ok" { printf "%.0f", $3 * 1e6 }' \
		"$out/results.tsv" 2>/dev/null)
	ratio=-
	[ -n "$sf" ] && [ "$kam" -gt 0 ] && ratio=$(awk -v a="$sf" -v b="$kam" 'BEGIN { printf "%.0fx", a / b }')
	printf '%-16s %9s %9s %11s %13s %13s %8s\n' "$c" "$sent" "$handled" "$cpu" "$kam" \
		"${sf:-n/a}" "$ratio"
done
echo
echo "Kamailio $kam_version: kamailio -f bench/kamailio.cfg (children=1, listen udp:127.0.0.1:$port) -DD -E"
echo "blaster: bench/blaster.c -f PCAP -d 127.0.0.1 -p $port -n $count -r $rate -s SRC" \
	"(SRC 127.0.0.1 = unknown, $gateway = gateway)"
echo "sipfastd: scripts/bench.sh median Mpps (1 worker, busy-polling: msg per CPU-second)"
echo "dropped/answered per Kamailio's own counters: unknown=$(kam_stat bench_unknown_dropped)" \
	"options=$(kam_stat bench_options_answered)"
