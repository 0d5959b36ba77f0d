#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Run every test tier and end with exactly one line "N passed, N failed" (cases counted over all
# tiers). Installs what is missing and builds first. Needs root for the live tier.
#   tiers: static checks; unit (cmocka, gcc build: pure + DPDK); sanitizer (clang ASan+UBSan,
#   pure modules, fuzz corpus replay); 60 s of libFuzzer; thread sanitizer (snapshot hand-off); golden pcap (net_pcap replay); live (veth test bed);
#   bench smoke. Every tier runs under an outer `timeout`; a tier that prints no result, exits
#   non-zero without a FAIL line or times out is a failure, and the names of what ran are
#   compared with tests/manifest/<tier>.txt (missing or extra = FAIL; see tests/README.md).
# Usage: scripts/test.sh [--all]   --all adds the mutation tier (scripts/mutate.sh: every mutant
# of tests/mutants/mutants.txt must be killed; ~25 min on 2 CPUs, so not in every CI run).
# Environment: SF_TIERS="unit golden ..." runs only those tiers (and their builds);
# SF_LIVE_SCRIPTS="t_a.sh t_b.sh" only those live scripts (the manifest then reports the others
# missing); SF_WERROR=1 builds with -Dwerror=true (CI sets it); SF_SKIP_LIVE=1 skips the
# live tier (e.g. without root).
set -uo pipefail
cd "$(dirname "$0")/.."
run_all=0
case "${1:-}" in
--all) run_all=1 ;;
"") ;;
*) echo "usage: $0 [--all]" >&2; exit 2 ;;
esac

passed=0
failed=0
log=$(mktemp -d /tmp/sftest.XXXXXX)
# What ran, per tier (one name a line, sorted), compared with tests/manifest/<tier>.txt and
# kept for scripts/update-manifest.sh.
names=${SF_TEST_NAMES:-$PWD/build/test-names}
mkdir -p "$names"
export LC_ALL=C # one sort order for the manifest comparison

tally() { # tally P F: add to the totals; an empty count is one failure
	passed=$((passed + ${1:-0}))
	failed=$((failed + ${2:-1}))
}
fail() { # fail ID WHY: a failure the tiers themselves did not print
	echo "FAIL $1: $2"
	failed=$((failed + 1))
}

# tier_status TIER RC COUNT: the tier's exit status counts: a timeout (124/137 from `timeout`)
# or a non-zero exit is a failure when the tier printed no failure of its own (COUNT = 0), and a
# tier with no result at all is one.
tier_status() {
	case "$2" in
	0) ;;
	124 | 137) fail "TIER_$1_timeout" "killed by its time limit" ;;
	*) [ "$3" -gt 0 ] || fail "TIER_$1_exit_$2" "exited $2 without reporting a failure" ;;
	esac
}

# tally_lines TIER FILE RC: count the PASS/FAIL lines a tier printed into FILE (echoing the
# failures); no result line at all, a timeout or a non-zero exit without a FAIL line is a
# failure. grep -c prints "0" for no match, so the emptiness is tested here, not by a default.
tally_lines() {
	local p f
	grep -E '^FAIL ' "$2"
	p=$(grep -c '^PASS ' "$2")
	f=$(grep -c '^FAIL ' "$2")
	tally "$p" "$f"
	[ $((p + f)) -gt 0 ] || fail "TIER_$1_no_results" "printed no PASS/FAIL line"
	tier_status "$1" "$3" "$f"
}

# ids FILE: the test ids of the PASS/FAIL lines in FILE, without the ones the harness makes up
# (SETUP_/LIVE_/TIER_/MANIFEST_), sorted.
ids() {
	sed -nE 's/^(PASS|FAIL) ([^: ]+).*/\2/p' "$1" |
		grep -vE '^(SETUP|LIVE|TIER|MANIFEST)_' | sort -u
}

# manifest TIER: compare what ran ($names/TIER.txt) with tests/manifest/TIER.txt: each missing
# or extra name is a failure until the manifest is updated (scripts/update-manifest.sh).
manifest() {
	local want=tests/manifest/$1.txt n
	if [ ! -f "$want" ]; then
		fail "MANIFEST_$1_absent" "$want missing (scripts/update-manifest.sh)"
		return
	fi
	while read -r n; do
		fail "MANIFEST_$1_missing_$n" "in $want, did not run"
	done < <(comm -23 <(grep -v '^#' "$want" | sort -u) "$names/$1.txt")
	while read -r n; do
		fail "MANIFEST_$1_extra_$n" "ran, not in $want"
	done < <(comm -13 <(grep -v '^#' "$want" | sort -u) "$names/$1.txt")
}

