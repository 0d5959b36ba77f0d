/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RFC 4475 torture messages (rfc4475/, copied with its INDEX.md) against the scanner: each
 * file's verdict is pinned in rfc4475_expect[], and every prefix of every file is scanned
 * from an exact-size heap copy so ASan sees any read past the datagram.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dataplane/sip/scan.h"

static const char *rfc4475_dir;

/*
 * Expected verdict per file with SIP_WANT_ALL. INDEX.md classes: V = 3.1.1 valid,
 * I = 3.1.2 invalid, T = 3.2 transaction, A = 3.3 application, B = 3.4 backward compat.
 *
 * Invalid or app-level-reject messages the scanner accepts, by design:
 *   badbranch (T) a bare "z9hG4bK" branch is syntactically valid; transaction-layer matter.
 *   unkscm, novelsc, unksm2 (A)  unknown URI schemes are syntactically valid; the scanner
 *                 leaves user/host empty and a module answers 416 / 400.
 *   bext01, invut, regaut01, bcast, zeromf, sdp01 (A)  well formed; refused above the parser.
 * Everything else the INDEX calls invalid or app-level-reject is rejected with the reason
 * below, so a change in the scanner's behaviour fails this test.
 */
static const struct {
	const char *file;
	char cls;
	enum sip_scan_status want;
} rfc4475_expect[] = {
	{ "wsinv.dat", 'V', SIP_SCAN_OK },
	{ "intmeth.dat", 'V', SIP_SCAN_OK },
	{ "esc01.dat", 'V', SIP_SCAN_OK },
	{ "escnull.dat", 'V', SIP_SCAN_OK },
	{ "esc02.dat", 'V', SIP_SCAN_OK },
	{ "lwsdisp.dat", 'V', SIP_SCAN_OK },
	{ "longreq.dat", 'V', SIP_SCAN_OK },
	{ "dblreq.dat", 'V', SIP_SCAN_OK },
	{ "semiuri.dat", 'V', SIP_SCAN_OK },
	{ "transports.dat", 'V', SIP_SCAN_OK },
	{ "mpart01.dat", 'V', SIP_SCAN_OK },
	{ "unreason.dat", 'V', SIP_SCAN_OK },
	{ "noreason.dat", 'V', SIP_SCAN_OK },
	{ "badinv01.dat", 'I', SIP_SCAN_ERR_BAD_VIA },
	{ "clerr.dat", 'I', SIP_SCAN_ERR_BODY_TRUNCATED },
	{ "ncl.dat", 'I', SIP_SCAN_ERR_BAD_CONTENT_LENGTH },
	{ "scalar02.dat", 'I', SIP_SCAN_ERR_BAD_CSEQ },
	{ "scalarlg.dat", 'I', SIP_SCAN_ERR_BAD_CSEQ },
	{ "quotbal.dat", 'I', SIP_SCAN_ERR_BAD_TO },
	{ "ltgtruri.dat", 'I', SIP_SCAN_ERR_BAD_REQUEST_URI },
	{ "lwsruri.dat", 'I', SIP_SCAN_ERR_BAD_REQUEST_URI },
	{ "lwsstart.dat", 'I', SIP_SCAN_ERR_BAD_START_LINE },
	{ "trws.dat", 'I', SIP_SCAN_ERR_BAD_START_LINE },
	{ "escruri.dat", 'I', SIP_SCAN_ERR_BAD_REQUEST_URI },
	{ "baddate.dat", 'I', SIP_SCAN_ERR_BAD_DATE },
	{ "regbadct.dat", 'I', SIP_SCAN_ERR_BAD_CONTACT },
	{ "badaspec.dat", 'I', SIP_SCAN_ERR_BAD_TO },
	{ "baddn.dat", 'I', SIP_SCAN_ERR_BAD_FROM },
	{ "badvers.dat", 'I', SIP_SCAN_ERR_BAD_VERSION },
	{ "mismatch01.dat", 'I', SIP_SCAN_ERR_CSEQ_METHOD_MISMATCH },
	{ "mismatch02.dat", 'I', SIP_SCAN_ERR_CSEQ_METHOD_MISMATCH },
	{ "bigcode.dat", 'I', SIP_SCAN_ERR_BAD_STATUS },
	{ "badbranch.dat", 'T', SIP_SCAN_OK },
	{ "insuf.dat", 'A', SIP_SCAN_ERR_NO_FROM },
	{ "unkscm.dat", 'A', SIP_SCAN_OK },
	{ "novelsc.dat", 'A', SIP_SCAN_OK },
	{ "unksm2.dat", 'A', SIP_SCAN_OK },
	{ "bext01.dat", 'A', SIP_SCAN_OK },
	{ "invut.dat", 'A', SIP_SCAN_OK },
	{ "regaut01.dat", 'A', SIP_SCAN_OK },
	{ "multi01.dat", 'A', SIP_SCAN_ERR_DUP_HEADER },
	{ "mcl01.dat", 'A', SIP_SCAN_ERR_DUP_HEADER },
	{ "bcast.dat", 'A', SIP_SCAN_OK },
	{ "zeromf.dat", 'A', SIP_SCAN_OK },
	{ "cparam01.dat", 'A', SIP_SCAN_OK },
	{ "cparam02.dat", 'A', SIP_SCAN_OK },
	{ "regescrt.dat", 'A', SIP_SCAN_OK },
	{ "sdp01.dat", 'A', SIP_SCAN_OK },
	{ "inv2543.dat", 'B', SIP_SCAN_OK },
};

