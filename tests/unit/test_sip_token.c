/* SPDX-License-Identifier: BSD-3-Clause */
/* Minted tokens (dataplane/sip/token.h): round trip, stale generations, what is not ours. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "dataplane/sip/token.h"

static struct sf_span
span(const void *p, size_t n)
{
	return sf_span_of(p, n);
}

/* Every field survives write + read, as a tag, a branch and a Call-ID with its host. */
static void
test_token_round_trip_tag_branch_call_id(void **state)
{
	(void)state;
	const struct sip_token in = {.owner = 0xa7, .slot = 0xfedcba, .gen = 0x1234, .sub = 0xe,
				     .entropy = 0xdeadbeef};
	uint8_t tag[SIP_TOKEN_LEN], br[SIP_TOKEN_BRANCH_LEN], cid[SIP_TOKEN_LEN + 16];
	struct sip_token out;

	sip_token_write(tag, &in);
	assert_memory_equal(tag, "sf1a7fedcba1234edeadbeef", SIP_TOKEN_LEN);
	memset(&out, 0, sizeof(out));
	assert_true(sip_token_read(span(tag, sizeof(tag)), &out));
	assert_int_equal(out.owner, in.owner);
	assert_int_equal(out.slot, in.slot);
	assert_int_equal(out.gen, in.gen);
	assert_int_equal(out.sub, in.sub);
	assert_int_equal(out.entropy, in.entropy);

	sip_token_write_branch(br, &in);
	assert_memory_equal(br, "z9hG4bKsf1a7fedcba1234edeadbeef", SIP_TOKEN_BRANCH_LEN);
	assert_true(sip_token_maybe(span(br, sizeof(br))));
	memset(&out, 0, sizeof(out));
	assert_true(sip_token_read(span(br, sizeof(br)), &out));
	assert_int_equal(out.slot, in.slot);
	assert_int_equal(out.gen, in.gen);

	memcpy(cid, tag, SIP_TOKEN_LEN);
	memcpy(cid + SIP_TOKEN_LEN, "@sipfast.test", 13);
	memset(&out, 0, sizeof(out));
	assert_true(sip_token_read(span(cid, SIP_TOKEN_LEN + 13), &out));
	assert_int_equal(out.owner, in.owner);
}

/*
 * A slot reused by a later call has a new generation: the old token still decodes to the
 * same slot, and the caller tells it is stale by comparing generations.
 */
static void
test_token_stale_generation_recognised(void **state)
{
	(void)state;
	struct sip_token old = {.owner = 1, .slot = 42, .gen = 7, .sub = 0, .entropy = 1};
	struct sip_token now = old, out;
	uint8_t t_old[SIP_TOKEN_LEN];

	now.gen = 8; /* the slot was freed and taken again */
	sip_token_write(t_old, &old);
	assert_true(sip_token_read(span(t_old, sizeof(t_old)), &out));
	assert_int_equal(out.slot, now.slot);
	assert_int_not_equal(out.gen, now.gen);
	/* Generations wrap: 0xffff + 1 = 0 is still "different". */
	old.gen = 0xffff;
	sip_token_write(t_old, &old);
	assert_true(sip_token_read(span(t_old, sizeof(t_old)), &out));
	assert_int_equal(out.gen, 0xffff);
}

/* Peers' identifiers, truncated tokens, upper-case hex and a wrong version are not ours. */
static void
test_token_foreign_and_damaged_not_ours(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"z9hG4bK776asdhds",                 /* a phone's branch */
		"a84b4c76e66710",                   /* RFC 3261's example tag */
		"sf1a7fedcba1234edeadbee",          /* one digit short */
		"sf1A7fedcba1234edeadbeef",         /* upper case */
		"sf2a7fedcba1234edeadbeef",         /* another version */
		"z9hG4bKsf1a7fedcba12x4edeadbeef",  /* not hex */
		"",
	};
	struct sip_token out;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(sip_token_read(span(bad[i], strlen(bad[i])), &out));
	assert_false(sip_token_maybe(span("z9hG4bK776asdhds", 16)));
}

/* Out-of-range fields are masked, never written past the token. */
static void
test_token_fields_masked_to_width(void **state)
{
	(void)state;
	const struct sip_token in = {.owner = 3, .slot = 0x1abcdef0, .gen = 1, .sub = 0x1f};
	uint8_t buf[SIP_TOKEN_LEN + 1];
	struct sip_token out;

	buf[SIP_TOKEN_LEN] = 0x5a;
	sip_token_write(buf, &in);
	assert_int_equal(buf[SIP_TOKEN_LEN], 0x5a);
	assert_true(sip_token_read(span(buf, SIP_TOKEN_LEN), &out));
	assert_int_equal(out.slot, 0xbcdef0);
	assert_int_equal(out.sub, 0xf);
}

/* Bench mode (seed 0) gives 0 forever; a seeded generator does not repeat at once. */
static void
test_token_entropy_bench_mode_and_seeded(void **state)
{
	(void)state;
	uint64_t zero = 0, seeded = 0x9e3779b97f4a7c15ULL;
	uint32_t a, b;

	assert_int_equal(sip_token_entropy(&zero), 0);
	assert_int_equal(sip_token_entropy(&zero), 0);
	a = sip_token_entropy(&seeded);
	b = sip_token_entropy(&seeded);
	assert_int_not_equal(a, b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_token_round_trip_tag_branch_call_id),
		cmocka_unit_test(test_token_stale_generation_recognised),
		cmocka_unit_test(test_token_foreign_and_damaged_not_ours),
		cmocka_unit_test(test_token_fields_masked_to_width),
		cmocka_unit_test(test_token_entropy_bench_mode_and_seeded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
