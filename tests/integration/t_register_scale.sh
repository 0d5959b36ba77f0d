#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Registrar at scale, live (issue 5): 1,000 configured accounts; sipp in the peer namespace
# (10.99.0.2) registers every one from a CSV injection file with digest auth through sipfastd.
# Contract checked, with 1 and with 2 workers (2: REGISTERs steered to the source-IP owner for
# auth, then to the AoR owner for the binding):
#   AUTH-1/AUTH-3  every user is challenged (401) and its digest answer gets 200 OK: sipp counts
#                  1,000 successful calls and no failure; sipfastd counts reg_ok = 1,000 (plus at
#                  most sipp's retransmissions) and no failure of any reason.
#   REG-2          registrations.list, read page by page, shows exactly the 1,000 users, each
#                  granted the 20 s it asked for (below the SS_ENDPOINT_EXPIRE cap).
#   REG-6          without a refresh they expire on time: none disappears before its 20 s
#                  (first drop >= 19 s after sipp started: 1 s clock granularity), all are gone
#                  within 20 s + 3 s of the last 200 OK, and reg_expired = 1,000.
# Runtime: about 30 s per worker count.
source "$(dirname "$0")/lib.sh"

N=1000
EXPIRES=20 # REGISTRAR_MIN_EXPIRES_S: the shortest grant without a 423
USER0=20000

# write_config FILE: the test bed interface and N accounts 20000.. with password pw-<user>.
write_config() {
	{
		printf '{\n"interfaces": [{"port": 0, "ipv4": "10.99.0.1/24", "gateway": "10.99.0.254"}],\n'
		# One source registers 250 users a second: above the default reply budget (100/s).
		printf '"sip": {"port": 5060, "domain": "sipfast.test", "reply_budget_rate": 1000},\n'
		printf '"params": {"SS_REPLY_UNAUTHORIZED": "Off"},\n"accounts": [\n'
		for i in $(seq 0 $((N - 1))); do
			[ "$i" -gt 0 ] && printf ',\n'
			printf '{"user": "%d", "password": "pw-%d"}' $((USER0 + i)) $((USER0 + i))
		done
		printf '\n],\n"gateways": [],\n"runtime": {"mbufs_per_socket": 8191, "big_mbufs": 255}\n}\n'
	} >"$1"
}

# write_csv FILE: sipp injection file, one line per account: user;[authentication ...] (sipp
# 3.6 expands the keyword from a field, but not fields inside the keyword).
write_csv() {
	{
		echo SEQUENTIAL
		for i in $(seq 0 $((N - 1))); do
			echo "$((USER0 + i));[authentication username=$((USER0 + i)) password=pw-$((USER0 + i))]"
		done
	} >"$1"
}

now() { date +%s.%N; }
# ge A B / le A B: decimal comparisons.
ge() { python3 -c "import sys; sys.exit(0 if $1 >= $2 else 1)"; }
le() { ge "$2" "$1"; }
eq() { [ "$1" = "$2" ]; }

# sipp_stat FILE COLUMN: the last value of a sipp -trace_stat column (e.g. SuccessfulCall(C)).
sipp_stat() {
	python3 - "$1" "$2" <<'EOF'
import csv, sys
rows = list(csv.reader(open(sys.argv[1]), delimiter=";"))
print(rows[-1][rows[0].index(sys.argv[2])].strip())
EOF
}

# listing_ok: registrations.list read in pages of 300 holds users USER0..USER0+N-1 once each,
# every one granted EXPIRES with 0 < expires_in <= EXPIRES; with 2 workers both shards hold some.
listing_ok() {
	python3 - "$ROOT/tests/integration" "$CTL" "$N" "$USER0" "$EXPIRES" "$1" <<'EOF'
import sys
sys.path.insert(0, sys.argv[1])
from ctl import call
ctl, n, user0, expires, workers = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
seen, owners, offset, bad = [], set(), 0, []
while True:
    r = call(ctl, "registrations.list", {"offset": offset, "limit": 300})["result"]
    if r["total"] != n:
        bad.append("total %d at offset %d" % (r["total"], offset))
    for b in r["bindings"]:
        seen.append(b["user"])
        owners.add(b["worker"])
        if b["granted"] != expires or not 0 < b["expires_in"] <= expires:
            bad.append("%s granted %d expires_in %d" % (b["user"], b["granted"], b["expires_in"]))
    offset += 300
    if offset >= r["total"] or not r["bindings"]:
        break
if sorted(seen) != [str(user0 + i) for i in range(n)]:
    bad.append("%d rows, %d distinct" % (len(seen), len(set(seen))))
if len(owners) != workers:
    bad.append("shards holding bindings: %s" % sorted(owners))
for line in bad[:5]:
    print("  listing:", line, file=sys.stderr)
sys.exit(1 if bad else 0)
EOF
}

