#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Per-class throughput and instructions per packet of one sipfastd worker, replaying pcaps
# made by scripts/bench_gen.py through net_pcap (infinite_rx=1; no tx argument, so net_pcap
# counts and frees what we transmit). Method and numbers: BENCHMARKS.md.
#
# Usage: scripts/bench.sh [--smoke] [--no-callgrind] [CLASS ...]
#   no CLASS    every enabled class of the table below
#   CLASS       run it even if disabled (a feature under test); --list shows the table
#   --smoke     CI mode: l2l4 and flood_unknown, short runs, finishes in well under 60 s
# Environment:
#   SF_BENCH_PACKETS  frames per timed run      (default 50000000; smoke 2000000)
#   SF_BENCH_RUNS     timed runs per class      (default 5; smoke 3)
#   SF_BENCH_CG       frames per callgrind run  (default 200000; smoke 20000; 0 = skip)
#   SF_BENCH_FRAMES   distinct frames per pcap  (default 4096; smoke 1024)
#   SF_BENCH_REV      build this git revision (git archive, the index is untouched) instead
#                     of the working tree, e.g. SF_BENCH_REV=HEAD for reproducible numbers
#   SF_BENCH_DIR      build and output directory (default build-bench)
# Output: the table on stdout, and $SF_BENCH_DIR/results.tsv (+ results.png when gnuplot is
# installed, drawn by bench/plot.gnuplot).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

# The traffic classes. Enable a class when its feature lands: set "on" and name the verdicts
# (joined by +) whose sum must equal the replayed frames (the run fails its check otherwise).
#   name | on/off | verdicts summing to the frames | what one frame costs
CLASSES=(
	"l2l4|on|drop_udp_port|UDP to port 9: Ethernet, IPv4, UDP checksum, then dropped"
	"flood_unknown|on|sip_drop_unknown_register+sip_drop_unknown_invite+sip_drop_unknown_options+sip_drop_scanner_ua|scanner flood (OPTIONS/REGISTER/INVITE, unknown sources), scanned and silently dropped"
	"options_gateway|on|sip_replied_options|OPTIONS from the configured gateway, 200 OK built and sent"
	"arp|on|arp_replied|ARP who-has for our address, reply built and sent"
	"icmp|on|icmp_echo_replied|ICMP echo request, reply built and sent"
	"sip_count|off|sip_received|the flood_unknown pcap; before the scan path it was counted and freed"
	"register_digest|on|sip_register_ok|REGISTER with correct digest, 10,000 users, bind/unbind pairs: 200 OK, binding created or removed"
	"reregister|on|sip_register_ok|REGISTER with correct digest refreshing an existing binding: 200 OK"
	"wrong_password|on|sip_register_challenged+sip_drop_register_rejected+sip_register_rejected|wrong-password storm: re-challenged, then final reject and lockout (silent)"
	"mix|off|-|90% flood_unknown, 5% options_gateway, 5% reregister"
)

# Counters that must be non-zero after a run of the class (the path it names was taken).
declare -A MUST_COUNT=(
	[register_digest]="reg_ok reg_removed"
	[reregister]="reg_ok"
	[wrong_password]="reg_challenges reg_fail_wrong reg_lockouts reg_fail_locked"
)

smoke=0
callgrind=1
want=()
for a in "$@"; do
	case "$a" in
	--smoke) smoke=1 ;;
	--no-callgrind) callgrind=0 ;;
	--list)
		printf '%-16s %-4s %-20s %s\n' class on verdict what
		for row in "${CLASSES[@]}"; do
			IFS='|' read -r n on v d <<<"$row"
			printf '%-16s %-4s %-20s %s\n' "$n" "$on" "$v" "$d"
		done
		exit 0
		;;
	-h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	-*) echo "bench.sh: unknown option $a (try --help)" >&2; exit 2 ;;
	*) want+=("$a") ;;
	esac
done

