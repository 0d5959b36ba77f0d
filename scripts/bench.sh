#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Per-class throughput and instructions per packet of one sipfastd worker, replaying pcaps
# made by scripts/bench_gen.py through net_pcap (infinite_rx=1; no tx argument, so net_pcap
# counts and frees what we transmit), then the same classes on two workers (scaling).
# Method and numbers: BENCHMARKS.md.
#
# Usage: scripts/bench.sh [--smoke] [--no-callgrind] [--no-scaling] [--scaling] [CLASS ...]
#   no CLASS      every enabled class of the table below, then the two-worker scaling pass
#   CLASS         run it even if disabled (a feature under test); --list shows the table
#   --smoke       CI mode: l2l4 and flood_unknown, short runs, finishes in well under 60 s
#   --scaling     also run the two-worker pass for the named classes that have one
#   --no-scaling  skip the two-worker pass
# Environment:
#   SF_BENCH_PACKETS  frames per timed run, every class (default: per class, the table's
#                     count, about 2 s of one worker; smoke 2000000)
#   SF_BENCH_RUNS     timed runs per class      (default 5; smoke 3; two workers: 3)
#   SF_BENCH_CG       frames per callgrind run  (default: per class, about 1e9 instructions;
#                     smoke 20000; 0 = skip)
#   SF_BENCH_FRAMES   distinct frames per pcap  (default 4096; smoke 1024)
#   SF_BENCH_REV      build this git revision (git archive, the index is untouched) instead
#                     of the working tree, e.g. SF_BENCH_REV=HEAD for reproducible numbers
#   SF_BENCH_DIR      build and output directory (default build-bench)
#   SF_BENCH_RESULTS  results file name in SF_BENCH_DIR (default results.tsv; smoke
#                     results-smoke.tsv)
# Output: the tables on stdout, $SF_BENCH_DIR/results.tsv (+ results-2w.tsv for two workers,
# + results.png when gnuplot is installed, drawn by bench/plot.gnuplot), results.rev (the
# revision measured), and the raw callgrind profiles callgrind.CLASS.out.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

# The traffic classes. Enable a class when its feature lands: set "on" and name the verdicts
# (joined by +) whose sum must equal the replayed frames (the run fails its check otherwise;
# steered frames are accounted for, see check_counters). A verdict the daemon does not count
# (yet) reads as 0: drop_l3_offender (the L3 offender memory, issue 14 item 1) is named in
# the flood classes before it lands, so the check holds before and after. packets = frames per timed run
# (about 2 s of one worker on the reference VM), cg = frames under callgrind (about 1e9
# instructions). ext = an external script (keepalive_1m: scripts/bench_keepalive.sh, another
# branch; off while the script is missing).
#   name | on/off/ext | verdicts summing to the frames | packets | cg | what one frame costs
FLOOD_V=sip_drop_unknown_register+sip_drop_unknown_invite+sip_drop_unknown_options+sip_drop_scanner_ua
# A call's frames: A's INVITE, B's responses, A's ACK and BYE (issue 13's call engine).
CALL_V=sip_invite_admitted+sip_call_response+sip_call_request
CLASSES=(
	"empty|on|rx_packets|50000000|200000|l2l4 pcap, sipfastd --bench-discard: RX burst, free, nothing else (the PMD's own cost)"
	"l2l4|on|drop_udp_port|40000000|200000|UDP to port 9: Ethernet, IPv4, UDP checksum, then dropped"
	"flood_unknown|on|$FLOOD_V|10000000|200000|scanner flood (OPTIONS/REGISTER/INVITE, unknown sources), scanned and silently dropped"
	"options_gateway|on|sip_replied_options|4000000|100000|OPTIONS from the configured gateway, 200 OK built and sent"
	"arp|on|arp_replied|40000000|200000|ARP who-has for our address, reply built and sent"
	"icmp|on|icmp_echo_replied|25000000|200000|ICMP echo request, reply built and sent"
	"sip_count|off|sip_received|10000000|200000|the flood_unknown pcap; before the scan path it was counted and freed"
	"register_digest|on|sip_register_ok|100000|20000|REGISTER with correct digest, 10,000 users, bind/unbind pairs: 200 OK, binding created or removed"
	"reregister|on|sip_register_ok|100000|20000|REGISTER with correct digest refreshing an existing binding: 200 OK"
	"wrong_password|on|sip_register_challenged+sip_drop_register_rejected+sip_register_rejected|3000000|50000|wrong-password storm: re-challenged, then final reject and lockout (silent)"
	"mix|on|$FLOOD_V+sip_replied_options+sip_register_ok|200000|100000|90% flood_unknown, 5% options_gateway, 5% reregister"
	"flood_repeat|on|$FLOOD_V+drop_l3_offender|10000000|200000|scanner flood from 40 sources (svmap-like, varied User-Agents): skimmed and dropped until each source is remembered at L3, then dropped after the IPv4 header"
	"flood_mix|on|$FLOOD_V+drop_l3_offender+sip_register_ok|100000|50000|90% flood_repeat, 10% reregister: every REGISTER must get its 200 (sip_register_ok = the pcap's REGISTERs, CLASS.expect)"
	"call_gateway|on|$CALL_V|139776|139776|a whole call, gateway to gateway by prefix (INVITE, 100, 180, 200, ACK, BYE, 200: 7 frames in per call), 64 calls at once"
	"call_phone|on|$CALL_V|139776|139776|the same call from a phone (10,000 accounts, not registered) whose INVITE carries a correct digest: verified through auth/, then routed"
	"keepalive_1m|ext|-|-|-|NAT keep-alive with 1M bindings into net_null (scripts/bench_keepalive.sh: its table, one row per spread mode)"
)
# The classes of the two-worker pass (each is also run on one worker in the same invocation).
SCALING=(l2l4 flood_unknown options_gateway register_digest)

