#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Issue 12 (with defect 1): big datagrams on the af_packet test bed. The peer's kernel sends a
# SIP OPTIONS of 6,000 and of 16,000 bytes as fragments; the DUT's kernel reassembles them for
# net_af_packet (fanout DEFRAG) into one frame past the MTU. With the test bed's vdev string
# (scripts/testbed.sh vdev: framesz 17,408) and the RX pool ports.c sizes to it, the frame
# arrives whole and the configured gateway gets its 200 OK. A 20,000-byte datagram is past the
# ring frame and arrives truncated: counted drop_ip_truncated, never drop_ip_bad_header.
source "$(dirname "$0")/lib.sh"

cat >"$WORK/gw.json" <<JSON
{
	"interfaces": [{"port": 0, "ipv4": "10.99.0.1/24", "gateway": "10.99.0.254"}],
	"sip": {"port": 5060, "domain": "sipfast.test"},
	"params": {"SS_REPLY_UNAUTHORIZED": "Off"},
	"accounts": [],
	"gateways": [{"name": "peer", "address": "10.99.0.2"}],
	"runtime": {"mbufs_per_socket": 8191, "big_mbufs": 255}
}
JSON

big() { peer python3 "$ROOT/tests/integration/big_probe.py" 10.99.0.1 "$@"; }
answer_is() { [[ "$1" == "$2" ]]; }
counter_is() { test "$(counter "$1")" -eq "$2"; }

tb_up
sf_start --config "$WORK/gw.json" || exit 1
peer ping -c 1 -W 2 -q 10.99.0.1 >/dev/null 2>&1

check HARDEN_1_big_datagram_1000_bytes_answered answer_is "$(big 1000)" "SIP/2.0 200 OK"
check HARDEN_1_big_datagram_6000_bytes_answered answer_is "$(big 6000)" "SIP/2.0 200 OK"
check HARDEN_1_big_datagram_16000_bytes_answered answer_is "$(big 16000)" "SIP/2.0 200 OK"
check HARDEN_1_datagram_past_framesz_not_answered answer_is "$(big 20000 --wait 1)" "NONE"
check HARDEN_1_datagram_past_framesz_counted_truncated counter_is drop_ip_truncated 1
check HARDEN_1_big_datagrams_no_bad_header_drops counter_is drop_ip_bad_header 0
check HARDEN_1_big_datagrams_replied_options counter_is sip_replied_options 3
sf_stop
check HARDEN_1_big_frames_daemon_clean_exit test $? -eq 0
finish
