#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Run every live test (tests/integration/t_*.sh, or the ones named as arguments) on its own
# private test bed. Needs root. Prints the PASS/FAIL lines of every test; exit status non-zero
# when any failed. A script's exit status counts too: one that exits non-zero without printing
# a FAIL line adds "FAIL LIVE_<script>_exit_<rc>"; one that outlives SF_LIVE_SCRIPT_TIMEOUT
# (default 600 s) is killed and adds "FAIL LIVE_<script>_timeout".
cd "$(dirname "$0")" || exit 1
rc=0
limit=${SF_LIVE_SCRIPT_TIMEOUT:-600}
out=$(mktemp /tmp/sflive.XXXXXX)
trap 'rm -f "$out"' EXIT
[ $# -gt 0 ] || set -- t_*.sh
for t in "$@"; do
	name=$(basename "$t" .sh)
	# timeout signals the script's whole process group (sipp, tcpdump, sipfastd); the script's
	# TERM trap cleans up its test bed; -k: KILL 20 s after TERM.
	timeout -k 20 "$limit" bash "$t" | tee "$out"
	trc=${PIPESTATUS[0]}
	if [ "$trc" -eq 124 ] || [ "$trc" -eq 137 ]; then
		echo "FAIL LIVE_${name}_timeout: killed after ${limit} s"
		rc=1
	elif [ "$trc" -ne 0 ]; then
		grep -q '^FAIL ' "$out" || echo "FAIL LIVE_${name}_exit_$trc: exited $trc without a FAIL line"
		rc=1
	fi
done
exit $rc