#define N_EXPECT (sizeof(rfc4475_expect) / sizeof(rfc4475_expect[0]))

static uint8_t *
load(const char *name, size_t *len)
{
	char path[4096];
	uint8_t *buf;
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/%s", rfc4475_dir, name);
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n > 0);
	rewind(f);
	buf = malloc((size_t)n);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* Every .dat in the directory has an expectation, and all 49 are there. */
static void
test_rfc4475_table_covers_directory(void **state)
{
	struct dirent *de;
	DIR *d = opendir(rfc4475_dir);
	unsigned int n_dat = 0, i;
	size_t nl;

	(void)state;
	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		nl = strlen(de->d_name);
		if (nl < 4 || strcmp(de->d_name + nl - 4, ".dat") != 0)
			continue;
		n_dat++;
		for (i = 0; i < N_EXPECT; i++)
			if (strcmp(rfc4475_expect[i].file, de->d_name) == 0)
				break;
		if (i == N_EXPECT)
			fail_msg("%s has no expectation", de->d_name);
	}
	closedir(d);
	assert_int_equal(n_dat, 49);
	assert_int_equal(N_EXPECT, 49);
}

static void
test_rfc4475_verdicts(void **state)
{
	unsigned int i, n_bad = 0;
	enum sip_scan_status st;
	struct sip_scan s;
	uint8_t *m;
	size_t len;

	(void)state;
	for (i = 0; i < N_EXPECT; i++) {
		m = load(rfc4475_expect[i].file, &len);
		st = sip_scan(m, len, &s, SIP_WANT_ALL);
		if (st != rfc4475_expect[i].want) {
			print_error("%s (%c): got \"%s\", want \"%s\"\n", rfc4475_expect[i].file,
				    rfc4475_expect[i].cls, sip_scan_reason_name(st),
				    sip_scan_reason_name(rfc4475_expect[i].want));
			n_bad++;
		}
		/* 3.1.1 messages must also parse with every lazy mask. */
		if (rfc4475_expect[i].cls == 'V')
			assert_int_equal(sip_scan(m, len, &s, SIP_WANT_FROM_TO | SIP_WANT_AUTH),
					 SIP_SCAN_OK);
		free(m);
	}
	assert_int_equal(n_bad, 0);
}

