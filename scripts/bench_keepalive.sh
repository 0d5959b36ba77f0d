#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# NAT keep-alive at scale (issue 6, "Scale (benchmark, not a test)"): one sipfastd worker with
# N synthetic NAT bindings (default 1,000,000) preloaded into its location shard and keep-alive
# schedule (sipfastd --bench-ka-bindings, BENCHMARK ONLY), PERIOD 30 s, SEND_INTERVAL 500 ms,
# SEND_ONE_TIME 20000 (capacity 60 x 20000 = 1,200,000 per cycle: the defaults' 3000 reach
# only 180,000), transmitting into net_null (no-rx=1: no RX traffic, nothing but the keep-alive
# work and the idle loop). Runs each spread mode ("seed": the seed's bursts; "even": paced)
# for SECONDS and prints what the daemon reports at exit: keep-alives sent, the largest tick
# (ids handed out in one SEND_INTERVAL), and the TSC the worker spent in the keep-alive poll
# against the time accounted, plus the worker thread's on-CPU share of the wall clock (on a
# shared CPU the TSC counts time the thread was descheduled, too). Method and numbers:
# BENCHMARKS.md, section "NAT keep-alive at 1,000,000 bindings".
#
# Usage: scripts/bench_keepalive.sh [--smoke] [MODE ...]      (MODE: seed, even; default both)
#   --smoke  20,000 bindings, 12 s, seed only: checks the path in well under 30 s
# Environment:
#   SF_KA_BENCH_BINDINGS  bindings                         (default 1000000; smoke 20000)
#   SF_KA_BENCH_SECONDS   seconds per mode after "ready"  (default 62: two whole cycles)
#   SF_KA_BENCH_BUDGET    SEND_ONE_TIME                    (default 20000)
#   SF_SIPFASTD           the daemon (default build/ctrlplane/sipfastd, built if missing)
# Exit status non-zero when a run did not send every binding once per whole cycle, overran,
# skipped a keep-alive, or the daemon failed. Needs root (EAL) but no test bed.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

n=${SF_KA_BENCH_BINDINGS:-1000000}
secs=${SF_KA_BENCH_SECONDS:-62}
budget=${SF_KA_BENCH_BUDGET:-20000}
modes=()
for a in "$@"; do
	case "$a" in
	--smoke) n=${SF_KA_BENCH_BINDINGS:-20000}; secs=${SF_KA_BENCH_SECONDS:-12}; modes=(seed) ;;
	seed | even) modes+=("$a") ;;
	-h | --help) sed -n '3,25p' "$0"; exit 0 ;;
	*) echo "bench_keepalive.sh: unknown argument $a (try --help)" >&2; exit 2 ;;
	esac
