/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Instructions per message of the scanner and of libosip2 over a directory of messages (the
 * RFC 4475 torture set, or a generated scanner flood): every file is scanned with
 * SIP_WANT_ALL (scan_one), with the unknown-source policy's lazy mask (policy_one, what
 * sip_input() did for every unknown source before the skim, and still does when the skim
 * cannot decide), skimmed for the unknown-source drop (skim_one, sip_scan_skim()) and fully
 * parsed by libosip2 on the arena (osip_one), @rounds times. skim_portable_one is the skim's
 * portable (SSE2) variant, which skim_one runs on a CPU without AVX2.
 * Usage: corpus_bench DIR [ROUNDS]; commands in tests/callgrind/README.md.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dataplane/sip/msg.h"
#include "dataplane/sip/scan.h"

#define MAX_FILES 4096

struct corpus {
	uint8_t *data[MAX_FILES]; /* exact-size heap copies */
	size_t len[MAX_FILES];
	unsigned int n;
};

static __attribute__((noinline)) unsigned int
scan_one(const uint8_t *m, size_t len)
{
	struct sip_scan s;

	return sip_scan(m, len, &s, SIP_WANT_ALL) == SIP_SCAN_OK;
}

static __attribute__((noinline)) unsigned int
policy_one(const uint8_t *m, size_t len)
{
	struct sip_scan s;

	return sip_scan(m, len, &s, SIP_WANT_FROM_TO | SIP_WANT_AUTH | SIP_WANT_DIALOG |
				    SIP_WANT_UA) == SIP_SCAN_OK;
}

static __attribute__((noinline)) unsigned int
skim_one(const uint8_t *m, size_t len)
{
	struct sip_skim k;

	return sip_scan_skim(m, len, &k) == SIP_SCAN_OK;
}

/* scan_skim.c's portable (SSE2) variant, which sip_scan_skim() skips on a CPU with AVX2. */
enum sip_scan_status sc_scan_skim_portable(const uint8_t *data, size_t len, struct sip_skim *out);

static __attribute__((noinline)) unsigned int
skim_portable_one(const uint8_t *m, size_t len)
{
	struct sip_skim k;

	return sc_scan_skim_portable(m, len, &k) == SIP_SCAN_OK;
}

static __attribute__((noinline)) unsigned int
osip_one(struct msg_arena *a, const uint8_t *m, size_t len)
{
	struct osip_message *msg;
	int rc = msg_parse(a, m, len, &msg);

	msg_release(a);
	return rc == 0;
}

static int
corpus_load(struct corpus *c, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL && c->n < MAX_FILES) {
		char path[4096];
		FILE *f;
		long n;

		if (e->d_name[0] == '.' || strstr(e->d_name, ".md") != NULL)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		f = fopen(path, "rb");
		if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) <= 0) {
			if (f != NULL)
				fclose(f);
			continue;
		}
		rewind(f);
		c->data[c->n] = malloc((size_t)n);
		c->len[c->n] = fread(c->data[c->n], 1, (size_t)n, f);
		fclose(f);
		c->n++;
	}
	closedir(d);
	return 0;
}

int
main(int argc, char **argv)
{
	struct msg_arena *a = calloc(1, sizeof(*a)); /* zeroed = an empty arena */
	struct corpus *c = calloc(1, sizeof(*c));
	unsigned int rounds = argc > 2 ? (unsigned int)atoi(argv[2]) : 10, r, i;
	unsigned long scanned_ok = 0, parsed_ok = 0, policy_ok = 0, skimmed_ok = 0, portable_ok = 0;

	if (argc < 2 || a == NULL || c == NULL || corpus_load(c, argv[1]) != 0 || c->n == 0) {
		fprintf(stderr, "usage: corpus_bench DIR [ROUNDS]\n");
		return 2;
	}
	for (r = 0; r < rounds; r++) {
		for (i = 0; i < c->n; i++) {
			scanned_ok += scan_one(c->data[i], c->len[i]);
			policy_ok += policy_one(c->data[i], c->len[i]);
			skimmed_ok += skim_one(c->data[i], c->len[i]);
			portable_ok += skim_portable_one(c->data[i], c->len[i]);
			parsed_ok += osip_one(a, c->data[i], c->len[i]);
		}
	}
	printf("%u messages x %u rounds: scanner OK %lu, policy scan OK %lu, skim OK %lu "
	       "(portable %lu), libosip2 OK %lu\n", c->n, rounds, scanned_ok, policy_ok, skimmed_ok,
	       portable_ok, parsed_ok);
	for (i = 0; i < c->n; i++)
		free(c->data[i]);
	free(c);
	free(a);
	return 0;
}