# meson_tier TIER BUILDDIR LIMIT MESON-TEST-ARGS...: run meson test under an outer timeout,
# count its cases (scripts/meson-results.py) and compare the names with the manifest. A stale
# testlog.json from an earlier run must not count: it is removed first.
meson_tier() {
	local tier=$1 dir=$2 limit=$3 rc p f
	shift 3
	rm -f "$dir/meson-logs/testlog.json"
	timeout -k 30 "$limit" meson test -C "$dir" --no-rebuild --print-errorlogs "$@" \
		>"$log/$tier" 2>&1
	rc=$?
	[ "$rc" -eq 0 ] || tail -60 "$log/$tier"
	p="" f=""
	read -r p f < <(scripts/meson-results.py "$dir/meson-logs/testlog.json" \
		--names "$names/$tier.txt" 2>"$log/$tier.fails")
	cat "$log/$tier.fails"
	if [ -z "$p" ]; then
		fail "TIER_${tier}_no_results" "no readable $dir/meson-logs/testlog.json"
		: >"$names/$tier.txt"
		f=0
	else
		tally "$p" "$f"
		[ $((p + f)) -gt 0 ] || fail "TIER_${tier}_no_results" "no test ran"
	fi
	tier_status "$tier" "$rc" "${f:-0}"
	manifest "$tier"
}

step() { printf '== %s\n' "$*"; }
# want TIER: the tier is selected (SF_TIERS, a space-separated list of static unit asan fuzz tsan
# golden live bench mutation; default all; mutation only with --all). For trying the harness; CI runs them all.
want() { [ -z "${SF_TIERS:-}" ] || [[ " $SF_TIERS " == *" $1 "* ]]; }

step "dependencies"
scripts/install-deps.sh || { echo "0 passed, 1 failed"; exit 1; }

# Outer time limits per tier (seconds): generous for a loaded 2-CPU machine; together well
# under CI's 30 minutes (a worst case that hits every limit is not a passing run anyway).
T_STATIC=120 T_UNIT=480 T_ASAN=480 T_TSAN=300 T_GOLDEN=300 T_LIVE=1200 T_BENCH=240 T_MUTATE=3600
T_FUZZ=$((${SF_FUZZ_SECONDS:-60} + 120))

# include_check_catches: scripts/include-graph.py --check on a scratch tree fails on a
# two-room cycle (naming both include lines) and passes once one edge is gone.
include_check_catches() {
	local d rc=0
	d=$(mktemp -d)
	mkdir -p "$d/dataplane/a" "$d/dataplane/b"
	echo '#include "dataplane/b/y.h"' >"$d/dataplane/a/x.h"
	echo '#include "dataplane/a/x.h"' >"$d/dataplane/b/y.h"
	python3 scripts/include-graph.py --check --root "$d" >"$d/out" 2>&1 && rc=1
	grep -q 'dataplane/b/y.h:1' "$d/out" || rc=1
	: >"$d/dataplane/b/y.h"
	python3 scripts/include-graph.py --check --root "$d" >/dev/null 2>&1 || rc=1
	rm -rf "$d"
	return "$rc"
}

if want static; then
	step "static checks"
	timeout -k 10 "$T_STATIC" scripts/check-forbidden.sh >"$log/forbidden" 2>&1
	rc=$?
	if [ "$rc" -eq 0 ]; then
		echo "PASS STATIC_forbidden_tokens" >"$log/static"
	else
		cat "$log/forbidden"
		echo "FAIL STATIC_forbidden_tokens (exit $rc)" >"$log/static"
	fi
	# The check itself can fail: an injected usleep(1) in a hot file of a temp copy is caught.
	timeout -k 10 "$T_STATIC" scripts/check-forbidden-selftest.sh >"$log/forbid-self" 2>&1
	rc=$?
	cat "$log/forbid-self" >>"$log/static"
	[ "$rc" -eq 0 ] || grep -q '^FAIL ' "$log/forbid-self" ||
		echo "FAIL STATIC_check_forbidden_catches (exit $rc, no result)" >>"$log/static"
	# One spelling for behaviour ids in test names (REG_10; REG-10 in prose): tests/README.md.
	if timeout -k 10 "$T_STATIC" python3 scripts/check-ids.py --quiet >"$log/ids" 2>&1; then
		echo "PASS STATIC_behaviour_id_spelling" >>"$log/static"
	else
		cat "$log/ids"
		echo "FAIL STATIC_behaviour_id_spelling" >>"$log/static"
	fi
	# Dataplane rooms include only rooms below them: no include cycle (docs/ARCHITECTURE.md).
	if timeout -k 10 "$T_STATIC" python3 scripts/include-graph.py --check >"$log/include" 2>&1
	then
		echo "PASS STATIC_include_cycles" >>"$log/static"
	else
		cat "$log/include"
		echo "FAIL STATIC_include_cycles" >>"$log/static"
	fi
	# The check itself can fail: a two-room cycle made on purpose is caught, its acyclic
	# half is not.
	if include_check_catches; then
		echo "PASS STATIC_include_cycles_catches" >>"$log/static"
	else
		echo "FAIL STATIC_include_cycles_catches" >>"$log/static"
	fi
	tally_lines static "$log/static" 0
