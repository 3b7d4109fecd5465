/*
 * fuzz_html.c: libFuzzer target for html.c.  The input is an HTML
 * fragment, rendered by html_to_text() with each combination of flags.
 * Properties checked (html.c promises them for terminal output):
 * - the result is never NULL and is strict UTF-8 with no NUL;
 * - it holds no control characters but newline and tab: no other C0, no
 *   DEL, no C1 (U+0080-U+009F);
 * - it never ends in a space or a newline;
 * - with HTML_TEXT_INLINE alone it is one line that does not start with
 *   a space.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feedd.h"
#include "fuzz.h"

/* Render with flags and check the result. */
static void
fuzz_render(const uint8_t *data, size_t size, int flags)
{
	char	*t;
	size_t	 len, at;

	t = html_to_text((const char *)data, size, flags);
	if (t == NULL)
		fuzz_fail("html_to_text(flags %d) returned NULL", flags);
	len = strlen(t);
	if ((at = fuzz_utf8_bad(t, len)) != len)
		fuzz_fail("flags %d: invalid UTF-8 at byte %zu of %zu: "
		    "\"%.80s\"", flags, at, len, t + at);
	if ((at = fuzz_control_at(t, len, "\n\t")) != len)
		fuzz_fail("flags %d: control byte 0x%02x at %zu of %zu",
		    flags, (unsigned char)t[at], at, len);
	if (len > 0 && (t[len - 1] == ' ' || t[len - 1] == '\n'))
		fuzz_fail("flags %d: output ends in a blank", flags);
	if (flags == HTML_TEXT_INLINE) {
		if (strchr(t, '\n') != NULL)
			fuzz_fail("inline output has a newline: \"%.80s\"",
			    t);
		if (len > 0 && t[0] == ' ')
			fuzz_fail("inline output starts with a space");
	}
	free(t);
}

/* Quiet the logs once. */
int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_quiet();
	return (0);
}

/* One input: render it with every flag combination. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_render(data, size, 0);
	fuzz_render(data, size, HTML_TEXT_LINKS);
	fuzz_render(data, size, HTML_TEXT_INLINE);
	fuzz_render(data, size, HTML_TEXT_LINKS | HTML_TEXT_INLINE);
	return (0);
}
