/*
 * fuzz_sanitize.c: libFuzzer target for sanitize.c.  The input is an HTML
 * fragment (an item's content), sanitized against a base URL.
 * Properties checked:
 * - the result is strict UTF-8 when the input is;
 * - it is safe: sanitizing it again by the full parse drops nothing (no
 *   element, handler or URL that the sanitizer would take out is left in
 *   it, whether the fast path or the full parse wrote it);
 * - the full parse is stable from there on: the second pass gives the
 *   same text as a third;
 * - every URL kept is one sanitize_url_ok() accepts (checked by the
 *   second pass, which counts any other).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feedd.h"
#include "fuzz.h"

#define BASE	"http://example.com/feed/index.xml"

/* Quiet the logs once. */
int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_quiet();
	return (0);
}

/* One input: sanitize it, then its result twice more. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf	 a = { NULL, 0, 0 }, b = { NULL, 0, 0 };
	struct buf	 c = { NULL, 0, 0 };
	size_t		 at, n;

	sanitize_html(&a, (const char *)data, size, BASE);
	if (a.data == NULL)
		fuzz_fail("sanitize_html wrote nothing at all");
	if (fuzz_utf8_bad((const char *)data, size) == size &&
	    (at = fuzz_utf8_bad(a.data, a.len)) != a.len)
		fuzz_fail("invalid UTF-8 at byte %zu of %zu: \"%.80s\"", at,
		    a.len, a.data + at);
	/* Text without a tag is copied as it is, NULs and all. */
	if (memchr(data, '<', size) != NULL) {
		if ((n = sanitize_html_full(&b, a.data, a.len, BASE)) != 0)
			fuzz_fail("the output still has %zu active things: "
			    "\"%.200s\"", n, a.data);
		sanitize_html_full(&c, b.data, b.len, BASE);
		if (b.len != c.len || memcmp(b.data, c.data, b.len) != 0)
			fuzz_fail("not stable: \"%.200s\" then \"%.200s\"",
			    b.data, c.data);
	}
	buf_free(&a);
	buf_free(&b);
	buf_free(&c);
	return (0);
}