if [ "$smoke" = 1 ]; then
	packets=${SF_BENCH_PACKETS:-2000000}
	runs=${SF_BENCH_RUNS:-3}
	cg_packets=${SF_BENCH_CG:-20000}
	frames=${SF_BENCH_FRAMES:-1024}
	[ ${#want[@]} -gt 0 ] || want=(l2l4 flood_unknown)
else
	packets=${SF_BENCH_PACKETS:-50000000}
	runs=${SF_BENCH_RUNS:-5}
	cg_packets=${SF_BENCH_CG:-200000}
	frames=${SF_BENCH_FRAMES:-4096}
fi
[ "$callgrind" = 1 ] || cg_packets=0
out=${SF_BENCH_DIR:-build-bench}
mkdir -p "$out"
out=$(cd "$out" && pwd)

class_row() {
	local row
	for row in "${CLASSES[@]}"; do
		[ "${row%%|*}" = "$1" ] && { echo "$row"; return 0; }
	done
	return 1
}

# Which classes run.
selected=()
if [ ${#want[@]} -eq 0 ]; then
	for row in "${CLASSES[@]}"; do
		IFS='|' read -r n on _ _ <<<"$row"
		[ "$on" = on ] && selected+=("$n")
	done
else
	for n in "${want[@]}"; do
		row=$(class_row "$n") || { echo "bench.sh: no class $n (try --list)" >&2; exit 2; }
		IFS='|' read -r _ on _ _ <<<"$row"
		[ "$on" = on ] || echo "bench.sh: note: $n is disabled in the table; running it anyway" >&2
		selected+=("$n")
	done
fi

# --- Build: release (-O3), LTO when it links, -march as Debian's DPDK sets it (corei7). ---
src=$root
rev_note=$(git describe --always --dirty 2>/dev/null || echo unknown)
if [ -n "${SF_BENCH_REV:-}" ]; then
	src=$out/src
	rev_note=$(git rev-parse --short "$SF_BENCH_REV")
	if [ "$(cat "$out/src.rev" 2>/dev/null)" != "$rev_note" ]; then
		rm -rf "$src" "$out/build"
		mkdir -p "$src"
		git archive "$SF_BENCH_REV" | tar -x -C "$src"
		echo "$rev_note" >"$out/src.rev"
	fi
fi
build=$out/build
if [ "$(cat "$out/build.src" 2>/dev/null)" != "$src" ]; then
	rm -rf "$build"
	echo "$src" >"$out/build.src"
fi
if [ ! -f "$build/build.ninja" ]; then
	if ! meson setup "$build" "$src" --buildtype=release -Db_lto=true -Dtests=false \
		>"$out/meson-setup.log" 2>&1; then
		echo "bench.sh: LTO setup failed, building without LTO (see $out/meson-setup.log)" >&2
		rm -rf "$build"
		meson setup "$build" "$src" --buildtype=release -Dtests=false >"$out/meson-setup.log"
	fi
fi
if ! ninja -C "$build" ctrlplane/sipfastd >"$out/ninja.log" 2>&1; then
	cat "$out/ninja.log" >&2
	exit 1
fi
bin=$build/ctrlplane/sipfastd

# --- Pcaps: generated, cached by generator hash and frame count, never in git. ---
gen_key=$(cat scripts/bench_gen.py | sha1sum | cut -c1-12)-$frames
pcaps=$out/pcap/$gen_key
missing=()
for c in "${selected[@]}"; do
	[ -s "$pcaps/$c.pcap" ] || missing+=("$c")
done
if [ ${#missing[@]} -gt 0 ]; then
	scripts/bench_gen.py --frames "$frames" --outdir "$pcaps" "${missing[@]}"
fi

# --- One run of the daemon. ---
run_dir=$(mktemp -d /tmp/sf-bench.XXXXXX)
trap 'rm -rf "$run_dir"' EXIT

# daemon_cmd CLASS PACKETS: the exact command line (also printed in the report). The digest
# classes replay digests precomputed over the nonces a fixed key and a frozen clock give
# (sipfastd --bench-fixed-nonce, benchmark only; bench_gen.py nonce_for()).
daemon_cmd() {
	local fixed=""
	case "$1" in register_digest | reregister | wrong_password | mix)
		fixed=" --bench-fixed-nonce" ;;
	esac
	echo "$bin --lcores 0@0,1@1 --no-huge -m 1024 --no-pci --no-shconf" \
		"--file-prefix sfbench$$ --log-level=pmd.net.pcap:error" \
		"--vdev net_pcap0,rx_pcap=$pcaps/$1.pcap,infinite_rx=1" \
		"-- --config $pcaps/$1.json --ctl $run_dir/ctl.sock --bench-packets $2$fixed"
}

# check_counters CLASS LOGFILE PACKETS: the class's verdict must account for every frame.
check_counters() {
	local row v got
	row=$(class_row "$1")
	IFS='|' read -r _ _ v _ <<<"$row"
	[ "$v" = - ] && { echo unchecked; return 0; }
	got=$(sed -n '/stopped; counters/,$p' "$2" |
		awk -v ks="$v" 'BEGIN { n = split(ks, k, "+"); for (i = 1; i <= n; i++) want[k[i]] = 1 }
			$1 in want { sum += $2 } END { print sum + 0 }')
	local k zero=""
	for k in ${MUST_COUNT[$1]:-}; do
		sed -n '/stopped; counters/,$p' "$2" | awk -v k="$k" '$1 == k && $2 > 0 { f = 1 } END { exit !f }' ||
			zero="$zero $k"
	done
	if [ "${got:-0}" = "$3" ] && [ -z "$zero" ]; then
		echo ok
	else
		echo "bench.sh: $1: expected $v = $3 and non-zero${zero:- (none)}, counters were:" >&2
		sed -n '/stopped; counters/,$p' "$2" >&2
		echo FAILED
	fi
}

# timed_run CLASS PACKETS: prints the worker thread's on-CPU nanoseconds (schedstat), read
# until the daemon exits. The worker only busy-polls between launch and reaching PACKETS, and
# blocks afterwards, so this is the time the worker spent on exactly PACKETS frames (plus one
# config swap); start-up and shutdown are on the main lcore and excluded.
timed_run() {
	local pid tid="" ns=0 f
	# shellcheck disable=SC2046
	$(daemon_cmd "$1" "$2") >"$run_dir/log" 2>&1 &
	pid=$!
	while kill -0 "$pid" 2>/dev/null; do
		if [ -z "$tid" ]; then
			for f in /proc/"$pid"/task/*; do
				[ "$(cat "$f/comm" 2>/dev/null)" = rte-worker-1 ] && tid=${f##*/}
			done
		fi
		[ -n "$tid" ] && read -r f _ 2>/dev/null <"/proc/$pid/task/$tid/schedstat" && ns=$f
		sleep 0.005
	done
	wait "$pid" || { cat "$run_dir/log" >&2; echo "bench.sh: sipfastd failed" >&2; return 1; }
	echo "$ns"
}

# callgrind_run CLASS PACKETS: prints "total pmd" instructions per packet. Only worker_main
# and what it calls is collected; the PMD part is every instruction executed inside
# librte_net_pcap (RX copy from the replay ring, mbuf alloc, the dropping TX).
callgrind_run() {
	local f=$run_dir/cg.out
	# shellcheck disable=SC2046
	valgrind --tool=callgrind --toggle-collect=worker_main --callgrind-out-file="$f" \
		$(daemon_cmd "$1" "$2") >"$run_dir/cglog" 2>&1 ||
		{ cat "$run_dir/cglog" >&2; return 1; }
	cp "$f" "$out/callgrind.$1.out"
	callgrind_annotate --threshold=100 "$f" 2>/dev/null | awk -v n="$2" '
		/PROGRAM TOTALS/ { gsub(",", "", $1); total = $1 }
		/librte_net_pcap/ { gsub(",", "", $1); pmd += $1 }
		END { printf "%.0f %.0f\n", total / n, pmd / n }'
}

median() { sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

results=$out/results.tsv
printf 'class\tbest_mpps\tmedian_mpps\tinstr_total\tinstr_pmd\tinstr_app\tcheck\n' >"$results"
echo "sipfast bench: $rev_note, $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "1 worker on CPU 1 (main lcore on CPU 0), $runs runs x $packets frames per class," \
	"callgrind on $cg_packets frames; pcaps of $frames frames in $pcaps"
echo "Mpps = frames / worker on-CPU time; instr/pkt from callgrind, PMD = inside librte_net_pcap"
echo
printf '%-16s %10s %10s %11s %9s %9s  %s\n' class 'best Mpps' 'median' 'instr/pkt' 'PMD' 'app' check
status=0
for c in "${selected[@]}"; do
	mpps=()
	check=ok
	for ((r = 0; r < runs; r++)); do
		ns=$(timed_run "$c" "$packets") || { status=1; check=FAILED; break; }
		[ "$(check_counters "$c" "$run_dir/log" "$packets")" = FAILED ] && check=FAILED
		[ "$(check_counters "$c" "$run_dir/log" "$packets")" = unchecked ] && check=unchecked
		mpps+=("$(awk -v n="$packets" -v ns="$ns" 'BEGIN { printf "%.3f", (ns > 0) ? n * 1000 / ns : 0 }')")
	done
	best=$(printf '%s\n' "${mpps[@]}" | sort -g | tail -1)
	med=$(printf '%s\n' "${mpps[@]}" | median)
	total=- pmd=- app=-
	if [ "$cg_packets" -gt 0 ] && [ "$check" != FAILED ]; then
		read -r total pmd < <(callgrind_run "$c" "$cg_packets") || status=1
		app=$((total - pmd))
	fi
	[ "$check" = FAILED ] && status=1
	printf '%-16s %10s %10.3f %11s %9s %9s  %s\n' "$c" "$best" "$med" "$total" "$pmd" "$app" "$check"
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$c" "$best" "$med" "$total" "$pmd" "$app" "$check" \
		>>"$results"
done
echo
echo "one run: $(daemon_cmd CLASS N)"
echo "         (+ --bench-fixed-nonce for register_digest, reregister, wrong_password, mix)"
echo "results: $results"
if command -v gnuplot >/dev/null && [ "$smoke" = 0 ] && [ "$cg_packets" -gt 0 ]; then
	gnuplot -e "results='$results'; png='$out/results.png'" bench/plot.gnuplot &&
		echo "plot:    $out/results.png"
fi
exit $status
