/*
 * fuzz_render.c: libFuzzer target for render.c, the last step between
 * feed text and the terminal (feedctl's list and show).  The first two
 * input bytes choose a column width and the rest, cut at its first NUL,
 * is the text; eight more bytes, when there are enough, are a time.
 * Properties checked:
 * - render_sanitize() output is strict UTF-8 with no control character
 *   (no C0, DEL, C1), no bidi override or isolate, and no newline unless
 *   RENDER_KEEP_NL;
 * - render_cell() output fits the width, exactly when padding;
 * - render_html() output has no control character but newline;
 * - render_reltime() never fails, whatever the times.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feedd.h"
#include "fuzz.h"

/* Offset of a bidi control (U+202A-U+202E, U+2066-U+2069), or len. */
static size_t
fuzz_bidi_at(const char *s0, size_t len)
{
	const unsigned char	*s = (const unsigned char *)s0;
	size_t			 i;

	for (i = 0; i + 2 < len; i++) {
		if (s[i] != 0xe2)
			continue;
		if ((s[i + 1] == 0x80 && s[i + 2] >= 0xaa &&
		    s[i + 2] <= 0xae) ||
		    (s[i + 1] == 0x81 && s[i + 2] >= 0xa6 && s[i + 2] <= 0xa9))
			return (i);
	}
	return (len);
}

/* Check text bound for the terminal; keep lists the controls allowed. */
static void
fuzz_check_term(const char *what, const char *t, const char *keep)
{
	size_t	len, at;

	if (t == NULL)
		fuzz_fail("%s: NULL", what);
	len = strlen(t);
	if ((at = fuzz_utf8_bad(t, len)) != len)
		fuzz_fail("%s: invalid UTF-8 at byte %zu of %zu", what, at,
		    len);
	if ((at = fuzz_control_at(t, len, keep)) != len)
		fuzz_fail("%s: control byte 0x%02x at %zu of %zu", what,
		    (unsigned char)t[at], at, len);
	if ((at = fuzz_bidi_at(t, len)) != len)
		fuzz_fail("%s: bidi control at %zu of %zu", what, at, len);
}

/* Quiet the logs once. */
int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_quiet();
	return (0);
}

/* One input: sanitise, fit, render as HTML, and a relative time. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf	 b = { NULL, 0, 0 };
	char		*s, *t, *u;
	int		 width, pad, w;
	int64_t		 then, now;

	if (size < 2 || size > 16384)
		return (-1);
	width = (int)data[0] - 8;	/* -8 (no limit) .. 247 */
	pad = data[1] & 1;
	s = xstrndup((const char *)data + 2, size - 2);

	t = render_sanitize(s, 0);
	fuzz_check_term("render_sanitize", t, "");
	u = render_sanitize(s, RENDER_KEEP_NL);
	fuzz_check_term("render_sanitize(KEEP_NL)", u, "\n");
	free(u);

	if ((w = render_width(t)) < 0)
		fuzz_fail("render_width = %d", w);
	render_cell(&b, t, width, pad);
	buf_addc(&b, '\0');
	fuzz_check_term("render_cell", b.data, "");
	w = render_width(b.data);
	if (width >= 0 && w > width)
		fuzz_fail("render_cell(%d) is %d columns wide", width, w);
	if (width >= 0 && pad && w != width)
		fuzz_fail("render_cell(%d, pad) is %d columns wide", width, w);
	buf_free(&b);
	free(t);

	t = render_html(s);
	fuzz_check_term("render_html", t, "\n");
	free(t);
	free(s);

	if (size >= 18) {
		memcpy(&then, data + 2, sizeof then);
		memcpy(&now, data + 10, sizeof now);
		t = render_reltime(then, now);
		fuzz_check_term("render_reltime", t, "");
		free(t);
		t = render_reltime(then, 1800000000);
		free(t);
	}
	return (0);
}
