# SPDX-License-Identifier: BSD-3-Clause
# Shared by the call tests (t_call*.sh, issue 13), after lib.sh: the call test bed's config,
# sipp phones and gateways on the peer namespace's addresses (scripts/testbed.sh), and the
# capture read as one line per SIP message (call_pcap.py).
#
# Who is where (all in the peer namespace; sipfastd is 10.99.0.1:5060):
#   10.99.0.2  phone 1001 (caller; registers from port 5071)
#   10.99.0.3  gateway gw-a, numbers 9...  (a sipp UAS on 5060)
#   10.99.0.4  gateway gw-silent, numbers 8...  (never answers: INV-1)
#   10.99.0.5  gateway carrier, numbers 7... (calls in: gateway -> phone, the load test)
#   10.99.0.6  phone 1002 (callee; registers from port 5072)
#   1003 is an account that never registers (480, REG-6); 5... routes nowhere (404).
SIPP_DIR="$ROOT/tests/integration/sipp"
PY=/usr/bin/python3  # scapy
UAS_PIDS=()

# call_config FILE [EXTRA-RUNTIME-JSON]: the call tests' document.
call_config() {
	cat >"$1" <<EOF2
{
	"interfaces": [{"port": 0, "ipv4": "10.99.0.1/24", "gateway": "10.99.0.254"}],
	"sip": {"port": 5060, "domain": "sipfast.test"},
	"params": {"SS_REPLY_UNAUTHORIZED": "Off"},
	"accounts": [{"user": "1001", "password": "secret-1001"},
		     {"user": "1002", "password": "secret-1002"},
		     {"user": "1003", "password": "secret-1003"}],
	"gateways": [{"name": "gw-a", "address": "10.99.0.3", "prefixes": ["9"]},
		     {"name": "gw-silent", "address": "10.99.0.4", "prefixes": ["8"]},
		     {"name": "carrier", "address": "10.99.0.5", "prefixes": ["7"]}],
	"runtime": {"mbufs_per_socket": 8191, "big_mbufs": 255${2:+, $2}}
}
EOF2
}

# register USER IP PORT [EXPIRES]: USER (password secret-USER) registers from IP:PORT.
register() {
	peer timeout 20 sipp -sf "$SIPP_DIR/register_auth.xml" -s "$1" -au "$1" -ap "secret-$1" \
		-key expires "${4:-300}" -m 1 -timeout 10s -timeout_error -nostdin \
		-i "$2" -p "$3" 10.99.0.1:5060 >"$WORK/reg_$1_$3.out" 2>&1
}

# uas_start NAME SCENARIO IP PORT [SIPP-ARGS...]: a sipp UAS in the background (sipp's exit
# status and screen kept under NAME); uas_wait NAME [S]: its exit status (0 = every call of
# its -m passed), killed after S s (default 30).
uas_start() {
	local name=$1 scen=$2 ip=$3 port=$4
	shift 4
	peer sipp -sf "$SIPP_DIR/$scen" -i "$ip" -p "$port" -nostdin -timeout 60s \
		-timeout_error -trace_err -error_file "$WORK/$name.err" \
		-trace_screen -screen_file "$WORK/$name.screen" "$@" >"$WORK/$name.out" 2>&1 &
	eval "UAS_$name=$!"
	UAS_PIDS+=($!)
	sleep 0.5
}
uas_wait() {
	local pid rc
	pid=$(eval echo "\${UAS_$1:-}")
	[ -n "$pid" ] || return 99
	for _ in $(seq 1 $((${2:-30} * 10))); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill "$pid" 2>/dev/null
	wait "$pid"
	rc=$?
	[ "$rc" = 0 ] || echo "uas $1 exited $rc: $(tail -c 600 "$WORK/$1.err" 2>/dev/null)" >&2
	return $rc
}

# uac NAME SCENARIO NUMBER CALLER IP PORT [SIPP-ARGS...]: a sipp caller in the foreground;
# true when every call of its -m passed (sipp exit status 0). A phone CALLER (1001) answers
# the challenge with secret-CALLER; -auth_uri: sipp's digest uri is remote_ip:remote_port
# unless told, and sipfastd checks it against the Request-URI (RFC 3261 22.4).
uac() {
	local name=$1 scen=$2 number=$3 caller=$4 ip=$5 port=$6
	shift 6
	peer timeout 120 sipp -sf "$SIPP_DIR/$scen" -s "$number" -key caller "$caller" \
		-au "$caller" -ap "secret-$caller" -auth_uri "$number@10.99.0.1:5060" \
		-i "$ip" -p "$port" -nostdin -timeout 60s \
		-timeout_error -trace_err -error_file "$WORK/$name.err" \
		-trace_screen -screen_file "$WORK/$name.screen" "$@" 10.99.0.1:5060 \
		>"$WORK/$name.out" 2>&1
	local rc=$?
	[ "$rc" = 0 ] || echo "uac $name exited $rc: $(tail -c 600 "$WORK/$name.err" 2>/dev/null)" >&2
	return $rc
}

# successful NAME: sipp's "Successful call" total from NAME's final screen.
successful() {
	awk -F'|' '/Successful call/ { gsub(/ /, "", $3); n = $3 } END { print n + 0 }' \
		"$WORK/$1.screen" 2>/dev/null
}

# sip_lines PCAP: the capture as one line per SIP message (call_pcap.py).
sip_lines() { $PY "$ROOT/tests/integration/call_pcap.py" "$1"; }

# gauge NAME: a summed counter (call_active, call_setup, ...).
gauge() { counter "$1"; }

# gauges_zero [S]: call_active and call_setup both 0 within S s (default 5).
gauges_zero() {
	local i
	for i in $(seq 1 $((${1:-5} * 10))); do
		[ "$(gauge call_active)" = 0 ] && [ "$(gauge call_setup)" = 0 ] && return 0
		sleep 0.1
	done
	echo "gauges: call_active $(gauge call_active), call_setup $(gauge call_setup)" >&2
	return 1
}

call_cleanup() {
	local p
	for p in "${UAS_PIDS[@]}"; do
		kill "$p" 2>/dev/null
	done
}
trap 'call_cleanup; cleanup' EXIT

eq() { [ "$1" = "$2" ] || { echo "expected '$2', got '$1'" >&2; return 1; }; }

# diag: after a failed check, the counters that say where calls went (stderr).
diag() {
	ctl stats.get | $PY -c 'import json, sys
d = json.load(sys.stdin)
print("calls:", d.get("calls"), file=sys.stderr)
print("non-zero drops/steering:", {k: v for k, v in d["total"].items() if v and ("drop" in k or "steer" in k or "stale" in k or "tx_failed" in k)}, file=sys.stderr)'
}
