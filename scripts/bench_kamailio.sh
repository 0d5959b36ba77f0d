#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# sipfastd vs Kamailio 5.6 on the same machine in the same run: messages handled per
# CPU-second. Kamailio (Debian package, bench/kamailio.cfg, one UDP worker) listens on
# 127.0.0.1; bench/blaster.c replays the UDP payloads of the same bench_gen.py pcaps with
# sendmmsg at a bounded rate. sipfastd's figure comes from scripts/bench.sh on the same pcaps
# (reused from $SF_BENCH_DIR/results.tsv when it was measured at the same revision).
#
# Usage: scripts/bench_kamailio.sh [CLASS ...]
#        (default: flood_unknown flood_repeat flood_mix options_gateway register_digest
#        call_gateway)
# Environment:
#   SF_KAM_COUNT  messages per class   (default 300000; register_digest 100000)
#   SF_KAM_RATE   messages per second  (default 30000; register_digest 10000; near or below
#                 Kamailio's saturation, so few messages are lost in the socket buffer; 0 =
#                 as fast as the blaster can)
#   SF_KAM_PORT   Kamailio's UDP port  (default 5070)
#   SF_KAM_MEM    Kamailio memory managers to run, one Kamailio each (default "tlsf qm":
#                 tlsf, the fast one a tuned deployment picks, then qm, what Debian's
#                 kamailio uses when -x/-X are not given; qm's malloc dominates its profile)
#   SF_KAM_CALLS  calls of the call class (default 10000)
#   SF_KAM_CPS    calls per second the sipp UAC places (default 300: this 2-CPU VM runs
#                 both sipps and Kamailio; under load sipp itself times calls out above it)
#   SF_KAM_CALLGRIND  1 = also run the call class's Kamailio under callgrind (every process,
#                 --trace-children) for SF_KAM_CG_CALLS calls (default 200) at 5 calls/s:
#                 instructions per call
#   SF_BENCH_DIR  where bench.sh builds and keeps its pcaps (default build-bench)
#   SF_BENCH_REV  passed to bench.sh (e.g. HEAD)
#
# Per class: Kamailio CPU-seconds = utime+stime of every kamailio process (/proc/PID/stat,
# all of them: UDP worker, timers, ctl, main) before/after; messages handled = the delta of
# Kamailio's core counter rcv_requests (kamcmd stats.get_statistics), for register_digest the
# delta of the config's bench_register_ok (digest verified, binding saved, 200 sent). Loopback
# delivery work done in the blaster's softirq context is not charged to Kamailio (it favours
# Kamailio).
#
# The flood classes (flood_unknown, flood_repeat, flood_mix) are sent from their frames' own
# source addresses moved into loopback (blaster -S, a.b.c.d -> 127.b.c.d), and Kamailio runs
# pike first in its route (bench/kamailio.cfg): the same remembering sipfastd's L3 offender
# memory does, so flood_repeat's 40 scanners are blocked by both, flood_unknown's 4,096
# sources (each under pike's rate at SF_KAM_RATE) by neither. flood_mix: the REGISTERs of
# the phones inside the flood must all be answered 200 (bench_register_ok against the
# REGISTERs sent, printed per class).
#
# register_digest: Kamailio must verify nonces it issued itself. After Kamailio starts,
# bench_gen.py --challenge sends each user's first REGISTER without credentials, takes the
# nonce of Kamailio's 401 (auth module, fixed secret, nonce_expire one day) and computes the
# digests of the pcap over it; the blaster then replays those correct-digest REGISTERs (bind,
# unbind pairs, the same users, passwords, realm and message layout as sipfastd's pcap).
#
# call_gateway (issue 13): Kamailio with tm + dialog + rr (bench/kamailio_call.cfg: the
# trusted gateway's INVITE routed by the longest prefix of the called number to the called
# gateway, record-routed, the dialog tracked) between two sipp instances on loopback: the
# calling gateway (127.0.0.2:5060, bench/sipp_call_uac.xml) and the called one (127.0.0.3:5080,
# bench/sipp_call_uas.xml), the same sequence as scripts/bench_calls.py writes for sipfastd
# (INVITE with SDP, 100, 180, 200 with SDP, ACK, BYE, 200). Handled = calls Kamailio saw
# answered (its bench_calls_answered) whose BYE it relayed; Kamailio CPU-seconds as above
# (sipp's CPU is not counted). sipfastd's calls/s per core comes from bench.sh's call table
# (results-calls.tsv).
set -euo pipefail
cd "$(dirname "$0")/.."