# Counters that must be non-zero after a run of the class (the path it names was taken).
declare -A MUST_COUNT=(
	[register_digest]="reg_ok reg_removed"
	[reregister]="reg_ok"
	[wrong_password]="reg_challenges reg_fail_wrong reg_lockouts reg_fail_locked"
	[mix]="reg_ok sip_replied_options"
	[flood_mix]="reg_ok"
	[call_gateway]="call_answered"
	[call_phone]="call_answered"
)
# Counters that must equal an exact value per replay of the pcap: bench_gen.py writes them to
# CLASS.expect ("counter value" lines) beside the pcap; a class whose pcap has one is checked
# against it (flood_mix: sip_register_ok = the REGISTERs in the pcap, i.e. every one got its
# 200 inside the flood). Scaled by packets / frames, so only for pcaps replayed whole.
# Call classes: frames sipfastd receives per call (scripts/bench_calls.py FRAMES_PER_CALL), for
# the calls/s and instructions/call table. Their pcaps come from scripts/bench_calls.py.
declare -A CALL_FRAMES=([call_gateway]=7 [call_phone]=7)
# Frames in a class's pcap when it is not SF_BENCH_FRAMES: the digest classes replay their pcap
# once per run (packets = frames), because a looped pcap repeats verified (nonce, nc) pairs,
# which the registrar answers as retransmissions (GEN-3) or refuses as replays (HARDEN-7)
# (scripts/bench_gen.py). The two-worker pass gives the second queue a second file of as many
# frames (bench_gen.py --part 1).
declare -A FRAMES_OF=([register_digest]=100000 [reregister]=100000 [mix]=200000 [flood_mix]=100000
	[call_gateway]=139776 [call_phone]=139776)
# A call pcap carries the tokens sipfastd mints for each call's slot and generation
# (--bench-fixed-tokens); a looped pcap would replay stale generations, so it is replayed
# once per run too (19,968 calls: 312 waves of 64, 7 frames each).
# The pcap a class replays when it is not its own.
declare -A PCAP_OF=([empty]=l2l4 [sip_count]=flood_unknown)
# Extra daemon options per class (benchmark only). The digest classes replay digests
# precomputed over the nonces a fixed key and a frozen clock give (scripts/bench_nonce.py
# nonce_for(), used by bench_gen.py).
declare -A EXTRA_OPTS=(
	[empty]=--bench-discard
	[register_digest]=--bench-fixed-nonce
	[reregister]=--bench-fixed-nonce
	[wrong_password]=--bench-fixed-nonce
	[mix]=--bench-fixed-nonce
	[flood_mix]=--bench-fixed-nonce
	[call_gateway]=--bench-fixed-tokens
	[call_phone]="--bench-fixed-nonce --bench-fixed-tokens"
)
keepalive_script=scripts/bench_keepalive.sh

