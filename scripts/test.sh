#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Run every test tier and end with exactly one line "N passed, N failed" (cases counted over all
# tiers). Installs what is missing and builds first. Needs root for the live tier.
#   tiers: static checks; unit (cmocka, gcc build: pure + DPDK); sanitizer (clang ASan+UBSan,
#   pure modules, fuzz corpus replay); 60 s of libFuzzer; thread sanitizer (snapshot hand-off); golden pcap (net_pcap replay); live (veth test bed);
#   bench smoke (when scripts/bench.sh exists).
# Environment: SF_WERROR=1 builds with -Dwerror=true (CI sets it); SF_SKIP_LIVE=1 skips the
# live tier (e.g. without root).
set -uo pipefail
cd "$(dirname "$0")/.."

passed=0
failed=0
log=$(mktemp -d /tmp/sftest.XXXXXX)

tally() { # tally P F: add to the totals; a tier that reported nothing counts as one failure
	passed=$((passed + ${1:-0}))
	failed=$((failed + ${2:-1}))
}

# Count PASS/FAIL lines a tier printed into $1, echoing the failures.
tally_lines() {
	grep -E '^FAIL ' "$1" || true
	tally "$(grep -c '^PASS ' "$1")" "$(grep -c '^FAIL ' "$1")"
}

step() { printf '== %s\n' "$*"; }

step "dependencies"
scripts/install-deps.sh || { echo "0 passed, 1 failed"; exit 1; }

step "static checks"
if scripts/check-forbidden.sh >"$log/forbidden" 2>&1; then
	echo "PASS STATIC_forbidden_tokens" >"$log/static"
else
	cat "$log/forbidden"
	echo "FAIL STATIC_forbidden_tokens" >"$log/static"
fi
tally_lines "$log/static"

step "builds: gcc; clang ASan+UBSan; clang TSan (snapshot hand-off)"
for kind in release asan tsan; do
	if ! scripts/build.sh "$kind" >"$log/build-$kind" 2>&1; then
		tail -40 "$log/build-$kind"
		echo "FAIL BUILD_$kind"
		tally 0 1
	fi
done

export CMOCKA_MESSAGE_OUTPUT=TAP
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
step "unit tier (gcc): pure + DPDK suites"
meson test -C build --no-rebuild --print-errorlogs >"$log/unit" 2>&1 || tail -60 "$log/unit"
read -r p f < <(scripts/meson-results.py build/meson-logs/testlog.json)
tally "$p" "$f"
step "sanitizer tier (clang ASan+UBSan): pure and DPDK unit suites, fuzz corpus replay"
meson test -C build-asan --no-rebuild --suite unit --print-errorlogs >"$log/asan" 2>&1 ||
	tail -60 "$log/asan"
read -r p f < <(scripts/meson-results.py build-asan/meson-logs/testlog.json)
tally "$p" "$f"

step "fuzz tier: ${SF_FUZZ_SECONDS:-60} s of libFuzzer on the SIP scanner (ASan+UBSan)"
fuzz_dir=$(mktemp -d /tmp/sffuzz.XXXXXX)
cp tests/fuzz/corpus/sip_scan/* "$fuzz_dir/" 2>/dev/null
if build-asan/tests/fuzz/fuzz_sip_scan -max_total_time="${SF_FUZZ_SECONDS:-60}" \
	-dict=tests/fuzz/sip_scan.dict -print_final_stats=1 "$fuzz_dir" >"$log/fuzz" 2>&1; then
	echo "PASS FUZZ_sip_scan_${SF_FUZZ_SECONDS:-60}s" >"$log/fuzz.result"
else
	grep -A30 -E "ERROR|SUMMARY|crash" "$log/fuzz" | head -40
	echo "FAIL FUZZ_sip_scan (crash input kept in $PWD/crash-*)" >"$log/fuzz.result"
fi
rm -rf "$fuzz_dir"
tally_lines "$log/fuzz.result"

step "thread-sanitizer tier: 10,000 snapshots published under reader threads"
meson test -C build-tsan --no-rebuild publish --print-errorlogs >"$log/tsan" 2>&1 ||
	tail -60 "$log/tsan"
read -r p f < <(scripts/meson-results.py build-tsan/meson-logs/testlog.json)
tally "$p" "$f"

if [ -f tests/pcap/golden.py ]; then
	step "golden pcap tier"
	python3 tests/pcap/golden.py build >"$log/pcap" 2>&1
	tally_lines "$log/pcap"
fi

if [ "${SF_SKIP_LIVE:-0}" != 1 ]; then
	step "live tier (veth test bed)"
	SF_BUILD="$PWD/build" tests/integration/run.sh >"$log/live" 2>&1
	tally_lines "$log/live"
fi

if [ -x scripts/bench.sh ]; then
	step "bench smoke"
	if scripts/bench.sh --smoke >"$log/bench" 2>&1; then
		echo "PASS BENCH_smoke" >"$log/bench.result"
	else
		tail -30 "$log/bench"
		echo "FAIL BENCH_smoke" >"$log/bench.result"
	fi
	tally_lines "$log/bench.result"
fi

rm -rf "$log"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