count=${SF_KAM_COUNT:-300000}
rate=${SF_KAM_RATE:-30000}
port=${SF_KAM_PORT:-5070}
mems=${SF_KAM_MEM:-tlsf qm}
out=${SF_BENCH_DIR:-build-bench}
classes=("$@")
[ ${#classes[@]} -gt 0 ] || classes=(flood_unknown flood_repeat flood_mix options_gateway register_digest
	call_gateway)
# Call classes run between two sipp instances (run_calls below), the others from the blaster.
call_classes=() msg_classes=()
for c in "${classes[@]}"; do
	case "$c" in
	call_*) call_classes+=("$c") ;;
	*) msg_classes+=("$c") ;;
	esac
done
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
uas_pid=
cleanup() {
	[ -n "$uas_pid" ] && kill "$uas_pid" 2>/dev/null && wait "$uas_pid" 2>/dev/null
	[ -n "$kpid" ] && kill "$kpid" 2>/dev/null && wait "$kpid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

cc -O2 -Wall -o "$work/blaster" bench/blaster.c

# sipfastd on the same pcaps first (its classes that have landed): the 1-worker medians of
# a full bench.sh run at this revision when there is one, else 3 timed runs each.
rev_now=$(git describe --always --dirty 2>/dev/null || echo unknown)
[ -n "${SF_BENCH_REV:-}" ] && rev_now=$(git rev-parse --short "$SF_BENCH_REV")
sf_results=$out/results.tsv
sf_classes=()
for c in "${classes[@]}"; do
	scripts/bench.sh --list | awk -v c="$c" '$1 == c && $2 == "on"' | grep -q . || continue
	if [ "$(cat "$out/results.rev" 2>/dev/null)" = "$rev_now" ] &&
		awk -F'\t' -v c="$c" '$1 == c && $7 == "ok" { f = 1 } END { exit !f }' "$sf_results"; then
		continue
	fi
	sf_classes+=("$c")
done
if [ ${#sf_classes[@]} -gt 0 ]; then
	sf_results=$out/results-kamailio.tsv
	SF_BENCH_RESULTS=results-kamailio.tsv SF_BENCH_RUNS=${SF_BENCH_RUNS:-3} \
		scripts/bench.sh --no-callgrind --no-scaling "${sf_classes[@]}" >&2
	# Classes that the full run had at this revision, next to the ones just measured.
	if [ "$(cat "$out/results.rev" 2>/dev/null)" = "$rev_now" ]; then
		tail -n +2 "$out/results.tsv" >>"$sf_results"
	fi
fi
echo "sipfastd figures from $sf_results (revision $rev_now)" >&2
# The pcaps of every class (also the ones sipfastd cannot run yet), and the user table that
# register_digest's config gives sipfastd, for Kamailio's htable.
frames=${SF_BENCH_FRAMES:-4096}
pcaps=$out/pcap/kamailio-$(cat scripts/bench_gen.py scripts/bench_nonce.py | sha1sum | cut -c1-12)-$frames
scripts/bench_gen.py --frames "$frames" --outdir "$pcaps" "${msg_classes[@]}" register_digest
mkdir -p "$work/db"
/usr/bin/python3 - "$pcaps/register_digest.json" >"$work/db/htable" <<'PY'
import json, sys
print("id(int,auto) key_name(string) key_type(int) value_type(int) key_value(string) "
      "expires(int)")
for i, a in enumerate(json.load(open(sys.argv[1]))["accounts"]):
    print("%d:%s:0:0:%s:0" % (i + 1, a["user"], a["password"]))
PY

sed -e "s|@LISTEN@|udp:127.0.0.1:$port|" -e "s|@CTL@|unix:$work/kamailio_ctl|" \
	-e "s|@GATEWAY@|$gateway|" -e "s|@DBDIR@|$work/db|" bench/kamailio.cfg \
	>"$work/kamailio.cfg"
kamailio -f "$work/kamailio.cfg" -c >"$work/check.log" 2>&1 ||
	{ cat "$work/check.log" >&2; exit 1; }

# kam_start MEM: Kamailio with memory manager MEM for shm and pkg, then (for register_digest)
# digests over the nonces this Kamailio issued (one challenge per user).
kam_start() {
	rm -f "$work/kamailio_ctl"
	kamailio -f "$work/kamailio.cfg" -x "$1" -X "$1" -DD -E -P "$work/kamailio.pid" \
		-Y "$work" >"$work/kamailio.log" 2>&1 &
	kpid=$!
	for _ in $(seq 50); do
		[ -S "$work/kamailio_ctl" ] && break
		sleep 0.1
	done
	[ -S "$work/kamailio_ctl" ] || { cat "$work/kamailio.log" >&2; exit 1; }
	local c
	for c in register_digest flood_mix; do
		[[ " ${msg_classes[*]} " == *" $c "* ]] || continue
		scripts/bench_gen.py --frames "$frames" --challenge "127.0.0.1:$port" \
			--outdir "$pcaps" "$c"
	done
}
kam_stop() {
	{ kill "$kpid" 2>/dev/null && wait "$kpid" 2>/dev/null; } || true
	kpid=
}

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

# Wait until Kamailio is idle (no CPU tick in 0.5 s; at most 10 s), so start-up work, a
# challenge round or the previous class's backlog is not charged to the next class.
kam_settle() {
	local a b
	for _ in $(seq 20); do
		a=$(kam_ticks)
		sleep 0.5
		b=$(kam_ticks)
		[ "$a" = "$b" ] && return 0
	done
	echo "bench_kamailio.sh: Kamailio still busy after 10 s (ticks $a -> $b)" >&2
}

hz=$(getconf CLK_TCK)
[ ${#msg_classes[@]} -gt 0 ] || mems_msg=""
for mem in ${mems_msg-$mems}; do
	kam_start "$mem"
	printf '\nKamailio memory manager %s (-x %s -X %s)\n' "$mem" "$mem" "$mem"
	printf '%-16s %9s %9s %11s %13s %13s %8s\n' class sent handled 'kam CPU-s' \
		'kam msg/CPU-s' 'sf msg/CPU-s' ratio
	for c in "${msg_classes[@]}"; do
		srcopt="-s 127.0.0.1"
		[ "$c" = options_gateway ] && srcopt="-s $gateway"
		case "$c" in flood_*) srcopt=-S ;; esac
		n=$count r=$rate key=rcv_requests
		if [ "$c" = register_digest ]; then
			n=${SF_KAM_COUNT:-100000} r=${SF_KAM_RATE:-10000} key=bench_register_ok
		fi
		kam_settle
		t0=$(kam_ticks)
		r0=$(kam_stat $key)
		c0=$(kam_stat bench_register_challenged)
		ok0=$(kam_stat bench_register_ok)
		p0=$(kam_stat bench_pike_dropped)
		sent=$("$work/blaster" -f "$pcaps/$c.pcap" -d 127.0.0.1 -p "$port" -n "$n" \
			-r "$r" $srcopt | awk '{ print $2 }')
		sleep 1 # let Kamailio drain its socket buffer
		t1=$(kam_ticks)
		r1=$(kam_stat $key)
		c1=$(kam_stat bench_register_challenged)
		handled=$((r1 - r0))
		if [ "$c" = flood_mix ]; then
			# Every REGISTER inside the flood must be answered 200 (the class's check).
			regs=$(awk -v n="$sent" -v f="$frames" '$1 == "sip_register_ok" { printf "%d", $2 * n / f }' \
				"$pcaps/flood_mix.expect")
			echo "bench_kamailio.sh: flood_mix: Kamailio answered 200 to" \
				"$(($(kam_stat bench_register_ok) - ok0)) of ~$regs REGISTERs inside the flood;" \
				"pike dropped $(($(kam_stat bench_pike_dropped) - p0))" >&2
		fi
		[ "$c" = flood_repeat ] && echo "bench_kamailio.sh: flood_repeat: pike dropped" \
			"$(($(kam_stat bench_pike_dropped) - p0)) of $sent" >&2
		[ "$c" = register_digest ] && [ "$c1" != "$c0" ] &&
			echo "bench_kamailio.sh: register_digest: $((c1 - c0)) REGISTERs re-challenged" \
				"(digest or nonce refused); they are not counted as handled" >&2
		cpu=$(awk -v t="$((t1 - t0))" -v hz="$hz" 'BEGIN { printf "%.2f", t / hz }')
		kam=$(awk -v n="$handled" -v s="$cpu" 'BEGIN { printf "%.0f", (s > 0) ? n / s : 0 }')
		sf=$(awk -F'\t' -v c="$c" '$1 == c && $7 == "ok" { printf "%.0f", $3 * 1e6; exit }' \
			"$sf_results" 2>/dev/null)
		ratio=-
		[ -n "$sf" ] && [ "$kam" -gt 0 ] && ratio=$(awk -v a="$sf" -v b="$kam" 'BEGIN { printf "%.0fx", a / b }')
		printf '%-16s %9s %9s %11s %13s %13s %8s\n' "$c" "$sent" "$handled" "$cpu" "$kam" \
			"${sf:-n/a}" "$ratio"
	done
	echo "Kamailio's own counters: unknown dropped=$(kam_stat bench_unknown_dropped)" \
		"options answered=$(kam_stat bench_options_answered)" \
		"register ok=$(kam_stat bench_register_ok)" \
		"register challenged=$(kam_stat bench_register_challenged)" \
		"pike dropped=$(kam_stat bench_pike_dropped)" \
		"(register challenged includes the one challenge per user collected first)"
	kam_stop
done
if [ ${#msg_classes[@]} -gt 0 ]; then
	echo
	echo "Kamailio $kam_version: kamailio -f bench/kamailio.cfg -x MEM -X MEM -DD -E (children=1," \
		"listen udp:127.0.0.1:$port; MEM: $mems)"
	echo "blaster: bench/blaster.c -f PCAP -d 127.0.0.1 -p $port -n COUNT -r RATE -s SRC | -S" \
		"(-S for flood_*: each frame's own source, a.b.c.d -> 127.b.c.d; SRC 127.0.0.1 for" \
		"register_digest, $gateway = gateway; COUNT/RATE $count/$rate," \
		"register_digest ${SF_KAM_COUNT:-100000}/${SF_KAM_RATE:-10000})"
	echo "sipfastd: scripts/bench.sh median Mpps (1 worker, busy-polling: msg per CPU-second)," \
		"from $sf_results"
fi

# --- Calls (issue 13): Kamailio tm + dialog between two sipp instances. ---
[ ${#call_classes[@]} -gt 0 ] || exit 0
if ! command -v sipp >/dev/null; then
	echo "bench_kamailio.sh: call classes SKIPPED: sipp missing (apt-get install sip-tester)" >&2
	exit 0
fi
calls=${SF_KAM_CALLS:-10000}
cps=${SF_KAM_CPS:-300}
caller=127.0.0.2 callee=127.0.0.3:5080
sed -e "s|@LISTEN@|udp:127.0.0.1:$port|" -e "s|@CTL@|unix:$work/kamailio_ctl|" \
	-e "s|@GATEWAY@|$caller|" -e "s|@CALLEE@|$callee|" bench/kamailio_call.cfg \
	>"$work/kamailio_call.cfg"
kamailio -f "$work/kamailio_call.cfg" -c >"$work/check.log" 2>&1 ||
	{ cat "$work/check.log" >&2; exit 1; }
# sipfastd's calls per second per core: bench.sh's call table at this revision.
sf_calls_file=${sf_results%.tsv}-calls.tsv
[ -s "$sf_calls_file" ] || sf_calls_file=$out/results-calls.tsv

# kam_call_start MEM [WRAPPER...]: Kamailio with the call config, then the called sipp.
kam_call_start() {
	local mem=$1
	shift
	rm -f "$work/kamailio_ctl"
	"$@" kamailio -f "$work/kamailio_call.cfg" -x "$mem" -X "$mem" -DD -E \
		-P "$work/kamailio.pid" -Y "$work" >"$work/kamailio.log" 2>&1 &
	kpid=$!
	for _ in $(seq 300); do
		[ -S "$work/kamailio_ctl" ] && break
		sleep 0.1
	done
	[ -S "$work/kamailio_ctl" ] || { cat "$work/kamailio.log" >&2; exit 1; }
	sipp -sf bench/sipp_call_uas.xml -i "${callee%:*}" -p "${callee#*:}" -nostdin \
		>"$work/uas.log" 2>&1 &
	uas_pid=$!
	sleep 0.5
}
kam_call_stop() {
	{ kill "$uas_pid" 2>/dev/null && wait "$uas_pid" 2>/dev/null; } || true
	uas_pid=
	kam_stop
}
# kam_call_run N RATE: the calling sipp places N calls at RATE/s; prints "answered byes ok".
kam_call_run() {
	local a0 b0 rc=0
	a0=$(kam_stat bench_calls_answered)
	b0=$(kam_stat bench_byes)
	sipp -sf bench/sipp_call_uac.xml -s 4930123456 -i "$caller" -p 5060 "127.0.0.1:$port" \
		-r "$2" -m "$1" -nostdin -timeout 600 >"$work/uac.log" 2>&1 || rc=$?
	sleep 1 # the last BYEs' 200s
	echo "$(($(kam_stat bench_calls_answered) - a0)) $(($(kam_stat bench_byes) - b0)) $rc"
}

for mem in $mems; do
	kam_call_start "$mem"
	printf '\nKamailio calls, memory manager %s (tm + dialog + rr, one UDP worker)\n' "$mem"
	printf '%-16s %7s %9s %9s %11s %14s %14s %8s\n' class calls answered byes 'kam CPU-s' \
		'kam calls/CPU-s' 'sf calls/s/core' ratio
	for c in "${call_classes[@]}"; do
		kam_settle
		t0=$(kam_ticks)
		read -r answered byes rc < <(kam_call_run "$calls" "$cps")
		t1=$(kam_ticks)
		if [ "$rc" != 0 ]; then
			echo "bench_kamailio.sh: $c: sipp UAC exit status $rc (failed calls):" >&2
			tail -20 "$work/uac.log" >&2
		fi
		cpu=$(awk -v t="$((t1 - t0))" -v hz="$hz" 'BEGIN { printf "%.2f", t / hz }')
		kam=$(awk -v n="$byes" -v s="$cpu" 'BEGIN { printf "%.0f", (s > 0) ? n / s : 0 }')
		sf=$(awk -F'\t' -v c="$c" '$1 == c { print $3; exit }' "$sf_calls_file" 2>/dev/null ||
			true)
		ratio=-
		[ -n "$sf" ] && [ "$kam" -gt 0 ] && ratio=$(awk -v a="$sf" -v b="$kam" 'BEGIN { printf "%.0fx", a / b }')
		printf '%-16s %7s %9s %9s %11s %14s %14s %8s\n' "$c" "$calls" "$answered" "$byes" \
			"$cpu" "$kam" "${sf:-n/a}" "$ratio"
	done
	echo "Kamailio's dialogs: $(kam_stat processed_dialogs) processed," \
		"$(kam_stat active_dialogs) active at the end"
	kam_call_stop
done
# Instructions in every callgrind profile of the last run (one file per process).
cg_total() {
	local f s=0 n
	for f in "$work"/cg.*.out; do
		n=$(awk '/^summary:/ { print $2; exit }' "$f")
		s=$((s + ${n:-0}))
	done
	echo $s
}
if [ "${SF_KAM_CALLGRIND:-0}" = 1 ]; then
	n=${SF_KAM_CG_CALLS:-200}
	kam_call_start tlsf valgrind --tool=callgrind --trace-children=yes \
		--callgrind-out-file="$work/cg.%p.out"
	kam_settle
	# Instructions of start-up and idle timers are subtracted: a run of 0 calls for as long.
	read -r answered byes rc < <(kam_call_run "$n" 5)
	kam_call_stop
	ir=$(cg_total)
	rm -f "$work"/cg.*.out
	kam_call_start tlsf valgrind --tool=callgrind --trace-children=yes \
		--callgrind-out-file="$work/cg.%p.out"
	kam_settle
	sleep "$((n / 5 + 1))"
	kam_call_stop
	idle=$(cg_total)
	printf '\nKamailio under callgrind (tlsf, every process): %s calls answered, %s BYEs;' \
		"$answered" "$byes"
	awk -v a="$ir" -v b="$idle" -v n="$byes" 'BEGIN { printf " %.0f instructions per call " \
		"(%.0f in the run, %.0f in an idle run as long)\n", (n > 0) ? (a - b) / n : 0, a, b }'
fi
echo
echo "Kamailio $kam_version: kamailio -f bench/kamailio_call.cfg -x MEM -X MEM -DD -E" \
	"(children=1, listen udp:127.0.0.1:$port)"
echo "sipp: bench/sipp_call_uac.xml from $caller:5060 -r $cps -m $calls, bench/sipp_call_uas.xml" \
	"on $callee; sipfastd: $sf_calls_file (1 worker, calls/s per core)"
