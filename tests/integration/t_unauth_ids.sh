#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The silent edge on the wire (issue 12 items 4 and 6), from the peer namespace (10.99.0.2),
# which is neither a gateway nor a binding: with Off, a request naming configured account 1001
# is answered only for REGISTER and INVITE (the challenge, UNAUTH-7/11); OPTIONS, BYE,
# SUBSCRIBE and MESSAGE naming it get nothing, exactly like an unknown user's, counted per
# method (I-1: no identity oracle). With On and a small reply budget (rate 1/s, burst 3) a
# burst of 8 REGISTERs from one address draws 3 challenges, the rest are counted
# sip_drop_reply_budget, and a second later the source is answered again.
source "$(dirname "$0")/lib.sh"

# write_config FILE ON|OFF RATE BURST
write_config() {
	cat >"$1" <<JSON
{
	"interfaces": [{"port": 0, "ipv4": "10.99.0.1/24", "gateway": "10.99.0.254"}],
	"sip": {"port": 5060, "domain": "sipfast.test", "reply_budget_rate": $3,
		"reply_budget_burst": $4},
	"params": {"SS_REPLY_UNAUTHORIZED": "$2"},
	"accounts": [{"user": "1001", "password": "secret-1001"}],
	"gateways": [],
	"runtime": {"mbufs_per_socket": 8191, "big_mbufs": 255}
}
JSON
}

probe() { peer python3 "$ROOT/tests/integration/sip_probe.py" 10.99.0.1 "$@"; }
answer_is() { [[ "$1" == "$2" ]]; }

tb_up
peer ping -c 1 -W 1 -q 10.99.0.1 >/dev/null 2>&1

# --- Off: a configured user's name draws nothing but the challenge ---------------------------
write_config "$WORK/off.json" Off 100 200
sf_start --config "$WORK/off.json" || exit 1
for m in OPTIONS BYE SUBSCRIBE MESSAGE; do
	check "I_1_off_account_${m,,}_silent" answer_is "$(probe "$m" --user 1001)" NONE
	check "I_1_off_unknown_${m,,}_silent" answer_is "$(probe "$m" --user 9999)" NONE
done
check UNAUTH_7_off_account_register_challenged answer_is "$(probe REGISTER --user 1001)" \
	'SIP/2.0 401 Unauthorized'
check UNAUTH_11_off_account_invite_challenged answer_is "$(probe INVITE --user 1001)" \
	'SIP/2.0 401 Unauthorized'
check GEN_4_off_account_options_counted_as_unknown test "$(counter sip_drop_unknown_options)" = 2
check GEN_4_off_account_other_methods_counted_as_unknown \
	test "$(counter sip_drop_unknown_other)" = 6
check I_1_off_no_200_481_405 test "$(($(counter sip_replied_options) + \
	$(counter sip_replied_no_dialog) + $(counter sip_replied_not_allowed)))" = 0
sf_stop

# --- On, budget 1/s burst 3: the reflector is bounded -----------------------------------------
write_config "$WORK/on.json" On 1 3
sf_start --config "$WORK/on.json" || exit 1
burst=$(probe REGISTER --user 9999 --count 8 --interval 0.01 --wait 1)
check UNAUTH_reply_budget_burst_3_answered test "$(grep -c '401 Unauthorized' <<<"$burst")" = 3
check UNAUTH_reply_budget_bites_counted test "$(counter sip_drop_reply_budget)" = 5
sleep 1.5
check UNAUTH_reply_budget_refills answer_is "$(probe OPTIONS --user 9999)" 'SIP/2.0 403 Forbidden'
sf_stop
finish
