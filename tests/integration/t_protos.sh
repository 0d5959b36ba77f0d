#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# PROTOS c07-sip (issue 12): every one of the 4,527 malformed INVITE cases (and its CANCEL
# teardown), filled in by protos_c07.py from the original templates, sent from the peer.
# (a) The peer is an unknown source, SS_REPLY_UNAUTHORIZED Off: not one datagram comes back
#     (a capture on the peer's side; an ICMP echo afterwards is the canary that proves the
#     capture saw sipfastd's frames), the daemon lives, and every datagram sent is counted by
#     exactly one reason: the sum of the per-frame verdict counters other than ARP and ICMP
#     grows by the number of datagrams sent (the ~116 above 65,507 bytes cannot be sent over
#     UDP at all and are left out; those over the ring frame are counted drop_ip_truncated).
# (b) The peer is a configured gateway: the daemon lives, and an OPTIONS probe after every
#     100 cases is answered 200.
source "$(dirname "$0")/lib.sh"

TARBALL=${SF_PROTOS_C07:-$ROOT/../shared/testdata/protos-c07-sip/c07-sip-templates.tar.xz}
[ -f "$TARBALL" ] || TARBALL=/work/shared/testdata/protos-c07-sip/c07-sip-templates.tar.xz
if [ ! -f "$TARBALL" ]; then
	echo "FAIL PROTOS_c07_testdata_present: no $TARBALL"
	exit 1
fi

# write_config FILE [GATEWAY_IP]. The offender memory is off: every case must reach the scanner
# (with it on, the peer would be dropped at L3 after 20 cases, and the canary ping with it).
write_config() {
	local gw=""
	[ -n "${2:-}" ] && gw="{\"name\": \"peer\", \"address\": \"$2\"}"
	cat >"$1" <<JSON
{
	"interfaces": [{"port": 0, "ipv4": "10.99.0.1/24", "gateway": "10.99.0.254"}],
	"sip": {"port": 5060, "domain": "sipfast.test"},
	"params": {"SS_REPLY_UNAUTHORIZED": "Off"},
	"accounts": [{"user": "1001", "password": "secret-1001"}],
	"gateways": [$gw],
	"offender": {"enabled": false},
	"runtime": {"mbufs_per_socket": 8191, "big_mbufs": 255}
}
JSON
}

protos() {
	peer python3 "$ROOT/tests/integration/protos_c07.py" "$TARBALL" 10.99.0.1 --ctl "$CTL" "$@"
}
field() { python3 -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2"; }
alive() { kill -0 "$SF_PID" 2>/dev/null; }
eq() { test "$1" -eq "$2"; }
NOT_SIP='arp|icmp'

tb_up

# --- (a) unknown source, Off: silence, every datagram counted -------------------------------
write_config "$WORK/off.json"
sf_start --config "$WORK/off.json" || exit 1
peer ping -c 1 -W 2 -q 10.99.0.1 >/dev/null 2>&1
before=$(verdict_sum "$NOT_SIP")
cap_start "$WORK/protos_a.pcap" 'src host 10.99.0.1'
sum_a=$(protos --pace 100)
after=$(verdict_sum "$NOT_SIP" --settle)
peer ping -c 1 -W 2 -q 10.99.0.1 >/dev/null 2>&1 # the canary
cap_stop
sent=$(field "$sum_a" datagrams)
echo "# protos (a): $sum_a; verdicts +$((after - before))"
echo "# protos (a) by reason: $(ctl stats.get --path=total | python3 -c '
import json, sys
t = json.load(sys.stdin)
print(", ".join("%s %d" % (k, v) for k, v in sorted(t.items())
                if v and (k.startswith("sip_") or k.startswith("drop_"))))')"
echo "# protos (a) malformed by scanner reason: $(ctl stats.get --path=sip_malformed_by_reason)"
udp_out=$(tcpdump -r "$WORK/protos_a.pcap" -n 'udp' 2>/dev/null | wc -l)
icmp_out=$(tcpdump -r "$WORK/protos_a.pcap" -n 'icmp[icmptype] = icmp-echoreply' 2>/dev/null | wc -l)
check PROTOS_c07_all_cases_sent eq "$(field "$sum_a" cases)" 4527
check PROTOS_c07_unknown_off_capture_canary_seen test "$icmp_out" -ge 1
check PROTOS_c07_unknown_off_zero_datagrams_back eq "$udp_out" 0
check PROTOS_c07_unknown_off_daemon_alive alive
check PROTOS_c07_unknown_off_every_datagram_counted_by_reason eq "$((after - before))" "$sent"
check PROTOS_c07_unknown_off_big_ones_counted_truncated_not_bad_header \
	eq "$(counter drop_ip_bad_header)" 0
sf_stop
check PROTOS_c07_unknown_off_clean_exit test $? -eq 0

# --- (b) from a configured gateway: probes answered all along ------------------------------
write_config "$WORK/gw.json" 10.99.0.2
sf_start --config "$WORK/gw.json" || exit 1
peer ping -c 1 -W 2 -q 10.99.0.1 >/dev/null 2>&1
sum_b=$(protos --pace 100 --probe-every 100 --probe-wait 1)
echo "# protos (b): $sum_b"
check PROTOS_c07_gateway_daemon_alive alive
check PROTOS_c07_gateway_probes_sent eq "$(field "$sum_b" probes)" 45
check PROTOS_c07_gateway_probe_after_every_100_answered \
	eq "$(field "$sum_b" probes_answered)" "$(field "$sum_b" probes)"
sf_stop
check PROTOS_c07_gateway_clean_exit test $? -eq 0
finish
