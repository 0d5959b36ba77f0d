/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Private to dataplane/sip/scan_skim.c, which includes it once per LF-mask builder: the
 * skim's common path (the header loop and the entry), with SKF(name) the variant's name of
 * each function, SKF_ATTR its target attribute, SKF_MASK64_FULL(q) the LF mask of the 64
 * readable bytes at q and SKF_CTZ(m) the index of m's lowest set bit. The SSE2 variant is the
 * portable one; an AVX2 one is chosen at run time where the CPU has it (see sip_scan_skim()).
 * No include guard: meant to be included more than once.
 */

/*
 * Bit mask of the LFs in blk[0 .. min(64, e - blk)); blk < e. A short last block reads the
 * last 64 readable bytes once and shifts out the ones before blk (one step instead of up to
 * four 16-byte ones); only a datagram under 64 bytes goes 16 bytes at a time.
 */
static inline __attribute__((always_inline)) SKF_ATTR uint64_t
SKF(lf_mask64)(const uint8_t *data, const uint8_t *blk, const uint8_t *e)
{
	uint64_t m = 0;
	unsigned int k;

	if (e - blk >= 64)
		return SKF_MASK64_FULL(blk);
	if (e - data >= 64)
		return SKF_MASK64_FULL(e - 64) >> (64 - (e - blk));
	for (k = 0; k < 64 && blk + k < e; k += 16)
		m |= (uint64_t)lf_mask16(data, blk + k, e) << k;
	return m;
}

/*
 * skim_headers_fast()'s next LF from the mask m of block blk (refilled 64 bytes at a time);
 * returns false from it when none is left before ie.
 */
#define SKF_NEXT_LF(lf)                                                                     \
	do {                                                                                 \
		while (SCAN_UNLIKELY(m == 0)) {                                              \
			blk += 64;                                                           \
			if (blk >= ie)                                                       \
				return false; /* no LF left: the last line, or truncated */ \
			m = SKF(lf_mask64)(data, blk, ie);                                        \
		}                                                                            \
		(lf) = blk + SKF_CTZ(m);                                                     \
		m &= m - 1;                                                                  \
	} while (0)

/*
 * The common case of skim_headers() in one tight loop: every LF preceded by a CR, no folded
 * line, no line longer than SIP_SCAN_MAX_HEADER_LEN (the caller passes only datagrams that
 * cannot have one), an empty line before the data runs out. A plain line costs its LF from
 * the mask, the CR test and one class load; nothing is tested per line that only an error
 * could change (the header count is compared once, at the end). True with @out filled
 * exactly as skim_headers() fills it; false on anything else (fold, bare LF, no empty line,
 * a name that does not split, a duplicate From/To, too many lines), and then the caller
 * clears what this wrote and runs skim_headers() from the same start, which returns the
 * status and spans it always did. Only malformed datagrams pay twice.
 */
static inline __attribute__((always_inline)) SKF_ATTR bool
SKF(skim_headers_fast)(const struct lf_iter *it0, const uint8_t *p, const uint8_t *e,
		  struct sip_skim *out)
{
	const uint8_t *data = it0->data, *blk = it0->blk, *ie = it0->e, *name = p, *lf, *v;
	struct sf_span *dst;
	uint64_t m = it0->m;
	unsigned int n_headers = 0;
	enum sip_scan_hdr h;
	uint32_t w;
	size_t name_len;
	uint8_t t;