total() { ctl registrations.list '{"limit": 1}' --path=total; }

# wait_counter NAME VALUE SECONDS: poll until the summed counter equals VALUE.
wait_counter() {
	local deadline=$((SECONDS + $3))
	while [ "$(counter "$1")" != "$2" ]; do
		[ $SECONDS -ge $deadline ] && return 1
		sleep 0.2
	done
}

no_failures() {
	local c v
	for c in reg_fail_wrong reg_fail_final reg_fail_locked reg_fail_malformed \
		reg_fail_unknown_user reg_store_full reg_too_brief drop_steer_full_source \
		drop_steer_full_paid; do
		v=$(counter "$c")
		[ "$v" = 0 ] || { echo "  $c = $v" >&2; return 1; }
	done
}

# All N were listed, and the first one left the listing no earlier than 19 s after sipp started.
none_early() { [ -n "$t_first_drop" ] && ge "$t_first_drop" "$t_start + $EXPIRES - 1"; }
# The listing was empty within EXPIRES + 3 s of sipp's last 200 OK.
all_on_time() { [ -n "$t_empty" ] && le "$t_empty" "$t_last + $EXPIRES + 3"; }

tb_up
peer ping -c 1 -W 1 -q 10.99.0.1 >/dev/null 2>&1
write_config "$WORK/scale.json"
write_csv "$WORK/users.csv"

for workers in 1 2; do
	sf_start --workers "$workers" --config "$WORK/scale.json"
	stat="$WORK/stat_w$workers.csv"
	t_start=$(now)
	# 250 calls/s, at most 100 in flight; 500 ms retransmissions as a UA would.
	peer timeout 60 sipp -sf "$ROOT/tests/integration/sipp/register_csv.xml" \
		-inf "$WORK/users.csv" -key expires "$EXPIRES" -m "$N" -r 250 -l 100 \
		-timeout 40s -timeout_error -nostdin -trace_stat -stf "$stat" -fd 1 \
		-i 10.99.0.2 -p 5071 10.99.0.1:5060 >"$WORK/sipp_w$workers.out" 2>&1
	rc=$?
	t_last=$(now)
	ok=$(sipp_stat "$stat" "SuccessfulCall(C)")
	failed=$(sipp_stat "$stat" "FailedCall(C)")
	retrans=$(sipp_stat "$stat" "Retransmissions(C)")
	echo "  w$workers: sipp rc $rc, $ok ok, $failed failed, $retrans retransmissions," \
		"$(python3 -c "print('%.1f' % ($t_last - $t_start))") s" >&2
	check "AUTH_1_AUTH_3_sipp_${N}_registered_200_w$workers" \
		test "$rc" = 0 -a "$ok" = "$N" -a "$failed" = 0
	check "AUTH_1_challenges_counted_w$workers" test "$(counter reg_challenges)" -ge "$N"
	# A retransmitted credentialed REGISTER is a (counted) refresh: reg_ok may exceed N by at
	# most sipp's retransmission count, never fall short.
	reg_ok=$(counter reg_ok)
	check "AUTH_3_reg_ok_counted_w$workers" test "$reg_ok" -ge "$N" -a "$reg_ok" -le $((N + retrans))
	check "AUTH_3_no_failure_counted_w$workers" no_failures
	check "REG_2_list_pages_${N}_users_granted_${EXPIRES}_w$workers" listing_ok "$workers"
	# REG-6: poll the listing until it is empty; record the first drop and the end.
	t_first_drop="" t_empty="" seen_full=0
	while ge "$t_last + $EXPIRES + 8" "$(now)"; do
		n=$(total)
		t=$(now)
		[ "$n" = "$N" ] && seen_full=1
		[ -z "$t_first_drop" ] && [ "$seen_full" = 1 ] && [ "$n" -lt "$N" ] && t_first_drop=$t
		[ "$n" = 0 ] && { t_empty=$t; break; }
		sleep 0.25
	done
	echo "  w$workers: first expiry $(python3 -c "print('%.1f' % (${t_first_drop:-0} - $t_start))") s" \
		"after sipp started, all gone $(python3 -c "print('%.1f' % (${t_empty:-0} - $t_last))") s" \
		"after its last 200 OK" >&2
	check "REG_6_none_expires_early_w$workers" none_early
	check "REG_6_all_expired_on_time_w$workers" all_on_time
	check "REG_6_reg_expired_${N}_w$workers" wait_counter reg_expired "$N" 5
	check "REG_clean_stop_w$workers" sf_stop
done
finish
