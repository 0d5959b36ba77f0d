# SPDX-License-Identifier: BSD-3-Clause
# Shared by the NAT keep-alive live tests (t_keepalive.sh, t_keepalive_2w.sh), after lib.sh:
# config with accounts ka1..kaN, NAT registrations from the peer namespace, capture queries.
KA_ANALYSE="python3 $ROOT/tests/integration/ka_pcap.py"

# ka_write_config FILE N "EXTRA_IDS" PARAMS_JSON_BODY [TOP_LEVEL_JSON]: accounts 1001 (non-NAT
# user), ka1..kaN and ka<id> for each EXTRA_IDS; PARAMS_JSON_BODY goes inside "params";
# TOP_LEVEL_JSON (e.g. '"keepalive": {"spread": "even"},') is added at the top level.
ka_write_config() {
	local accounts='{"user": "1001", "password": "secret-1001"}' i
	for i in $(seq 1 "$2") $3; do
		accounts="$accounts, {\"user\": \"ka$i\", \"password\": \"pw-ka$i\"}"
	done
	cat >"$1" <<EOF2
{
	"interfaces": [{"port": 0, "ipv4": "10.99.0.1/24", "gateway": "10.99.0.254"}],
	"sip": {"port": 5060, "domain": "sipfast.test"},
	"params": {$4},
	${5:-}
	"accounts": [$accounts],
	"gateways": [],
	"runtime": {"mbufs_per_socket": 8191, "big_mbufs": 255}
}
EOF2
}

# register_auth.xml with a private Contact: the registrar marks the binding NAT (I-8, REG-3).
sed 's/Contact: <sip:\[service\]@\[local_ip\]:\[local_port\]>/Contact: <sip:[service]@192.168.1.10:5060>/' \
	"$ROOT/tests/integration/sipp/register_auth.xml" >"$WORK/register_nat.xml"

# sipp_reg SCENARIO-PATH USER PASSWORD PORT EXPIRES: one REGISTER with digest; true when 200.
sipp_reg() {
	peer timeout 20 sipp -sf "$1" -s "$2" -au "$2" -ap "$3" -key expires "$5" -m 1 \
		-timeout 10s -timeout_error -nostdin -i 10.99.0.2 -p "$4" 10.99.0.1:5060 \
		>"$WORK/sipp_$4.out" 2>&1
}
regs() { ctl registrations.list "${1:-{\}}" --path="$2"; }
eq() { [ "$1" = "$2" ]; }
le() { python3 -c "import sys; sys.exit(not float('$1') <= float('$2'))"; }
ka() { $KA_ANALYSE "$WORK/ka.pcap" "$@"; }

# register_nat_all N: register ka1..kaN from ports 6001.., five sipp at a time (waited for by
# pid: sipfastd is a job of this shell too), then once more one by one for any that failed;
# true when all got 200.
register_nat_all() {
	local n=$1 i ok=0 pids=()
	for i in $(seq 1 "$n"); do
		{ sipp_reg "$WORK/register_nat.xml" "ka$i" "pw-ka$i" $((6000 + i)) 300 &&
			touch "$WORK/ok_$i"; } &
		pids+=($!)
		[ $((i % 5)) -eq 0 ] && { wait "${pids[@]}"; pids=(); }
	done
	[ ${#pids[@]} -gt 0 ] && wait "${pids[@]}"
	for i in $(seq 1 "$n"); do
		[ -e "$WORK/ok_$i" ] || sipp_reg "$WORK/register_nat.xml" "ka$i" "pw-ka$i" \
			$((6000 + i)) 300 && ok=$((ok + 1))
	done
	[ "$ok" -eq "$n" ] || { echo "only $ok of $n registered" >&2; return 1; }
}