	if (SCAN_UNLIKELY(p == e))
		return false;
	t = sc_skim_class[*p];
	for (;;) {
		/* Plain lines: the LF, the CR before it, the class of the byte after it. */
		while (t == 0) {
			SKF_NEXT_LF(lf);
			if (SCAN_UNLIKELY(lf[-1] != '\r'))
				return false;
			n_headers++;
			name = lf + 1;
			t = sc_skim_class[*name]; /* lf < ie <= e - 1: readable */
		}
		/* A line starts at name; t (not 0) is the class of its first byte. */
		if (SCAN_UNLIKELY(t & (SK_END | SK_FOLD))) {
			if (t & SK_FOLD || name + 1 == e || name[1] != '\n' ||
			    n_headers > SIP_SCAN_MAX_HEADERS)
				return false;
			out->n_headers = (uint16_t)n_headers;
			return true;
		}
		SKF_NEXT_LF(lf);
		if (SCAN_UNLIKELY(lf[-1] != '\r'))
			return false;
		/*
		 * From, To, User-Agent written out in full, as name_fast() would find them (the
		 * name and its ':' lie before the CR, so lf - name bounds the compare as e - name
		 * does there); anything else through header_name(). skim_take()'s value rules.
		 * From and To by one 4-byte load (name_eq() went through a stack copy for 5 and 3
		 * bytes: ~20 instructions each). Readable: lf[-1] is the CR and name[0] is not, so
		 * lf >= name + 2 and name[0..3] <= lf + 1 (the byte after an LF is readable, above);
		 * a head that matched holds no CR, so the byte after it is at or before lf.
		 */
		dst = NULL;
		w = skim_word4(name);
		if (t & SK_F) {
			if ((w | 0x20202020u) == SKIM_W4('f', 'r', 'o', 'm') && name[4] == ':') {
				if (SCAN_UNLIKELY(out->from.p != NULL)) /* a second From */
					return false;
				dst = &out->from;
				v = name + 5;
			}
		} else if (t & SK_T) {
			if (((w | 0x2020u) & 0xffffffu) == SKIM_W4('t', 'o', ':', 0)) {
				if (SCAN_UNLIKELY(out->to.p != NULL)) /* a second To */
					return false;
				dst = &out->to;
				v = name + 3;
			}
		} else if (t & SK_U) {
			if (lf - name >= 11 && name_eq(name, "user-agent:", 11)) {
				dst = &out->user_agent;
				v = name + 11;
			}
		}
		if (dst != NULL) {
			/*
			 * skim_take()'s trim with a byte compare first: a byte above SP is not LWS
			 * (anything else takes the loops, which decide the same).
			 */
			if (v[0] == ' ' && v[1] > ' ')
				v++;
			else
				v = skip_lws(v, lf - 1);
			*dst = span(v, lf[-2] > ' ' ? lf - 1 : rtrim(v, lf - 1));
		} else {
			if (header_name(name, e, &h, &name_len, &v) != SIP_SCAN_OK)
				return false;
			if (h != SIP_HDR_OTHER && skim_take(out, h, v, lf) != SIP_SCAN_OK)
				return false;
		}
		n_headers++;
		name = lf + 1;
		t = sc_skim_class[*name];
	}
}
#undef SKF_NEXT_LF

/* sip_scan_skim() of this variant. */
static SKF_RUN_ATTR SKF_ATTR enum sip_scan_status
SKF(skim_run)(const uint8_t *data, size_t len, struct sip_skim *out)
{
	enum sip_scan_status st;
	struct lf_iter it;
	const uint8_t *e;
	bool tail_lf;

	skim_clear(out);
	if (SCAN_UNLIKELY(len > SIP_SCAN_MAX_LEN))
		return SIP_SCAN_ERR_TOO_BIG;
	if (SCAN_UNLIKELY(len < 2))
		return sc_start_line(data, len, &out->line, false);
	/*
	 * One mask from the first byte: its first LF ends the start line (no memchr), and the
	 * header walk goes on with the rest of it. An LF that is the datagram's last byte is left
	 * out (see skim_line_end()); when the mask holds no LF, the start line finds its own.
	 */
	e = data + len;
	tail_lf = e[-1] == '\n';
	it.data = data;
	it.blk = data;
	it.e = tail_lf ? e - 1 : e;
	it.m = SKF(lf_mask64)(data, data, it.e);
	if (__builtin_expect(it.m != 0, 1)) {
		const uint8_t *lf = data + SKF_CTZ(it.m);

		st = sc_start_line_fast(data, lf, &out->line)
			     ? SIP_SCAN_OK
			     : sc_start_line_at(data, len, lf, &out->line, false);
		it.m &= it.m - 1;
	} else {
		st = sc_start_line(data, len, &out->line, false);
		if (st == SIP_SCAN_OK) {
			it.blk = data + out->line.len;
			it.m = it.blk < it.e ? SKF(lf_mask64)(data, it.blk, it.e) : 0;
		}
	}
	if (SCAN_UNLIKELY(st != SIP_SCAN_OK))
		return st;
	if (len <= SIP_SCAN_MAX_HEADER_LEN) {
		if (__builtin_expect(SKF(skim_headers_fast)(&it, data + out->line.len, e, out), 1))
			return SIP_SCAN_OK;
		out->from = (struct sf_span){NULL, 0};
		out->to = (struct sf_span){NULL, 0};
		out->auth = (struct sf_span){NULL, 0};
		out->user_agent = (struct sf_span){NULL, 0};
		out->auth_is_proxy = false;
		return skim_headers_slow(data, it.blk, it.m, e, out, false);
	}
	return skim_headers_slow(data, it.blk, it.m, e, out, true);
}
