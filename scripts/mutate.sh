#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Mutation tier: apply each mutant of tests/mutants/mutants.txt, one at a time, to a copy of
# the tree, rebuild (release, incremental) and run the unit tier, then the golden pcap tier
# when the unit tier did not notice. Prints per mutant
#   PASS MUTANT_<name>_killed       a test failed with the mutant applied
#   FAIL MUTANT_<name>_survived     every test passed: no test sees that behaviour break
#   FAIL MUTANT_<name>_does_not_build
# and a summary line; exit status 1 when any mutant survived (or did not build), 2 when the
# unmutated tree does not pass (then no mutant is tried).
#
# Usage: mutate.sh [NAME_SUBSTRING ...]   only the mutants whose name contains one of them
# The copy and its build dir live in ${SF_MUTATE_DIR:-/tmp/sf-mutate.$UID} and are reused
# across runs (tar keeps mtimes, so only what changed is rebuilt): a mutant costs one or two
# object files and a relink, then the tests.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
root=$(pwd)
list=tests/mutants/mutants.txt
work=${SF_MUTATE_DIR:-/tmp/sf-mutate.$UID}
src=$work/src
bld=$work/build
py=/usr/bin/python3
[ -x "$py" ] || py=python3
mutants="$py $root/scripts/mutants.py $root/$list"
start=$(date +%s)

$mutants check "$root" || exit 2
mkdir -p "$src"
# The tracked and new files of this checkout, mtimes kept (build dirs are ignored by git).
git ls-files -z -co --exclude-standard | tar -C "$root" --null -T - -cf - | tar -C "$src" -xf -
# A run stopped half-way may have left a mutated object newer than the restored source: the
# files mutants touch get a fresh mtime, so they are rebuilt from the pristine text.
$mutants files | while read -r f; do touch "$src/$f"; done

if [ ! -f "$bld/build.ninja" ]; then
	meson setup "$bld" "$src" -Dwerror=false >/dev/null || exit 2
fi

# Run the fast tiers against the build; returns 0 when all pass. $1: log file.
run_tiers() {
	meson test -C "$bld" --no-rebuild --suite unit --maxfail 1 -q >"$1" 2>&1 || return 1
	timeout 600 "$py" "$src/tests/pcap/golden.py" "$bld" >>"$1" 2>&1 || return 1
	return 0
}

ninja -C "$bld" >"$work/baseline.log" 2>&1 || { echo "mutate: unmutated tree does not build ($work/baseline.log)"; exit 2; }
if ! run_tiers "$work/baseline.log"; then
	echo "mutate: the unmutated tree fails its tests ($work/baseline.log)"
	exit 2
fi

names=$($mutants list)
if [ $# -gt 0 ]; then
	names=$(for n in $names; do for f in "$@"; do [[ $n == *"$f"* ]] && echo "$n" && break; done; done)
fi

killed=0 total=0 bad=0
current=
restore() { [ -n "$current" ] && $mutants restore "$current" "$src" "$root"; current=; }
trap 'restore' EXIT
for n in $names; do
	total=$((total + 1))
	t0=$(date +%s)
	current=$n
	$mutants apply "$n" "$src" || exit 2
	log=$work/MUTANT_$n.log
	if ! ninja -C "$bld" >"$log" 2>&1; then
		echo "FAIL MUTANT_${n}_does_not_build ($log)"
		bad=$((bad + 1))
	elif run_tiers "$log"; then
		echo "FAIL MUTANT_${n}_survived ($(( $(date +%s) - t0 )) s)"
		bad=$((bad + 1))
	else
		# Which test noticed: the first failed cmocka test, else unit test, else golden case.
		by=$(grep -h -m1 -oE '^\[  FAILED  \] test_[A-Za-z0-9_]+' "$bld/meson-logs/testlog.txt" 2>/dev/null | sed 's/.* //')
		[ -n "$by" ] || by=$(grep -m1 -oE '/ [a-z0-9_]+ +(FAIL|TIMEOUT)' "$log" | awk '{print $2}')
		[ -n "$by" ] || by=$(grep -m1 -oE '^FAIL PCAP_[A-Za-z0-9_]+' "$log" | sed 's/FAIL //')
		echo "PASS MUTANT_${n}_killed (${by:-a test}; $(( $(date +%s) - t0 )) s)"
		killed=$((killed + 1))
	fi
	restore
done
ninja -C "$bld" >/dev/null 2>&1 # leave the build pristine for the next run
echo "mutate: $killed of $total mutants killed, $((total - killed)) not; $(( $(date +%s) - start )) s"
[ "$bad" -eq 0 ]
