#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Negative self-test of scripts/check-forbidden.sh (static tier, STATIC_check_forbidden_catches):
# on a temp copy of dataplane/ it must
#   1. fail, naming file:line, when a hot file gets an injected `usleep(1);`;
#   2. not report the same call in a *_setup.c file (cold by name), nor inside a comment.
# The copy's other lines may hold hits of their own (rooms not yet split): only the injected
# lines are judged. Prints PASS/FAIL lines; exit 1 on a failure.
set -uo pipefail
cd "$(dirname "$0")/.."
hot=dataplane/policy/reply_budget.c
tmp=$(mktemp -d /tmp/sfforbid.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fails=0
check() { # check ID COND-RESULT(0 = ok) WHY
	if [ "$2" -eq 0 ]; then echo "PASS $1"; else echo "FAIL $1: $3"; fails=$((fails + 1)); fi
}

mkdir -p "$tmp/scripts" && cp -r dataplane "$tmp/" && cp scripts/check-forbidden.sh "$tmp/scripts/"

# 1: a hot file with usleep(1) fails and the hit names file:line.
printf '\nstatic void sf_selftest_hot(void) { usleep(1); }\n' >>"$tmp/$hot"
line=$(wc -l <"$tmp/$hot")
out=$(bash "$tmp/scripts/check-forbidden.sh" "$tmp" 2>&1)
rc=$?
[ "$rc" -ne 0 ] && grep -qF "$hot:$line: static void sf_selftest_hot(void) { usleep(1); }" <<<"$out"
check STATIC_check_forbidden_catches $? "usleep(1) injected at $hot:$line not reported (exit $rc)"

# 2: the same call in a comment of a hot file, and in a *_setup.c file, is not a hit.
printf '/* usleep(1); */\n// usleep(1);\n/*\n * sleep(1);\n */\n' >>"$tmp/$hot"
printf 'void sf_selftest_cold(void);\nvoid sf_selftest_cold(void) { usleep(1); }\n' \
	>"$tmp/dataplane/policy/selftest_setup.c"
out=$(bash "$tmp/scripts/check-forbidden.sh" "$tmp" 2>&1)
! grep -qE "selftest_setup\.c|$hot:($((line + 1))|$((line + 2))|$((line + 4))):" <<<"$out"
check STATIC_check_forbidden_cold_by_name $? "a comment or a *_setup.c file was reported"

[ "$fails" -eq 0 ]