/* Spot checks of fields the RFC calls out. */
static void
test_rfc4475_fields(void **state)
{
	struct sip_scan s;
	uint8_t *m;
	size_t len;

	(void)state;
	m = load("wsinv.dat", &len);
	assert_int_equal(sip_scan(m, len, &s, SIP_WANT_ALL), SIP_SCAN_OK);
	assert_int_equal(s.n_via, 3);
	assert_memory_equal(s.via.host.p, "192.0.2.2", 9);
	assert_memory_equal(s.via.branch.p, "390skdjuw", 9);
	assert_int_equal(s.max_forwards, 68);
	assert_int_equal(s.cseq, 9);
	assert_int_equal(s.to.tag.len, 11);
	assert_memory_equal(s.to.tag.p, "1918181833n", 11);
	assert_int_equal(s.from.display.len, 16);
	assert_memory_equal(s.from.display.p, "J Rosenberg \\\\\\\"", 16);
	assert_memory_equal(s.from.tag.p, "98asjd8", 7);
	assert_int_equal(s.body.len, 150);
	free(m);

	m = load("dblreq.dat", &len);
	assert_int_equal(sip_scan(m, len, &s, SIP_WANT_ALL), SIP_SCAN_OK);
	assert_int_equal(s.line.method, SIP_METHOD_REGISTER);
	assert_int_equal(s.body.len, 0);
	free(m);

	m = load("semiuri.dat", &len);
	assert_int_equal(sip_scan(m, len, &s, SIP_WANT_ALL), SIP_SCAN_OK);
	assert_int_equal(s.line.ruri_user.len, 24);
	assert_memory_equal(s.line.ruri_user.p, "user;par=u%40example.net", 24);
	free(m);

	m = load("esc02.dat", &len);
	assert_int_equal(sip_scan(m, len, &s, SIP_WANT_ALL), SIP_SCAN_OK);
	assert_int_equal(s.line.method, SIP_METHOD_OTHER);
	assert_int_equal(s.n_contact, 2);
	free(m);

	m = load("mpart01.dat", &len);
	assert_int_equal(sip_scan(m, len, &s, SIP_WANT_ALL), SIP_SCAN_OK);
	assert_int_equal(s.body.len, 553);
	free(m);

	m = load("noreason.dat", &len);
	assert_int_equal(sip_scan(m, len, &s, SIP_WANT_ALL), SIP_SCAN_OK);
	assert_int_equal(s.line.status_code, 100);
	assert_int_equal(s.line.reason.len, 0);
	free(m);
}

/* Every prefix of every file, as an exact-size heap copy, with a lazy and a full mask. */
static void
test_rfc4475_every_prefix(void **state)
{
	unsigned int i;
	struct sip_scan s;
	uint8_t *m, *c;
	size_t len, n;

	(void)state;
	for (i = 0; i < N_EXPECT; i++) {
		m = load(rfc4475_expect[i].file, &len);
		for (n = 0; n < len; n++) {
			c = malloc(n ? n : 1);
			assert_non_null(c);
			memcpy(c, m, n);
			(void)sip_scan(c, n, &s, SIP_WANT_FROM_TO | SIP_WANT_AUTH);
			/* A prefix that cuts the headers short is never well formed. */
			if (sip_scan(c, n, &s, SIP_WANT_ALL) == SIP_SCAN_OK)
				assert_true(s.complete);
			free(c);
		}
		free(m);
	}
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc4475_table_covers_directory),
		cmocka_unit_test(test_rfc4475_verdicts),
		cmocka_unit_test(test_rfc4475_fields),
		cmocka_unit_test(test_rfc4475_every_prefix),
	};

	if (argc != 2) {
		fprintf(stderr, "usage: %s RFC4475_DIR\n", argv[0]);
		return 2;
	}
	rfc4475_dir = argv[1];
	return cmocka_run_group_tests(tests, NULL, NULL);
}
