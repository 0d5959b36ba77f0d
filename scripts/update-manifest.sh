#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Regenerate tests/manifest/<tier>.txt, the names scripts/test.sh expects each tier to run (one
# name a line, sorted with LC_ALL=C: merge-friendly). Commit the result with the tests it adds
# or removes; scripts/test.sh fails on every name that is missing or extra.
#   scripts/update-manifest.sh            from the last scripts/test.sh run (it records what ran
#                                         in build/test-names/<tier>.txt, or $SF_TEST_NAMES)
#   scripts/update-manifest.sh TIER=LOG.. one tier from a log: a meson testlog.json (tiers unit,
#                                         asan, tsan) or the PASS/FAIL output of a tier (golden:
#                                         `python3 tests/pcap/golden.py build`; live:
#                                         `tests/integration/run.sh`)
# Tiers: unit, asan, tsan, golden, live.
set -euo pipefail
cd "$(dirname "$0")/.."
export LC_ALL=C
names=${SF_TEST_NAMES:-$PWD/build/test-names}
mkdir -p tests/manifest

# The harness's own ids (setup failures, exit/timeout lines, manifest lines) are not tests.
ids() {
	sed -nE 's/^(PASS|FAIL) ([^: ]+).*/\2/p' "$1" |
		grep -vE '^(SETUP|LIVE|TIER|MANIFEST)_' | sort -u
}

write() { # write TIER: stdin -> tests/manifest/TIER.txt
	local out=tests/manifest/$1.txt n
	sort -u >"$out.new"
	n=$(wc -l <"$out.new")
	[ "$n" -gt 0 ] || { rm -f "$out.new"; echo "update-manifest: no names for $1" >&2; exit 1; }
	if [ -f "$out" ]; then
		diff -u "$out" "$out.new" | sed -n 's/^\([-+][^-+]\)/\1/p' || true
	fi
	mv "$out.new" "$out"
	echo "tests/manifest/$1.txt: $n names"
}

if [ $# -eq 0 ]; then
	found=0
	for t in unit asan tsan golden live; do
		[ -s "$names/$t.txt" ] || continue
		write "$t" <"$names/$t.txt"
		found=1
	done
	[ "$found" = 1 ] || { echo "update-manifest: nothing in $names: run scripts/test.sh" >&2; exit 1; }
	exit 0
fi
for arg in "$@"; do
	tier=${arg%%=*}
	src=${arg#*=}
	case "$tier" in
	unit | asan | tsan | golden | live) ;;
	*) echo "update-manifest: unknown tier $tier" >&2; exit 2 ;;
	esac
	[ -r "$src" ] || { echo "update-manifest: cannot read $src" >&2; exit 1; }
	case "$src" in
	*.json)
		tmp=$(mktemp)
		scripts/meson-results.py "$src" --names "$tmp" >/dev/null 2>&1 || true
		write "$tier" <"$tmp"
		rm -f "$tmp"
		;;
	*) ids "$src" | write "$tier" ;;
	esac
done