fi

step "builds: gcc; clang ASan+UBSan; clang TSan (snapshot hand-off)"
for kind in release asan tsan; do
	case $kind in
	release) want unit || want golden || want live || want bench || continue ;;
	asan) want asan || want fuzz || continue ;;
	tsan) want tsan || continue ;;
	esac
	if ! scripts/build.sh "$kind" >"$log/build-$kind" 2>&1; then
		tail -40 "$log/build-$kind"
		fail "BUILD_$kind" "scripts/build.sh $kind failed"
	fi
done

export CMOCKA_MESSAGE_OUTPUT=TAP
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
if want unit; then
	step "unit tier (gcc): pure + DPDK suites"
	meson_tier unit build "$T_UNIT"
fi

if want asan; then
	step "sanitizer tier (clang ASan+UBSan): pure and DPDK unit suites, fuzz corpus replay"
	meson_tier asan build-asan "$T_ASAN" --suite unit
fi

if want fuzz; then
	step "fuzz tier: ${SF_FUZZ_SECONDS:-60} s of libFuzzer on the SIP scanner (ASan+UBSan)"
	fuzz_dir=$(mktemp -d /tmp/sffuzz.XXXXXX)
	cp tests/fuzz/corpus/sip_scan/* "$fuzz_dir/" || echo "no fuzz corpus copied" >&2
	timeout -k 10 "$T_FUZZ" build-asan/tests/fuzz/fuzz_sip_scan \
		-max_total_time="${SF_FUZZ_SECONDS:-60}" -dict=tests/fuzz/sip_scan.dict \
		-print_final_stats=1 "$fuzz_dir" >"$log/fuzz" 2>&1
	rc=$?
	if [ "$rc" -eq 0 ]; then
		echo "PASS FUZZ_sip_scan_${SF_FUZZ_SECONDS:-60}s" >"$log/fuzz.result"
	else
		grep -A30 -E "ERROR|SUMMARY|crash" "$log/fuzz" | head -40
		tail -5 "$log/fuzz"
		echo "FAIL FUZZ_sip_scan (exit $rc; a crash input is kept in $PWD/crash-*)" >"$log/fuzz.result"
	fi
	rm -rf "$fuzz_dir"
	tally_lines fuzz "$log/fuzz.result" 0
fi

if want tsan; then
	step "thread-sanitizer tier: 10,000 snapshots published under reader threads"
	meson_tier tsan build-tsan "$T_TSAN" publish
fi

if want golden; then
	step "golden pcap tier"
	timeout -k 10 "$T_GOLDEN" python3 tests/pcap/golden.py build >"$log/pcap" 2>&1
	rc=$?
	tail -1 "$log/pcap"
	tally_lines golden "$log/pcap" "$rc"
	ids "$log/pcap" >"$names/golden.txt"
	manifest golden
fi

if [ "${SF_SKIP_LIVE:-0}" != 1 ] && want live; then
	step "live tier (veth test bed)"
	SF_BUILD="$PWD/build" timeout -k 30 "$T_LIVE" tests/integration/run.sh \
		${SF_LIVE_SCRIPTS:-} >"$log/live" 2>&1
	rc=$?
	tally_lines live "$log/live" "$rc"
	ids "$log/live" >"$names/live.txt"
	manifest live
fi

if want bench; then
	step "bench smoke"
	timeout -k 10 "$T_BENCH" scripts/bench.sh --smoke >"$log/bench" 2>&1
	rc=$?
	if [ "$rc" -eq 0 ]; then
		echo "PASS BENCH_smoke" >"$log/bench.result"
	else
		tail -30 "$log/bench"
		echo "FAIL BENCH_smoke (exit $rc)" >"$log/bench.result"
	fi
	tally_lines bench "$log/bench.result" 0
fi

if [ "$run_all" = 1 ] && want mutation; then
	step "mutation tier (every mutant of tests/mutants/mutants.txt must be killed)"
	timeout -k 10 "$T_MUTATE" scripts/mutate.sh >"$log/mutate" 2>&1
	rc=$?
	tail -1 "$log/mutate"
	tally_lines mutation "$log/mutate" "$rc"
fi

rm -rf "$log"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
