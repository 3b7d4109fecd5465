/*
 * fuzz_decode.c: libFuzzer target for decode.c, a document's bytes to
 * clean UTF-8.  The input is the document, as served.  It is decoded
 * twice: pushed whole, then in chunks whose sizes come from a generator
 * seeded by a hash of the input.  Properties checked:
 * - both runs report the same format and give the same bytes;
 * - the output is strict UTF-8 with no NUL, no C0 control but tab,
 *   newline and carriage return, no C1 control;
 * - the callback's final flag is set on its last call only, and nothing
 *   comes for an HTML page or an empty document.
 * ASan, UBSan and LeakSanitizer check the rest.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feedd.h"
#include "fuzz.h"

/* What one run got. */
struct fuzz_out {
	struct buf	 b;
	int		 calls;
	int		 finals;
	int		 late;		/* calls after the final one */
};

/* The decode callback: collect the text. */
static void
fuzz_out_cb(const char *s, size_t n, int final, void *arg)
{
	struct fuzz_out	*o = arg;

	if (o->finals > 0)
		o->late++;
	o->calls++;
	if (final)
		o->finals++;
	buf_add(&o->b, s, n);
}

/* Decode data whole (seed 0) or in chunks drawn from seed; check it. */
static enum decode_format
fuzz_run(struct fuzz_out *o, const uint8_t *data, size_t size,
    uint64_t seed)
{
	struct decode		*d;
	enum decode_format	 f;
	uint64_t		 st = seed;
	size_t			 off = 0, n, at;

	memset(o, 0, sizeof *o);
	d = decode_new(fuzz_out_cb, o);
	while (off < size) {
		/* Mostly tiny chunks; now and then a large one. */
		if (seed == 0)
			n = size;
		else if (fuzz_rand(&st) % 4 == 0)
			n = 1 + fuzz_rand(&st) % 4096;
		else
			n = 1 + fuzz_rand(&st) % 16;
		if (n > size - off)
			n = size - off;
		decode_push(d, (const char *)data + off, n, 0);
		off += n;
	}
	f = decode_push(d, "", 0, 1);
	decode_free(d);
	if (f == DECODE_MORE)
		fuzz_fail("format still unknown after the final push");
	if (o->late != 0)
		fuzz_fail("%d calls after the final one", o->late);
	if ((f == DECODE_XML || f == DECODE_JSON) && o->finals != 1)
		fuzz_fail("format %d: %d final calls", f, o->finals);
	if ((f == DECODE_HTML || f == DECODE_EMPTY) && o->calls != 0)
		fuzz_fail("format %d: %d calls", f, o->calls);
	if ((at = fuzz_utf8_bad(o->b.data, o->b.len)) != o->b.len)
		fuzz_fail("invalid UTF-8 at byte %zu of %zu", at, o->b.len);
	if ((at = fuzz_control_at(o->b.data, o->b.len, "\t\n\r\x7f")) !=
	    o->b.len)
		fuzz_fail("control byte 0x%02x at %zu of %zu",
		    (unsigned char)o->b.data[at], at, o->b.len);
	return (f);
}

/* Quiet the logs once. */
int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_quiet();
	return (0);
}

/* One input: decode it whole and chunked, check and compare. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_out		 whole, chunked;
	enum decode_format	 f1, f2;

	f1 = fuzz_run(&whole, data, size, 0);
	f2 = fuzz_run(&chunked, data, size, util_hash64(data, size, 0) | 1);
	if (f1 != f2)
		fuzz_fail("format %d whole, %d chunked", f1, f2);
	if (whole.b.len != chunked.b.len || (whole.b.len > 0 &&
	    memcmp(whole.b.data, chunked.b.data, whole.b.len) != 0))
		fuzz_fail("output differs: %zu bytes whole, %zu chunked",
		    whole.b.len, chunked.b.len);
	buf_free(&whole.b);
	buf_free(&chunked.b);
	return (0);
}