done
[ ${#modes[@]} -gt 0 ] || modes=(seed even)
sipfastd=${SF_SIPFASTD:-$root/build/ctrlplane/sipfastd}
[ -x "$sipfastd" ] || scripts/build.sh release
# EAL memory: pools and tables ~400 MB, plus ~1.3 KB per binding (240 B slot, two rte_hash
# entries with their buckets, 12 B schedule node; measured 1.39 GB RSS at 1,000,000).
mem=$((512 + n / 700))

work=$(mktemp -d /tmp/sfkab.XXXXXX)
pid=""
cleanup() {
	[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

# Config: one interface with a gateway (the bindings are off-link), N accounts b0000000..
# (the registrar's sweep drops bindings of accounts that do not exist), the KA parameters.
# write_config FILE MODE
write_config() {
	/usr/bin/env python3 - "$1" "$n" "$budget" "$2" <<'EOF'
import sys
path, n, budget, mode = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
with open(path, "w") as f:
    f.write('{"interfaces": [{"port": 0, "ipv4": "10.99.0.1/24", "gateway": "10.99.0.254"}],'
            ' "sip": {"port": 5060, "domain": "sipfast.test"},'
            ' "params": {"SS_REPLY_UNAUTHORIZED": "Off", "SS_SIP_NAT_KEEP_ALIVE_MESSAGE": "HELLO",'
            ' "SS_SIP_NAT_KEEP_ALIVE_PERIOD": 30, "SS_SIP_NAT_KEEP_ALIVE_SEND_INTERVAL": 500,'
            ' "SS_SIP_NAT_KEEP_ALIVE_SEND_ONE_TIME": %d},' % budget)
    f.write(' "keepalive": {"spread": "%s"}, "accounts": [' % mode)
    f.write(",".join('{"user": "b%07d", "password": "p"}' % i for i in range(n)))
    f.write("]}\n")
EOF
}

# on_cpu_ns PID: on-CPU nanoseconds of the worker thread (rte-worker-1), 0 if not found.
on_cpu_ns() {
	local f
	for f in /proc/"$1"/task/*; do
		if [ "$(cat "$f/comm" 2>/dev/null)" = rte-worker-1 ]; then
			read -r f _ <"$f/schedstat" && echo "$f" && return
		fi
	done
	echo 0
}

rc=0
printf '%-5s %9s %10s %7s %7s %10s %9s %9s %10s %9s\n' mode bindings sent cycles largest \
	"ka_cpu%" "ns/ka" "run_ms" "worker_cpu" "wall_s"
for mode in "${modes[@]}"; do
	write_config "$work/ka_$mode.json" "$mode"
	cmd=("$sipfastd" --lcores 0@0,1@1 --no-huge -m "$mem" --no-pci --no-shconf
		--file-prefix "sfkab$$" --vdev net_null0,no-rx=1 --
		--config "$work/ka_$mode.json" --ctl "$work/ctl.sock" --bench-ka-bindings "$n")
	echo "# ${cmd[*]}" >&2
	"${cmd[@]}" >"$work/out_$mode" 2>&1 &
	pid=$!
	for _ in $(seq 1 600); do
		grep -qs "sipfastd: ready" "$work/out_$mode" && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.2
	done
	if ! grep -qs "sipfastd: ready" "$work/out_$mode"; then
		cat "$work/out_$mode" >&2
		echo "bench_keepalive.sh: sipfastd did not start" >&2
		exit 1
	fi
	t0=$(date +%s.%N)
	c0=$(on_cpu_ns "$pid")
	sleep "$secs"
	c1=$(on_cpu_ns "$pid")
	t1=$(date +%s.%N)
	kill -INT "$pid"
	wait "$pid" || { cat "$work/out_$mode" >&2; rc=1; }
	pid=""
	grep "keepalive bench" "$work/out_$mode" >&2 || { cat "$work/out_$mode" >&2; exit 1; }
	# keepalive bench: worker 0: bindings B, sent S, skipped K, cycles C, overruns O, largest tick L
	read -r b s k c o l < <(sed -n 's/.*worker 0: bindings \([0-9]*\), sent \([0-9]*\), skipped \([0-9]*\), cycles \([0-9]*\), overruns \([0-9]*\), largest tick \([0-9]*\)/\1 \2 \3 \4 \5 \6/p' "$work/out_$mode")
	share=$(sed -n 's/.*in them \([0-9.]*\)% of the time.*/\1/p' "$work/out_$mode")
	nska=$(sed -n 's/.* \([0-9.]*\) ns per keep-alive.*/\1/p' "$work/out_$mode")
	run=$(sed -n 's/.*longest sending run \([0-9.]*\) ms.*/\1/p' "$work/out_$mode")
	wall=$(echo "$t1 - $t0" | bc)
	wcpu=$(echo "scale=1; ($c1 - $c0) / 10000000 / $wall" | bc)
	printf '%-5s %9s %10s %7s %7s %10s %9s %9s %9s%% %9.1f\n' "$mode" "$b" "$s" "$c" "$l" \
		"$share" "$nska" "$run" "$wcpu" "$wall"
	# Every binding once per whole cycle, nothing skipped, no overrun.
	if [ "$b" != "$n" ] || [ "$k" != 0 ] || [ "$o" != 0 ] || [ "$s" -lt $(((c - 1) * n)) ]; then
		echo "bench_keepalive.sh: $mode: expected $n bindings, >= $(((c - 1) * n)) sent," \
			"nothing skipped, no overrun" >&2
		rc=1
	fi
done
exit $rc