smoke=0
callgrind=1
scaling=auto
want=()
for a in "$@"; do
	case "$a" in
	--smoke) smoke=1 ;;
	--no-callgrind) callgrind=0 ;;
	--scaling) scaling=1 ;;
	--no-scaling) scaling=0 ;;
	--list)
		printf '%-16s %-4s %9s %7s  %s\n' class on packets cg 'what (verdicts checked)'
		for row in "${CLASSES[@]}"; do
			IFS='|' read -r n on v pk cg d <<<"$row"
			[ "$on" = ext ] && { [ -x "$keepalive_script" ] && on=on || on=off; }
			printf '%-16s %-4s %9s %7s  %s (%s)\n' "$n" "$on" "$pk" "$cg" "$d" "$v"
		done
		echo "two-worker pass: ${SCALING[*]}"
		exit 0
		;;
	-h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	-*) echo "bench.sh: unknown option $a (try --help)" >&2; exit 2 ;;
	*) want+=("$a") ;;
	esac
done

if [ "$smoke" = 1 ]; then
	runs=${SF_BENCH_RUNS:-3}
	frames=${SF_BENCH_FRAMES:-1024}
	[ ${#want[@]} -gt 0 ] || want=(l2l4 flood_unknown)
	[ "$scaling" = 1 ] || scaling=0
else
	runs=${SF_BENCH_RUNS:-5}
	frames=${SF_BENCH_FRAMES:-4096}
fi
# The two-worker pass runs by default only with the whole table.
[ "$scaling" = auto ] && { [ ${#want[@]} -eq 0 ] && scaling=1 || scaling=0; }
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
class_field() { # CLASS N: field N (1-based) of the class's row
	class_row "$1" | cut -d'|' -f"$2"
}
# Frames per timed run and per callgrind run of a class.
class_packets() {
	if [ "$smoke" = 1 ]; then echo "${SF_BENCH_PACKETS:-2000000}"; else echo "${SF_BENCH_PACKETS:-$(class_field "$1" 4)}"; fi
}
class_cg() {
	[ "$callgrind" = 1 ] || { echo 0; return; }
	if [ "$smoke" = 1 ]; then echo "${SF_BENCH_CG:-20000}"; else echo "${SF_BENCH_CG:-$(class_field "$1" 5)}"; fi
}
pcap_of() { echo "${PCAP_OF[$1]:-$1}"; }
class_frames() { echo "${FRAMES_OF[$(pcap_of "$1")]:-$frames}"; }
# Directory of a class's pcaps: cached by generator hash and frame count, never in git.
pcap_dir() { echo "$out/pcap/$gen_key-$(class_frames "$1")"; }

# Which classes run.
selected=()
run_ka=0
if [ ${#want[@]} -eq 0 ]; then
	for row in "${CLASSES[@]}"; do
		IFS='|' read -r n on _ <<<"$row"
		case "$on" in
		on) selected+=("$n") ;;
		ext) run_ka=1 ;;
		esac
	done
else
	for n in "${want[@]}"; do
		row=$(class_row "$n") || { echo "bench.sh: no class $n (try --list)" >&2; exit 2; }
		IFS='|' read -r _ on _ <<<"$row"
		[ "$on" = ext ] && { run_ka=1; continue; }
		[ "$on" = on ] || echo "bench.sh: note: $n is disabled in the table; running it anyway" >&2
		selected+=("$n")
	done
fi
scaled=()
if [ "$scaling" = 1 ]; then
	for n in "${SCALING[@]}"; do
		[[ " ${selected[*]} " == *" $n "* ]] && scaled+=("$n")
	done
fi

# NAT keep-alive with 1M bindings: another engineer's script (scripts/bench_keepalive.sh,
# the daemon's --bench-ka-bindings), given this run's binary when there is one; prints its
# summary (its stdout: a table, one row per spread mode). Off while the script is missing.
run_keepalive() {
	local err
	err=$(mktemp)
	echo
	if [ -x "$keepalive_script" ]; then
		echo "keepalive_1m: $keepalive_script (${SF_KA_BENCH_BINDINGS:-1000000} NAT bindings into net_null)"
		if ! SF_BENCH_DIR=$out SF_SIPFASTD=${bin:-${SF_SIPFASTD:-}} "$keepalive_script" \
			2>"$err" | grep -v '^[[:space:]]*$' | sed 's/^/  /'; then
			status=1
			cat "$err" >&2
			echo "keepalive_1m: FAILED ($keepalive_script)"
		fi
	else
		echo "keepalive_1m: off ($keepalive_script is not in this tree yet)"
	fi
	rm -f "$err"
}
status=0
if [ ${#selected[@]} -eq 0 ]; then # only keepalive_1m: nothing to build, no table to replace
	[ "$run_ka" = 1 ] && run_keepalive
	exit $status
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
# Both scripts make the pcaps (bench_gen.py imports bench_nonce.py): a change to either is new.
gen_key=$(cat scripts/bench_gen.py scripts/bench_nonce.py scripts/bench_calls.py | sha1sum | cut -c1-12)
pcaps=$out/pcap/$gen_key-$frames
scaling_set=" ${SCALING[*]} "
for c in "${selected[@]}"; do
	p=$(pcap_of "$c")
	d=$(pcap_dir "$c")
	gen=scripts/bench_gen.py
	[ -n "${CALL_FRAMES[$p]:-}" ] && gen=scripts/bench_calls.py
	[ -s "$d/$p.pcap" ] || $gen --frames "$(class_frames "$c")" --outdir "$d" "$p"
	# The two-worker pass's second queue: its own frames where a repeat would be a
	# retransmission (the digest classes), the same file otherwise.
	if [ "$scaling" = 1 ] && [[ "$scaling_set" == *" $c "* ]] && [ -n "${FRAMES_OF[$p]:-}" ] &&
	   [ ! -s "$d/$p.q1.pcap" ]; then
		scripts/bench_gen.py --frames "$(class_frames "$c")" --part 1 --outdir "$d" "$p"
	fi
done

# --- One run of the daemon. ---
run_dir=$(mktemp -d /tmp/sf-bench.XXXXXX)
trap 'rm -rf "$run_dir"' EXIT

# daemon_cmd CLASS PACKETS [WORKERS]: the exact command line (also printed in the report).
# One worker: lcore 1 on CPU 1, the main lcore on CPU 0. Two workers: lcore 2 shares CPU 0
# with the main lcore (which sleeps in poll() between control requests), and the net_pcap
# vdev gets one rx_pcap= per worker, i.e. one RX queue each (net_pcap has no RSS: every queue
# replays the whole file).
daemon_cmd() {
	local p d lcores="0@0,1@1" rx
	p=$(pcap_of "$1")
	d=$(pcap_dir "$1")
	rx="rx_pcap=$d/$p.pcap"
	if [ "${3:-1}" = 2 ]; then
		lcores="0@0,1@1,2@0"
		if [ -s "$d/$p.q1.pcap" ]; then rx="$rx,rx_pcap=$d/$p.q1.pcap"; else rx="$rx,rx_pcap=$d/$p.pcap"; fi
	fi
	echo "$bin --lcores $lcores --no-huge -m 3072 --no-pci --no-shconf" \
		"--file-prefix sfbench$$ --log-level=pmd.net.pcap:error" \
		"--vdev net_pcap0,$rx,infinite_rx=1" \
		"-- --config $d/$p.json --ctl $run_dir/ctl.sock --bench-packets $2" \
		"${EXTRA_OPTS[$1]:-}"
}

# counter LOGFILE NAME: the value the daemon printed at exit (summed over workers), 0 if absent.
counter() {
	sed -n '/stopped; counters/,$p' "$1" | awk -v k="$2" '$1 == k { s += $2 } END { print s + 0 }'
}

# served CLASS LOGFILE: the frames that got one of the class's verdicts (i.e. were served, not
# lost on the way to their owner worker).
served() {
	local v k n=0
	v=$(class_field "$1" 3)
	for k in ${v//+/ }; do
		n=$((n + $(counter "$2" "$k")))
	done
	echo "$n"
}

# check_counters CLASS LOGFILE PACKETS [WORKERS]: the class's verdicts must account for every
# frame received: verdicts + steered + drop_steer_full_source + drop_steer_full_paid -
# rx_steered_in = WORKERS x PACKETS
# (a frame handed to its owner worker counts "steered" where it arrived and its verdict where
# it is served; with one worker the three steering counters are 0).
check_counters() {
	local row v got k zero="" expect=$(($3 * ${4:-1}))
	row=$(class_row "$1")
	IFS='|' read -r _ _ v _ <<<"$row"
	[ "$v" = - ] && { echo unchecked; return 0; }
	got=0
	for k in ${v//+/ } steered drop_steer_full_source drop_steer_full_paid; do
		got=$((got + $(counter "$2" "$k")))
	done
	got=$((got - $(counter "$2" rx_steered_in)))
	for k in ${MUST_COUNT[$1]:-}; do
		[ "$(counter "$2" "$k")" -gt 0 ] || zero="$zero $k"
	done
	local ef want have kk per
	ef="$(pcap_dir "$1")/$(pcap_of "$1").expect"
	if [ -s "$ef" ]; then
		while read -r kk per; do
			want=$((per * $3 * ${4:-1} / $(class_frames "$1")))
			have=$(counter "$2" "$kk")
			[ "$have" = "$want" ] || zero="$zero $kk=$have(want $want)"
		done <"$ef"
	fi
	if [ "$got" = "$expect" ] && [ -z "$zero" ]; then
		echo ok
	else
		echo "bench.sh: $1: expected $v (+ steering) = $expect, non-zero or exact (CLASS.expect):${zero:- (none)};" \
			"counters were:" >&2
		sed -n '/stopped; counters/,$p' "$2" >&2
		echo FAILED
	fi
}

# timed_run CLASS PACKETS [WORKERS]: prints each worker thread's on-CPU nanoseconds
# (schedstat), read until the daemon exits. A worker only busy-polls between launch and
# reaching PACKETS, and blocks afterwards, so this is the time it spent on exactly PACKETS
# frames (plus one config swap, plus what other workers steered to it); start-up and shutdown
# are on the main lcore and excluded.
timed_run() {
	local pid nw=${3:-1} f i
	local -a tid=() tns=()
	# shellcheck disable=SC2046,SC2091
	$(daemon_cmd "$1" "$2" "$nw") >"$run_dir/log" 2>&1 &
	pid=$!
	while kill -0 "$pid" 2>/dev/null; do
		if [ ${#tid[@]} -lt "$nw" ]; then
			for f in /proc/"$pid"/task/*; do
				for ((i = 1; i <= nw; i++)); do
					[ "$(cat "$f/comm" 2>/dev/null)" = rte-worker-$i ] && tid[i]=${f##*/}
				done
			done
		fi
		for ((i = 1; i <= nw; i++)); do
			[ -n "${tid[i]:-}" ] && read -r f _ 2>/dev/null <"/proc/$pid/task/${tid[i]}/schedstat" &&
				tns[i]=$f
		done
		sleep 0.005
	done
	wait "$pid" || { cat "$run_dir/log" >&2; echo "bench.sh: sipfastd failed" >&2; return 1; }
	for ((i = 1; i <= nw; i++)); do printf '%s ' "${tns[i]:-0}"; done
	echo
}

# callgrind_run CLASS PACKETS: prints "total pmd" instructions per packet. Only the worker
# loop (loop_main, or bench_discard_main for --bench-discard; worker_main and
# worker_discard_main before the module seam, so SF_BENCH_REV can measure older revisions)
# and what it calls is collected; the PMD part is every instruction executed inside librte_net_pcap (RX copy from
# the replay ring, mbuf alloc, the dropping TX).
callgrind_run() {
	local f=$run_dir/cg.out
	# shellcheck disable=SC2046
	valgrind --tool=callgrind --toggle-collect=loop_main --toggle-collect=worker_main \
		--toggle-collect=bench_discard_main --toggle-collect=worker_discard_main \
		--callgrind-out-file="$f" \
		$(daemon_cmd "$1" "$2") >"$run_dir/cglog" 2>&1 ||
		{ cat "$run_dir/cglog" >&2; return 1; }
	cp "$f" "$out/callgrind.$1.out"
	callgrind_annotate --threshold=100 "$f" 2>/dev/null | awk -v n="$2" '
		/PROGRAM TOTALS/ { gsub(",", "", $1); total = $1 }
		/librte_net_pcap/ { gsub(",", "", $1); pmd += $1 }
		END { printf "%.0f %.0f\n", total / n, pmd / n }'
}

median() { sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

t_start=$(date +%s)
default_results=results.tsv
[ "$smoke" = 1 ] && default_results="results-smoke.tsv" # a smoke run never replaces the table
results=$out/${SF_BENCH_RESULTS:-$default_results}
printf 'class\tbest_mpps\tmedian_mpps\tinstr_total\tinstr_pmd\tinstr_app\tcheck\n' >"$results"
echo "$rev_note" >"${results%.tsv}.rev"
load=$(cut -d' ' -f1-3 /proc/loadavg)
echo "sipfast bench: $rev_note, $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load average $load at start"
echo "1 worker on CPU 1 (main lcore on CPU 0), $runs runs per class;" \
	"pcaps of $frames frames in $pcaps (digest classes: their own frame counts, replayed once per run)"
echo "Mpps = frames / worker on-CPU time; instr/pkt from callgrind, PMD = inside librte_net_pcap"
echo
printf '%-16s %9s %10s %10s %11s %9s %9s  %s\n' class frames 'best Mpps' 'median' 'instr/pkt' 'PMD' 'app' check
declare -A MED1=() INSTR1=()
for c in "${selected[@]}"; do
	packets=$(class_packets "$c")
	cg_packets=$(class_cg "$c")
	mpps=()
	check=ok
	for ((r = 0; r < runs; r++)); do
		cpu_ns=$(timed_run "$c" "$packets") || { status=1; check=FAILED; break; }
		case "$(check_counters "$c" "$run_dir/log" "$packets")" in
		FAILED) check=FAILED ;;
		unchecked) check=unchecked ;;
		esac
		mpps+=("$(awk -v n="$packets" -v ns="$cpu_ns" 'BEGIN { printf "%.3f", (ns > 0) ? n * 1000 / ns : 0 }')")
	done
	best=$(printf '%s\n' "${mpps[@]}" | sort -g | tail -1)
	med=$(printf '%s\n' "${mpps[@]}" | median)
	MED1[$c]=$med
	total=- pmd=- app=-
	if [ "$cg_packets" -gt 0 ] && [ "$check" != FAILED ]; then
		read -r total pmd < <(callgrind_run "$c" "$cg_packets") || status=1
		app=$((total - pmd))
	fi
	[ "$check" = FAILED ] && status=1
	INSTR1[$c]=$total
	printf '%-16s %9s %10s %10.3f %11s %9s %9s  %s\n' "$c" "$packets" "$best" "$med" "$total" \
		"$pmd" "$app" "$check"
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$c" "$best" "$med" "$total" "$pmd" "$app" "$check" \
		>>"$results"
done
echo
echo "one run: $(daemon_cmd CLASS N)"
echo "         (+ --bench-fixed-nonce for register_digest, reregister, wrong_password, mix, flood_mix;" \
	"--bench-discard for empty, which replays the l2l4 pcap; --bench-fixed-tokens for call_*," \
	"and --bench-fixed-nonce too for call_phone)"

# --- Call classes: the same runs per call (frames per call from scripts/bench_calls.py). ---
calls_hdr=0
for c in "${selected[@]}"; do
	fpc=${CALL_FRAMES[$c]:-}
	[ -n "$fpc" ] || continue
	if [ "$calls_hdr" = 0 ]; then
		calls_hdr=1
		echo
		echo "Calls (1 worker): calls/s = median Mpps x 10^6 / frames per call; instr/call =" \
			"instr/pkt x frames per call (targets: >= 200,000 calls/s per core, <= 30,000 instr/call)"
		printf '%-16s %9s %12s %12s\n' class frames/call calls/s instr/call
		printf 'class\tframes_per_call\tcalls_per_s\tinstr_per_call\n' >"${results%.tsv}-calls.tsv"
	fi
	cps=$(awk -v m="${MED1[$c]}" -v f="$fpc" 'BEGIN { printf "%.0f", m * 1e6 / f }')
	ipc=-
	[ "${INSTR1[$c]:--}" != - ] && ipc=$((INSTR1[$c] * fpc))
	printf '%-16s %9s %12s %12s\n' "$c" "$fpc" "$cps" "$ipc"
	printf '%s\t%s\t%s\t%s\n' "$c" "$fpc" "$cps" "$ipc" >>"${results%.tsv}-calls.tsv"
done

# --- Two workers: the same pcaps, one RX queue per worker. ---
if [ ${#scaled[@]} -gt 0 ]; then
	runs2=${SF_BENCH_RUNS:-3}
	[ "$runs2" -le 3 ] || runs2=3
	results2=${results%.tsv}-2w.tsv
	printf 'class\tw1_mpps\tw2_mpps\ttotal_mpps\tone_worker_mpps\tefficiency\tsteered_pct\tsteer_full\tcheck\n' >"$results2"
	echo
	echo "Two workers (lcore 1 on CPU 1, lcore 2 on CPU 0 with the main lcore), $runs2 runs per" \
		"class, each worker receives the class's frames on its own RX queue. This 2-CPU VM"
	echo "caps what can be shown: the second worker shares CPU 0 with the main lcore and every" \
		"other process. Per worker Mpps = frames it received / its on-CPU time; total = frames"
	echo "served (the class's verdicts, so frames lost to a full steering ring do not count) /" \
		"the slower worker's on-CPU time (the rate if each worker had a core to itself);"
	echo "efficiency = total / (2 x the 1-worker median above)."
	echo
	printf '%-16s %9s %9s %9s %10s %10s %10s %9s %10s  %s\n' class frames 'w1 Mpps' 'w2 Mpps' \
		'total' '1w median' efficiency steered 'ring full' check
	for c in "${scaled[@]}"; do
		packets=$(class_packets "$c")
		tot=() w1=() w2=()
		check=ok steered=0 full=0
		for ((r = 0; r < runs2; r++)); do
			cpu_ns=$(timed_run "$c" "$packets" 2) || { status=1; check=FAILED; break; }
			[ "$(check_counters "$c" "$run_dir/log" "$packets" 2)" = FAILED ] && check=FAILED
			read -r a b <<<"$cpu_ns"
			w1+=("$(awk -v n="$packets" -v ns="$a" 'BEGIN { printf "%.3f", (ns > 0) ? n * 1000 / ns : 0 }')")
			w2+=("$(awk -v n="$packets" -v ns="$b" 'BEGIN { printf "%.3f", (ns > 0) ? n * 1000 / ns : 0 }')")
			n=$(served "$c" "$run_dir/log")
			tot+=("$(awk -v n="$n" -v a="$a" -v b="$b" 'BEGIN { m = (a > b) ? a : b; printf "%.3f", (m > 0) ? n * 1000 / m : 0 }')")
			steered=$(counter "$run_dir/log" steered)
			full="$(counter "$run_dir/log" drop_steer_full_source)/$(counter "$run_dir/log" drop_steer_full_paid)"
		done
		[ "$check" = FAILED ] && status=1
		mw1=$(printf '%s\n' "${w1[@]}" | median)
		mw2=$(printf '%s\n' "${w2[@]}" | median)
		mt=$(printf '%s\n' "${tot[@]}" | median)
		one=${MED1[$c]:-0}
		eff=$(awk -v t="$mt" -v o="$one" 'BEGIN { printf "%.2f", (o > 0) ? t / (2 * o) : 0 }')
		spct=$(awk -v s="$steered" -v n="$packets" 'BEGIN { printf "%.0f%%", 100 * s / (2 * n) }')
		printf '%-16s %9s %9.3f %9.3f %10.3f %10.3f %10s %9s %10s  %s\n' "$c" "$packets" "$mw1" \
			"$mw2" "$mt" "$one" "$eff" "$spct" "$full" "$check"
		printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$c" "$mw1" "$mw2" "$mt" "$one" "$eff" \
			"$spct" "$full" "$check" >>"$results2"
	done
	echo "(steered = frames handed to their owner worker, share of all received, last run;" \
		"ring full = of those, dropped because the owner's ring was full, last run:" \
		"before any work (rule S, drop_steer_full_source) / after paid work (drop_steer_full_paid))"
	echo "one run: $(daemon_cmd CLASS N 2)"
fi

# --- NAT keep-alive with 1M bindings: another script (scripts/bench_keepalive.sh). ---
[ "$run_ka" = 1 ] && run_keepalive

echo
echo "results: $results${scaled[0]:+ and ${results%.tsv}-2w.tsv} (revision $rev_note," \
	"$(($(date +%s) - t_start)) s)"
if command -v gnuplot >/dev/null && [ "$smoke" = 0 ] && [ "$callgrind" = 1 ]; then
	r2=""
	[ ${#scaled[@]} -gt 0 ] && r2="results2='${results%.tsv}-2w.tsv'; "
	gnuplot -e "results='$results'; ${r2}png='$out/results.png'" bench/plot.gnuplot &&
		echo "plot:    $out/results.png"
fi
exit $status
